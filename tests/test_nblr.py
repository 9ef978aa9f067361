import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from lstm_spooky.data import encode_labels
from lstm_spooky.nblr import NBLRBackend, NBLRConfig, nb_ratio
from tests.conftest import make_corpus

TRAIN = make_corpus()
HELD_OUT = make_corpus(60, seed=1)


@pytest.fixture(scope="module")
def fitted() -> NBLRBackend:
    return NBLRBackend().fit(TRAIN["text"].tolist(), encode_labels(TRAIN["author"]))


def test_predict_proba_gives_one_probability_row_per_sentence(fitted):
    proba = fitted.predict_proba(HELD_OUT["text"].tolist())
    assert proba.shape == (len(HELD_OUT), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba > 0) & (proba < 1)).all()


def test_learns_the_synthetic_authors(fitted):
    for corpus in (TRAIN, HELD_OUT):
        predicted = fitted.predict_proba(corpus["text"].tolist()).argmax(axis=1)
        assert np.mean(predicted == encode_labels(corpus["author"])) > 0.8


def test_save_then_load_predicts_identically(fitted, tmp_path):
    fitted.save(tmp_path)
    loaded = NBLRBackend.load(tmp_path)
    assert loaded.config == fitted.config
    texts = HELD_OUT["text"].tolist() + ["A sentence of words it never saw: zyzzyva!"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def test_load_rejects_another_format_version(fitted, tmp_path):
    fitted.save(tmp_path)
    meta = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**meta, "format_version": 999}))
    with pytest.raises(ValueError, match="format 999 is not supported"):
        NBLRBackend.load(tmp_path)


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted"):
        NBLRBackend().predict_proba(["The raven spoke."])


def test_fit_rejects_a_missing_author():
    with pytest.raises(ValueError, match="none for \\['MWS'\\]"):
        NBLRBackend().fit(["The raven ; end.", "Eldritch ! end."], np.array([0, 1]))


def test_nb_ratio_is_positive_for_features_of_the_class_and_negative_for_the_others():
    # Feature 0 occurs only in class rows, feature 1 only in the others, feature 2 in both alike.
    x = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]))
    ratio = nb_ratio(x, np.array([True, True, False, False]), alpha=0.1)
    assert ratio[0] > 0 > ratio[1]
    assert ratio[2] == pytest.approx(0.0)


def test_config_round_trips_through_json():
    config = NBLRConfig(word_ngrams=(1, 3), c=4.0)
    assert NBLRConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown NB-LR config keys \\['depth'\\]"):
        NBLRConfig.from_dict({"depth": 3})
