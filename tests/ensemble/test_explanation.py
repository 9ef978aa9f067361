"""Explanations: the words a model really weighs, per label."""

import numpy as np
import pytest

from lstm_spooky.data.labels import AUTHORS, encode_labels
from lstm_spooky.ensemble.explanation import HELD_OUT_LM, explain, token_spans
from lstm_spooky.models.lm import LMModel, held_out_word_models
from lstm_spooky.models.nblr import NBLRModel
from lstm_spooky.models.registry import explaining_model
from tests.conftest import MARKER, PROBE, planted_corpus

CORPUS = planted_corpus()
Y = encode_labels(CORPUS["author"])


@pytest.mark.parametrize(
    "fit, source",
    [
        (lambda: NBLRModel().fit(CORPUS["text"].tolist(), Y), "nblr"),
        (lambda: LMModel().fit(CORPUS["text"].tolist(), Y), "lm"),
        (lambda: held_out_word_models(CORPUS["text"].tolist(), Y, 3), HELD_OUT_LM),
    ],
    ids=["nblr", "lm", "held-out lm"],
)
def test_a_planted_marker_word_is_the_top_reason_for_its_label(fit, source):
    (explanation,) = explain(fit(), [PROBE], AUTHORS, source)
    assert explanation.reasons(AUTHORS.index("HPL"))[0][0] == MARKER
    for other in ("EAP", "MWS"):
        assert MARKER not in dict(explanation.reasons(AUTHORS.index(other)))


def test_nblr_word_scores_add_up_to_the_word_ngrams_part_of_each_label_score():
    backend = NBLRModel().fit(CORPUS["text"].tolist(), Y)
    texts = [PROBE, "The raven ; the raven ; end.", "Zyzzyva!"]
    words = backend.vectorizers_[0]
    part = np.asarray(words.transform(texts) @ backend.weights_[:, : len(words.vocabulary_)].T)
    sums = np.array([scores.sum(axis=0) for scores in backend.token_scores(texts)])
    np.testing.assert_allclose(sums, part, atol=1e-12)


def test_token_spans_point_into_the_original_text():
    text = "The Raven -- it's nevermore; ÆNEAS."
    tokens, spans = token_spans(text)
    assert [text[a:b].lower() for a, b in spans] == tokens


def test_the_source_is_nblr_then_lm_and_otherwise_an_error():
    assert explaining_model(["bilstm", "lm", "nblr"]) == "nblr"
    assert explaining_model(["bilstm", "lm"]) == "lm"
    with pytest.raises(ValueError, match="explanations need one of the models nblr, lm"):
        explaining_model(["bilstm"])
