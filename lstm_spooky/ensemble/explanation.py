"""Why a sentence got its label: the words that pushed it towards each label.

The reasons are read off a base model that is linear in what it counts, so they are what
that model really computes, not a guess from outside: its `token_scores` (models/base.py's
`TokenScores`; NB-LR's word n-gram weights, or the word language models' per-word
likelihood ratios). The registry names the models that can explain, in order of preference
(`registry.explaining_model`), and what their scores mean.

These explain one base model of the stack, which the explanation names; the probabilities
shown beside them are the whole model's. To explain sentences the model was trained on (the
report's worst errors), `lm.held_out_word_models` fits word language models on the other
rows only, so no sentence explains itself. Scores are kept per token and per label;
`Explanation.reasons` sums them per distinct word and keeps the ones that pushed towards a
label. ui/highlight.py draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import registry
from ..models.base import TokenScores
from ..text.tokenize import TOKEN_RE, tokenize

HELD_OUT_LM = "held-out lm"  # the report's word models, fitted without the sentences they explain
MIN_SCORE = 0.005  # a push smaller than two decimals can show is no reason


def source_description(source: str) -> str:
    """What the scores of `source` (a model's name, or HELD_OUT_LM) are, in words."""
    if source == HELD_OUT_LM:
        return (
            "per-word log-likelihood ratios of word language models fitted on the other training rows "
            "(the label's log-probability of the word minus the mean over labels)"
        )
    return registry.entry(source).explains


@dataclass(frozen=True)
class Explanation:
    """One sentence's tokens and how far each pushed it towards each label.

    scores : ndarray of shape (n_tokens, n_labels)
    spans : each token's (start, end) in `text`, for highlighting
    """

    text: str
    labels: tuple[str, ...]
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    scores: np.ndarray
    source: str

    def reasons(self, label: int, top: int = 3) -> list[tuple[str, float]]:
        """The `top` distinct words that pushed most towards label index `label`, strongest first,
        each with its summed score; only words that pushed towards it (score >= MIN_SCORE).

        A word that also pushed, and harder, towards another label is still listed here:
        this is what the model holds for this label.
        """
        totals: dict[str, float] = {}
        for token, score in zip(self.tokens, self.scores[:, label]):
            totals[token] = totals.get(token, 0.0) + float(score)
        ranked = sorted(((t, s) for t, s in totals.items() if s >= MIN_SCORE), key=lambda item: -item[1])
        return ranked[:top]

    def to_dict(self, top: int = 3) -> dict:
        """JSON-ready: the source, each label's top reasons, every token's span and scores."""
        return {
            "source": self.source,
            "reasons": {
                label: [{"token": t, "score": round(s, 4)} for t, s in self.reasons(k, top)]
                for k, label in enumerate(self.labels)
            },
            "tokens": [
                {
                    "token": token,
                    "start": start,
                    "end": end,
                    "scores": dict(zip(self.labels, np.round(row, 4).tolist())),
                }
                for token, (start, end), row in zip(self.tokens, self.spans, self.scores)
            ],
        }


def token_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The project tokenizer's tokens (lowercased) and where each stands in `text`.

    >>> token_spans("It's late;")
    (['it', "'s", 'late', ';'], [(0, 2), (2, 4), (5, 9), (9, 10)])
    """
    matches = list(TOKEN_RE.finditer(text))
    tokens = [m.group(0).lower() for m in matches]
    if tokens != tokenize(text):  # lowercasing changed a length (rare Unicode): no spans to trust
        tokens = tokenize(text)
        return tokens, [(0, 0)] * len(tokens)
    return tokens, [m.span() for m in matches]


def explain(model: TokenScores, texts: Sequence[str], labels: Sequence[str], source: str) -> list[Explanation]:
    """One Explanation per text, from the token scores of `model` (whose class ids index `labels`),
    named after `source`: the model's name in the registry, or HELD_OUT_LM."""
    texts = list(texts)
    explanations = []
    for text, score in zip(texts, model.token_scores(texts)):
        tokens, spans = token_spans(text)
        explanations.append(Explanation(text, tuple(map(str, labels)), tuple(tokens), tuple(spans), score, source))
    return explanations
