import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from lstm_spooky.bilstm import BiLSTMBackend, build_bilstm
from tests.conftest import TINY


def test_outputs_one_probability_row_per_sentence():
    model = build_bilstm(TINY, vocab_size=50, max_len=12)
    ids = np.random.default_rng(0).integers(0, 50, size=(5, 12)).astype("int32")
    proba = np.asarray(model(ids))
    assert proba.shape == (5, 3)
    assert (proba > 0).all() and np.allclose(proba.sum(axis=1), 1, atol=1e-5)


def test_ends_in_softmax_after_a_stacked_dropout_head():
    model = build_bilstm(TINY, vocab_size=50, max_len=12)
    names = [type(layer).__name__ for layer in model.layers]
    assert names.count("Dense") == len(TINY.dense_units) + 1 and names.count("Dropout") == len(TINY.dense_units)
    assert "Bidirectional" in names
    assert model.layers[-1].activation.__name__ == "softmax"


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted"):
        BiLSTMBackend(TINY).predict_proba(["The raven spoke."])
