import numpy as np
import pytest

from lstm_spooky import SpookyClassifier
from lstm_spooky.ensemble.stack import PUNCTUATION, Stacker, log_proba_features, meta_features
from lstm_spooky.models.registry import MODELS
from tests.conftest import TINY
from tests.ensemble.memoriser import memoriser_entry


def base_predictions(n=300, seed=0):
    """Two noisy base models, one better than the other, and the labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)

    def noisy(strength):
        logits = rng.normal(size=(n, 3))
        logits[np.arange(n), y] += strength
        return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    return [noisy(2.0), noisy(0.5)], y


def test_stacker_outputs_probability_rows():
    probas, y = base_predictions()
    proba = Stacker().fit(probas, y).predict_proba(probas)
    assert proba.shape == (len(y), 3) and np.allclose(proba.sum(axis=1), 1)


def test_stacker_round_trips_through_a_dict():
    probas, y = base_predictions()
    stacker = Stacker(c=0.5).fit(probas, y)
    np.testing.assert_array_equal(
        Stacker.from_dict(stacker.to_dict()).predict_proba(probas), stacker.predict_proba(probas)
    )


def test_log_proba_features_of_a_geometric_mean_are_the_mean_of_the_features():
    probas, _ = base_predictions()
    geometric = np.exp(np.mean([np.log(p) for p in probas], axis=0))
    geometric /= geometric.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        log_proba_features(geometric), np.mean([log_proba_features(p) for p in probas], axis=0), atol=1e-12
    )


def test_meta_features_count_punctuation_on_a_log_scale():
    features = meta_features(["Alas; alas; I wept.", "No"])
    assert features.shape == (2, 6 + len(PUNCTUATION))
    assert features[0, 3 + PUNCTUATION.index(";")] == pytest.approx(np.log1p(2))
    assert features[1, 3 + PUNCTUATION.index(";")] == 0


def test_a_constant_feature_column_does_not_break_the_stack():
    probas, y = base_predictions()
    proba = Stacker().fit([*probas, np.ones((len(y), 1))], y).predict_proba([*probas, np.ones((len(y), 1))])
    assert np.isfinite(proba).all()


def test_cross_validated_stack_predicts_each_row_without_its_label():
    probas, y = base_predictions()
    shuffled = np.random.default_rng(1).permutation(y)
    # Labels unrelated to the features: an honest cross-validated stack cannot beat chance.
    out = Stacker().cross_val_proba(probas, shuffled)
    assert np.mean(out.argmax(axis=1) == shuffled) < 0.45


def test_stack_sees_only_out_of_fold_predictions(corpus, monkeypatch):
    monkeypatch.setitem(MODELS, "nblr", memoriser_entry("nblr"))
    model = SpookyClassifier(TINY.replace(models=("bilstm", "nblr"), max_epochs=1)).fit(
        corpus["text"], corpus["author"]
    )
    # Had the stack seen in-fold predictions, the memoriser would look perfect.
    np.testing.assert_allclose(model.base_oof_["nblr"], 1 / 3)
    assert model.cv_["models"]["nblr"]["log_loss"] == pytest.approx(np.log(3))
