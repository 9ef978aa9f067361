"""The contract every registered n-gram base model keeps (models/base.py): probabilities, stack features,
learning, save/load, errors. The networks keep it too, in test_bilstm.py and test_tinybert.py."""

import json

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from lstm_spooky import SpookyConfig
from lstm_spooky.data.labels import encode_labels
from lstm_spooky.ensemble.stack import stack_features
from lstm_spooky.models.base import BaseModel
from lstm_spooky.models.registry import MODELS
from tests.conftest import make_corpus

TRAIN = make_corpus()
HELD_OUT = make_corpus(60, seed=1)
# Every registered model that is not a network, as SpookyConfig configures it.
MAKE_UNFITTED = {
    name: (lambda entry=entry: entry.make(SpookyConfig())) for name, entry in MODELS.items() if not entry.network
}


@pytest.fixture(scope="module", params=sorted(MAKE_UNFITTED))
def fitted(request):
    return MAKE_UNFITTED[request.param]().fit(TRAIN["text"].tolist(), encode_labels(TRAIN["author"]))


def test_a_registered_model_keeps_the_base_model_protocol(fitted):
    assert isinstance(fitted, BaseModel)


def test_predict_proba_gives_one_probability_row_per_sentence(fitted):
    proba = fitted.predict_proba(HELD_OUT["text"].tolist())
    assert proba.shape == (len(HELD_OUT), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((proba > 0) & (proba < 1)).all()


def test_stack_features_are_finite_and_fixed_in_width(fitted):
    short, long = (
        stack_features(fitted, HELD_OUT["text"].tolist()[:3]),
        stack_features(fitted, ["A"] + HELD_OUT["text"].tolist()),
    )
    assert short.shape[1] == long.shape[1] and len(long) == len(HELD_OUT) + 1
    assert np.isfinite(long).all()


def test_learns_the_synthetic_authors(fitted):
    for corpus in (TRAIN, HELD_OUT):
        predicted = fitted.predict_proba(corpus["text"].tolist()).argmax(axis=1)
        assert np.mean(predicted == encode_labels(corpus["author"])) > 0.8


def test_save_then_load_predicts_identically(fitted, tmp_path):
    fitted.save(tmp_path)
    loaded = type(fitted).load(tmp_path)
    assert loaded.config == fitted.config
    texts = HELD_OUT["text"].tolist() + ["A sentence of words it never saw: zyzzyva, ñ!"]
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(stack_features(loaded, texts), stack_features(fitted, texts), rtol=1e-12, atol=1e-12)


def test_load_rejects_another_format_version(fitted, tmp_path):
    fitted.save(tmp_path)
    meta = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**meta, "format_version": 999}))
    with pytest.raises(ValueError, match="format 999 is not supported"):
        type(fitted).load(tmp_path)


@pytest.mark.parametrize("name", sorted(MAKE_UNFITTED))
def test_predict_before_fit_raises(name):
    with pytest.raises(NotFittedError, match="not fitted"):
        MAKE_UNFITTED[name]().predict_proba(["The raven spoke."])
