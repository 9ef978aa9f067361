import json
import os
import subprocess
import sys

import numpy as np
import pytest

from lstm_spooky import NotFittedError, SpookyClassifier
from lstm_spooky.models.bilstm import BiLSTMModel
from lstm_spooky.store.model_dir import CONFIG_FILE
from tests.conftest import TINY


def test_predict_proba_gives_one_row_per_text_summing_to_one(fitted, corpus):
    proba = fitted.predict_proba(corpus["text"][:10])
    assert proba.shape == (10, 3)
    assert np.allclose(proba.sum(axis=1), 1) and (proba > 0).all()


def test_learns_the_synthetic_authors(fitted, corpus):
    assert np.mean(fitted.predict(corpus["text"]) == corpus["author"]) > 0.8


def test_trains_one_network_per_fold(fitted):
    assert len(fitted.members_["bilstm"]) == TINY.folds


def test_every_training_row_gets_an_out_of_fold_prediction(fitted, corpus):
    oof = fitted.oof_frame()
    assert sorted(oof["id"]) == sorted(map(str, range(len(corpus))))
    assert np.allclose(oof[["EAP", "HPL", "MWS"]].sum(axis=1), 1, atol=1e-5)
    assert (oof["author"].to_numpy() == corpus["author"].to_numpy()).all()


def test_single_fold_holds_out_the_validation_fraction(corpus):
    model = SpookyClassifier(TINY.replace(folds=1, max_epochs=1)).fit(corpus["text"], corpus["author"])
    assert len(model.members_["bilstm"]) == 1
    assert len(model.oof_frame()) == round(len(corpus) * TINY.validation_fraction)


def test_cross_validation_scores_are_recorded(fitted):
    assert set(fitted.cv_) >= {"log_loss", "accuracy", "models", "combined_by"}
    assert len(fitted.cv_["models"]["bilstm"]["fold_log_loss"]) == TINY.folds
    assert fitted.cv_["combined_by"] == "temperature" and fitted.temperature_ > 0


def test_save_then_load_predicts_identically(fitted, corpus, tmp_path):
    fitted.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    assert loaded.config == fitted.config
    np.testing.assert_array_equal(loaded.predict_proba(corpus["text"]), fitted.predict_proba(corpus["text"]))
    np.testing.assert_allclose(loaded.oof_, fitted.oof_, rtol=1e-5)
    np.testing.assert_allclose(loaded.base_oof_["bilstm"], fitted.base_oof_["bilstm"], rtol=1e-5)


def test_same_seed_gives_the_same_model(fitted, corpus):
    again = SpookyClassifier(TINY).fit(corpus["text"], corpus["author"])
    np.testing.assert_allclose(again.predict_proba(corpus["text"]), fitted.predict_proba(corpus["text"]), rtol=1e-6)


def test_resume_skips_folds_that_finished_before_a_crash(corpus, tmp_path, monkeypatch):
    real_fit = BiLSTMModel.fit
    calls = []

    def crash_on_second_fold(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(BiLSTMModel, "fit", crash_on_second_fold)
    config = TINY.replace(max_epochs=1)
    with pytest.raises(KeyboardInterrupt):
        SpookyClassifier(config).fit(corpus["text"], corpus["author"], checkpoint_dir=tmp_path / "partial")
    assert (tmp_path / "partial" / "bilstm" / "fold-0").is_dir()
    assert not (tmp_path / "partial" / "bilstm" / "fold-1").exists()

    calls.clear()
    lines = []
    model = SpookyClassifier(config).fit(
        corpus["text"], corpus["author"], log=lines.append, checkpoint_dir=tmp_path / "partial", resume=True
    )
    assert len(calls) == 1  # only fold 2 was trained again
    assert any("bilstm  fold 1/2  finished earlier" in line for line in lines)
    assert len(model.members_["bilstm"]) == 2


def test_resume_refuses_a_run_with_other_settings(corpus, tmp_path):
    config = TINY.replace(max_epochs=1)
    SpookyClassifier(config).fit(corpus["text"], corpus["author"], checkpoint_dir=tmp_path / "partial")
    with pytest.raises(ValueError, match="other settings or data"):
        SpookyClassifier(config.replace(seed=99)).fit(
            corpus["text"], corpus["author"], checkpoint_dir=tmp_path / "partial", resume=True
        )


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


def test_several_models_are_stacked_and_saved_together(corpus, tmp_path):
    config = TINY.replace(models=("nblr", "lm"))
    model = SpookyClassifier(config).fit(corpus["text"], corpus["author"])
    assert model.cv_["combined_by"] == "stack" and set(model.cv_["models"]) == {"nblr", "lm"}
    model.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict_proba(corpus["text"]), model.predict_proba(corpus["text"]), rtol=1e-9)
    assert np.mean(model.predict(corpus["text"]) == corpus["author"]) > 0.8


def test_unknown_model_names_are_rejected(corpus):
    with pytest.raises(ValueError, match="unknown model 'svm'"):
        SpookyClassifier(TINY.replace(models=("svm",))).fit(corpus["text"], corpus["author"])


def test_ngram_models_predict_with_one_model_refitted_on_all_rows(corpus, tmp_path):
    texts, authors = [*corpus["text"], "Zyzzyva ; end."], [*corpus["author"], "EAP"]
    model = SpookyClassifier(TINY.replace(models=("nblr", "svm_words"))).fit(texts, authors)
    assert [len(model.members_[name]) for name in ("nblr", "svm_words")] == [1, 1]
    assert "zyzzyva" in model.members_["svm_words"][0].vectorizer_.vocabulary_  # a word of one row: every row was read
    model.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model" / "nblr").iterdir()) == ["all-rows"]
    np.testing.assert_allclose(
        SpookyClassifier.load(tmp_path / "model").predict_proba(corpus["text"]), model.predict_proba(corpus["text"])
    )


def test_a_model_left_out_afterwards_is_the_stack_fitted_without_it(corpus):
    config = TINY.replace(models=("nblr", "mnb_words", "svm_words"))
    full = SpookyClassifier(config).fit(corpus["text"], corpus["author"])
    ablated = full.without("mnb_words")
    direct = SpookyClassifier(config.replace(models=("nblr", "svm_words"))).fit(corpus["text"], corpus["author"])
    assert ablated.config.models == ("nblr", "svm_words") and full.config.models == config.models
    np.testing.assert_allclose(ablated.oof_, direct.oof_, rtol=1e-10, atol=1e-12)
    texts = ["The raven ; end.", "Arkham ! end."]
    np.testing.assert_allclose(ablated.predict_proba(texts), direct.predict_proba(texts), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="at least three"):
        ablated.without("nblr")


def test_scoring_in_chunks_gives_the_one_shot_probabilities(corpus):
    model = SpookyClassifier(TINY.replace(models=("bilstm", "lm", "svm_chars"), max_epochs=1)).fit(
        corpus["text"], corpus["author"]
    )
    texts = list(corpus["text"][:50])
    chunks = list(model.iter_proba(texts, chunk_rows=16))
    assert [len(chunk) for chunk in chunks] == [16, 16, 16, 2]
    np.testing.assert_allclose(np.concatenate(chunks), next(model.iter_proba(texts, chunk_rows=50)), rtol=0, atol=1e-6)


def test_networks_scored_in_a_second_process_give_the_same_probabilities(corpus, tmp_path):
    model = SpookyClassifier(TINY.replace(models=("bilstm", "svm_chars"), max_epochs=1)).fit(
        corpus["text"], corpus["author"]
    )
    model.save(tmp_path / "model")
    apart = SpookyClassifier.load(tmp_path / "model", networks_apart=True)
    try:
        assert list(apart.members_) == ["svm_chars"]  # the BiLSTM's fold networks live in the other process
        texts = list(corpus["text"][:50])
        chunks = list(apart.iter_proba(texts, chunk_rows=8))  # more chunks than the n-gram models run ahead
        assert [len(chunk) for chunk in chunks] == [8] * 6 + [2]
        np.testing.assert_allclose(np.concatenate(chunks), model.predict_proba(texts), rtol=0, atol=1e-6)
        with pytest.raises(ValueError, match="load it without networks_apart"):
            apart.base_proba(texts)
    finally:
        apart.close()


def test_a_single_network_model_is_loaded_in_this_process_even_when_asked_apart(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model", networks_apart=True)  # nothing would run beside it
    assert loaded._network_process is None and len(loaded.members_["bilstm"]) == TINY.folds


def test_the_resource_tracker_started_for_the_networks_keeps_its_clean_up_warnings_to_itself():
    # After a stop ends both processes the tracker may clean up a queue's semaphore; a user's
    # terminal should end on the "interrupted" line, not on the tracker's warnings.
    script = (
        "from multiprocessing import resource_tracker as rt\n"
        "from lstm_spooky.ensemble.processes import starting\n"
        "with starting():\n"
        "    rt.ensure_running()\n"
        "rt.register('/mp-lstm-spooky-test', 'semaphore')\n"  # left registered: the tracker cleans it up at exit
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("PYTHONWARNINGS", None)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and result.stderr == ""


def test_a_refit_with_other_models_starts_clean_and_saves_what_it_predicts_with(corpus, tmp_path):
    model = SpookyClassifier(TINY.replace(models=("mnb_words",))).fit(corpus["text"], corpus["author"])  # a temperature
    model.config = TINY.replace(models=("mnb_words", "svm_words"))  # then a stack, on the same instance
    model.fit(corpus["text"], corpus["author"])
    assert not hasattr(model, "temperature_")
    model.save(tmp_path / "model")
    texts = corpus["text"].tolist()[:10]
    np.testing.assert_allclose(
        SpookyClassifier.load(tmp_path / "model").predict_proba(texts), model.predict_proba(texts), atol=1e-12
    )
