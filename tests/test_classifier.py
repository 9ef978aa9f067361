import json

import numpy as np
import pytest

from lstm_spooky import NotFittedError, SpookyClassifier
from lstm_spooky.classifier import CONFIG_FILE
from tests.conftest import TINY


def test_predict_proba_gives_one_row_per_text_summing_to_one(fitted, corpus):
    proba = fitted.predict_proba(corpus["text"][:10])
    assert proba.shape == (10, 3)
    assert np.allclose(proba.sum(axis=1), 1) and (proba > 0).all()


def test_learns_the_synthetic_authors(fitted, corpus):
    assert np.mean(fitted.predict(corpus["text"]) == corpus["author"]) > 0.8


def test_predict_returns_author_names(fitted):
    assert set(fitted.predict(["the raven in the dungeon ; end."])) <= {"EAP", "HPL", "MWS"}


def test_validation_scores_are_recorded(fitted):
    assert set(fitted.validation_) >= {"log_loss", "log_loss_uncalibrated", "accuracy", "best_epoch", "rows"}
    assert fitted.temperature_ > 0


def test_save_then_load_predicts_identically(fitted, corpus, tmp_path):
    fitted.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    assert loaded.config == fitted.config
    np.testing.assert_array_equal(loaded.predict_proba(corpus["text"]), fitted.predict_proba(corpus["text"]))


def test_same_seed_gives_the_same_model(fitted, corpus):
    again = SpookyClassifier(TINY).fit(corpus["text"], corpus["author"], verbose=0)
    np.testing.assert_allclose(again.predict_proba(corpus["text"]), fitted.predict_proba(corpus["text"]), rtol=1e-6)


def test_predicting_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted"):
        SpookyClassifier().predict_proba(["a sentence"])


def test_load_rejects_another_format_version(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    meta_path = tmp_path / "model" / CONFIG_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "format_version": 0}))
    with pytest.raises(ValueError, match="model format 0 is not supported"):
        SpookyClassifier.load(tmp_path / "model")


def test_load_rejects_a_directory_that_is_no_model(tmp_path):
    with pytest.raises(ValueError, match="not an lstm-spooky model directory"):
        SpookyClassifier.load(tmp_path)


def test_saving_over_a_model_leaves_no_temporary_files(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    fitted.save(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
