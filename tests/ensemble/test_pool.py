"""Learning from unlabelled sentences (`fit(..., unlabeled=...)`): no pool sentence is ever scored by a
model that learnt its pseudo-label, and nothing that calibrates sees a pool row."""

import json

import numpy as np
import pytest

from lstm_spooky import SpookyClassifier, SpookyConfig
from lstm_spooky.ensemble.cross_fit import pool_parts, pseudo_labels
from lstm_spooky.ensemble.pool_scores import PoolScores, text_digests
from lstm_spooky.ensemble.stack import meta_features
from lstm_spooky.models import lm as lm_module
from lstm_spooky.models import registry
from lstm_spooky.models.base import PoolFit
from lstm_spooky.models.lm import LMModel
from lstm_spooky.store.model_dir import POOL_FILE
from tests.conftest import make_corpus
from tests.ensemble.memoriser import memoriser_entry

NGRAMS = SpookyConfig(
    models=("nblr", "lm", "svm_words"), folds=2, seed=3, pool_models=("nblr", "lm", "svm_words"), pool_parts=4
)


@pytest.fixture
def memoriser(monkeypatch):
    entry = memoriser_entry()
    monkeypatch.setitem(registry.MODELS, entry.name, entry)
    return entry


@pytest.fixture(scope="module")
def pool_texts():
    return make_corpus(80, seed=4)["text"].tolist()


@pytest.fixture(scope="module")
def plain(corpus):
    return SpookyClassifier(NGRAMS).fit(corpus["text"], corpus["author"])


@pytest.fixture(scope="module")
def pooled(corpus, pool_texts):
    return SpookyClassifier(NGRAMS).fit(corpus["text"], corpus["author"], unlabeled=pool_texts)


def test_a_memorising_model_never_echoes_a_pool_sentences_own_pseudo_label(memoriser, corpus, pool_texts):
    config = NGRAMS.replace(models=("memoriser", "nblr"), pool_models=("memoriser", "nblr"))
    model = SpookyClassifier(config).fit(corpus["text"], corpus["author"], unlabeled=pool_texts)
    assert model.pool_.used.all()  # every pseudo-label trained some part's models
    np.testing.assert_allclose(model.base_proba(pool_texts, ["memoriser"])["memoriser"], 1 / 3)
    np.testing.assert_allclose(model.pool_.features["memoriser"], 0, atol=1e-12)  # centred uniform: no opinion
    stacked = model.stacker_.predict_proba(
        [model.pool_.features["memoriser"], model.pool_.features["nblr"], meta_features(pool_texts)]
    )
    np.testing.assert_allclose(model.predict_proba(pool_texts), stacked, rtol=1e-12)
    # The trap is real: the model refitted with the whole pool, which scores other sentences, echoes them.
    assert model.members_["memoriser"][0].predict_proba(pool_texts).max(axis=1).min() > 0.99


def test_a_pool_sentence_is_scored_by_the_part_that_left_it_out_and_any_other_by_the_whole_pool(pooled, pool_texts):
    new = ["A raven and a pendulum in the abyss ; end."]
    proba = pooled.base_proba(pool_texts[:5] + new)
    for name, rows in proba.items():
        np.testing.assert_array_equal(rows[:5], pooled.pool_.proba[name][:5])
        np.testing.assert_allclose(rows[5:], pooled.members_[name][0].predict_proba(new), rtol=1e-12)


def test_the_stack_and_the_out_of_fold_scores_are_the_labelled_rows_alone(plain, pooled):
    np.testing.assert_array_equal(pooled.stacker_.coef_, plain.stacker_.coef_)
    np.testing.assert_array_equal(pooled.oof_, plain.oof_)
    assert pooled.cv_["log_loss"] == plain.cv_["log_loss"]
    assert {name: cv["log_loss"] for name, cv in pooled.cv_["models"].items()} == {
        name: cv["log_loss"] for name, cv in plain.cv_["models"].items()
    }


def test_a_single_models_temperature_is_fitted_without_the_pool(corpus, pool_texts):
    config = NGRAMS.replace(models=("nblr",))
    plain = SpookyClassifier(config).fit(corpus["text"], corpus["author"])
    pooled = SpookyClassifier(config).fit(corpus["text"], corpus["author"], unlabeled=pool_texts)
    assert pooled.temperature_ == plain.temperature_ and pooled.pool_ is not None


def test_the_language_models_calibrate_on_the_labelled_rows_alone(monkeypatch, corpus, pool_texts):
    fitted_rows = []

    class Recording(lm_module.LogisticRegression):
        def fit(self, x, y, **kwargs):
            fitted_rows.append(len(y))
            return super().fit(x, y, **kwargs)

    monkeypatch.setattr(lm_module, "LogisticRegression", Recording)
    y = np.arange(len(corpus)) % 3
    model = LMModel().fit_with_pool(corpus["text"].tolist(), y, (pool_texts, np.zeros(len(pool_texts), int)), 3)
    assert fitted_rows == [len(corpus)]
    assert model.models_.n_classes == 3


def test_a_language_model_with_an_empty_pool_is_the_plain_one(corpus):
    texts, y = corpus["text"].tolist(), np.arange(len(corpus)) % 3
    plain = LMModel().fit(texts, y, None, 3)
    empty = LMModel().fit_with_pool(texts, y, ([], np.zeros(0, dtype=np.int64)), 3)
    np.testing.assert_array_equal(empty.predict_proba(texts[:10]), plain.predict_proba(texts[:10]))


def test_every_n_gram_model_learns_from_a_pool_and_no_network_does():
    able = {name for name, entry in registry.MODELS.items() if not entry.network and not entry.extra}
    assert all(issubclass(registry.MODELS[name].model_class(), PoolFit) for name in able)
    assert set(SpookyConfig().pool_models) <= able


def test_a_network_named_in_pool_models_is_refused_before_anything_is_trained(corpus, pool_texts):
    config = NGRAMS.replace(models=("bilstm", "nblr"), pool_models=("bilstm", "nblr"))
    with pytest.raises(ValueError, match="bilstm cannot learn from unlabelled sentences"):
        SpookyClassifier(config).fit(corpus["text"], corpus["author"], unlabeled=pool_texts)


def test_save_then_load_scores_pool_and_new_sentences_identically(pooled, pool_texts, tmp_path):
    pooled.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    texts = pool_texts[:30] + ["An unseen zyzzyva , end."]
    np.testing.assert_array_equal(loaded.predict_proba(texts), pooled.predict_proba(texts))
    assert json.loads((tmp_path / "model" / "config.json").read_text())["pool"]["sentences"] == len(pool_texts)


def test_without_unlabeled_sentences_the_model_directory_is_as_before(plain, tmp_path):
    plain.save(tmp_path / "model")
    assert not (tmp_path / "model" / POOL_FILE).exists() and plain.pool_ is None
    assert json.loads((tmp_path / "model" / "config.json").read_text())["format_version"] == 6


def test_pool_sentences_that_repeat_or_are_training_sentences_are_left_out(corpus, pool_texts):
    lines = []
    unlabeled = corpus["text"].tolist()[:5] + pool_texts + pool_texts[:3]
    model = SpookyClassifier(NGRAMS).fit(corpus["text"], corpus["author"], unlabeled=unlabeled, log=lines.append)
    assert len(model.pool_.digests) == len(pool_texts)
    assert any("3 repeated and 5 training sentence(s) left out" in line for line in lines)


@pytest.mark.parametrize("unlabeled", [[], "training"], ids=["empty", "all training sentences"])
def test_an_empty_pool_or_one_of_training_sentences_is_refused(corpus, unlabeled):
    unlabeled = corpus["text"].tolist() if unlabeled == "training" else unlabeled
    with pytest.raises(ValueError, match="unlabeled: "):
        SpookyClassifier(NGRAMS).fit(corpus["text"], corpus["author"], unlabeled=unlabeled)


def test_a_pool_smaller_than_its_parts_is_scored_whole(corpus):
    texts = ["A raven in the abyss ; end.", "Eldritch gibbous night ! end."]
    model = SpookyClassifier(NGRAMS.replace(models=("nblr",))).fit(corpus["text"], corpus["author"], unlabeled=texts)
    assert (model.pool_.proba["nblr"].sum(axis=1) > 0.99).all()


def test_explanations_of_a_pool_sentence_come_from_the_part_that_left_it_out(pooled, pool_texts):
    (explanation,) = pooled.explain(pool_texts[:1])
    np.testing.assert_array_equal(explanation.scores, pooled.pool_.tokens["nblr"][0])


def test_a_resumed_fit_with_a_pool_reuses_the_labelled_folds(corpus, pool_texts, tmp_path):
    config = NGRAMS.replace(models=("nblr", "svm_words"))
    SpookyClassifier(config).fit(corpus["text"], corpus["author"], checkpoint_dir=tmp_path)
    lines = []
    SpookyClassifier(config).fit(
        corpus["text"], corpus["author"], checkpoint_dir=tmp_path, resume=True, unlabeled=pool_texts, log=lines.append
    )
    assert sum("finished earlier" in line for line in lines) == 6  # 2 models x (2 folds + all rows)
    assert sum("pseudo-labelled sentences" in line and "finished earlier" not in line for line in lines) == 10


def test_pseudo_labels_are_the_most_probable_label_where_it_reaches_the_threshold():
    labels, used = pseudo_labels(np.array([[0.95, 0.03, 0.02], [0.5, 0.3, 0.2]]), 0.9)
    assert labels.tolist() == [0, 0] and used.tolist() == [True, False]
    with pytest.raises(ValueError, match="pool_threshold"):
        pseudo_labels(np.ones((1, 3)) / 3, 1.5)


def test_pool_parts_are_even_and_seeded():
    parts = pool_parts(10, 4, seed=0)
    assert np.bincount(parts).tolist() == [3, 3, 2, 2]
    np.testing.assert_array_equal(parts, pool_parts(10, 4, seed=0))


def test_pool_scores_round_trip_through_their_file(tmp_path):
    tokens = [np.ones((2, 3)), np.zeros((0, 3)), np.full((1, 3), 0.5)]
    pool = PoolScores(text_digests(["a", "b", "c"]), np.array([True, False, True]))
    pool.proba["nblr"], pool.features["nblr"], pool.tokens["nblr"] = np.eye(3), np.eye(3) * 2, tokens
    pool.save(tmp_path / POOL_FILE)
    loaded = PoolScores.load(tmp_path / POOL_FILE)
    np.testing.assert_array_equal(loaded.proba["nblr"], pool.proba["nblr"])
    assert [t.shape for t in loaded.tokens["nblr"]] == [(2, 3), (0, 3), (1, 3)]
    assert loaded.find(["c", "z", "a"])[0].tolist() == [0, 2] and loaded.find(["c", "z", "a"])[1].tolist() == [2, 0]
