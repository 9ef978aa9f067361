import numpy as np
import pytest

from lstm_spooky.config import LinearConfig
from lstm_spooky.data.labels import encode_labels
from lstm_spooky.models.linear import LinearModel
from tests.conftest import make_corpus

TRAIN = make_corpus()
TEXTS, Y = TRAIN["text"].tolist(), encode_labels(TRAIN["author"])


def test_naive_bayes_stack_features_are_centred_and_shrink_with_length():
    model = LinearModel(LinearConfig(classifier="mnb", analyzer="word", ngrams=(1, 1), weighting="counts")).fit(
        TEXTS, Y
    )
    short, long = "The raven ; end.", " ".join(["The raven ; end."] * 8)
    features = model.stack_features([short, long])
    np.testing.assert_allclose(features.sum(axis=1), 0.0, atol=1e-9)
    raw = model.decision_function([short, long])
    raw_spread, spread = np.ptp(raw, axis=1), np.ptp(features, axis=1)
    assert raw_spread[1] > 4 * raw_spread[0]  # eight copies: eight times the evidence
    assert spread[1] < 4 * spread[0]  # ... which the stack sees divided by sqrt(length)


def test_svm_stack_features_are_its_margins():
    model = LinearModel(LinearConfig(classifier="svm", analyzer="char", ngrams=(2, 4), weighting="binary")).fit(
        TEXTS, Y
    )
    np.testing.assert_array_equal(model.stack_features(TEXTS[:5]), model.decision_function(TEXTS[:5]))


def test_unknown_classifier_is_rejected():
    with pytest.raises(ValueError, match="classifier must be one of svm, mnb"):
        LinearModel(LinearConfig(classifier="tree")).fit(TEXTS, Y)


def test_unknown_weighting_is_rejected():
    with pytest.raises(ValueError, match="weighting must be one of tfidf, binary, counts"):
        LinearModel(LinearConfig(weighting="bm25")).fit(TEXTS, Y)
