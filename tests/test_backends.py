"""The contract every n-gram base model keeps: probabilities, learning, save/load, errors."""

import json

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from lstm_spooky.data import encode_labels
from lstm_spooky.lm import LMBackend
from lstm_spooky.nblr import NBLRBackend
from tests.conftest import make_corpus

TRAIN = make_corpus()
HELD_OUT = make_corpus(60, seed=1)
BACKENDS = [NBLRBackend, LMBackend]


@pytest.fixture(scope="module", params=BACKENDS, ids=lambda cls: cls.name)
def fitted(request):
    return request.param().fit(TRAIN["text"].tolist(), encode_labels(TRAIN["author"]))


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
    loaded = type(fitted).load(tmp_path)
    assert loaded.config == fitted.config
    texts = HELD_OUT["text"].tolist() + ["A sentence of words it never saw: zyzzyva, ñ!"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def test_load_rejects_another_format_version(fitted, tmp_path):
    fitted.save(tmp_path)
    meta = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**meta, "format_version": 999}))
    with pytest.raises(ValueError, match="format 999 is not supported"):
        type(fitted).load(tmp_path)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda cls: cls.name)
def test_predict_before_fit_raises(backend):
    with pytest.raises(NotFittedError, match="not fitted"):
        backend().predict_proba(["The raven spoke."])
