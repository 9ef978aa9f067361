"""Why a sentence got its label: the words that pushed it towards each label.

The reasons are read off a model that is linear in what it counts, so they are what
that model really computes, not a guess from outside:

- `nblr` (preferred): the word n-gram part of NB-LR's one-vs-rest scores. Each word
  n-gram present adds (its TF-IDF value) x (its NB-scaled weight for the label) to
  that label's score; an n-gram's share is split evenly among its words, so a
  sentence's word scores add up to exactly the word n-grams' part of each label's
  score. The character n-grams and the intercept, the rest of the score, are left out
  as no reader can check them.
- `lm` (when the model has no NB-LR): the per-word log-likelihood ratios of the word
  language models: log P(word | the words before it) under the label's models minus
  its mean over the labels, summed over the word models (orders 1-3 by default). They
  add up to the word models' ratios the calibration and the stack read; the end-of-
  sentence symbol and the character models are left out.

Either way these explain one base model of the stack, which the explanation names;
the probabilities shown beside them are the whole model's. To explain sentences the
model was trained on (the report's worst errors), `held_out_word_models` fits the word
language models on the other rows only, so no sentence explains itself. Word scores are kept per
token and per label; `Explanation.reasons` sums them per distinct word and keeps the
ones that pushed towards a label.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .tokenize import TOKEN_RE, tokenize

SOURCES = ("nblr", "lm")  # models whose reasons can be read off, in order of preference
SOURCE_NAMES = {
    "nblr": "word n-grams of the NB-LR model (TF-IDF value x weight in each label's one-vs-rest score, shared among the n-gram's words)",
    "lm": "per-word log-likelihood ratios of the word language models (the label's log-probability of the word minus the mean over labels)",
    "held-out lm": "per-word log-likelihood ratios of word language models fitted on the other training rows (the label's log-probability of the word minus the mean over labels)",
}
# One colour per label, cycled for more labels: terminal colour names (click.style) and HTML backgrounds.
TERMINAL_COLOURS = ("red", "blue", "green", "magenta", "cyan", "yellow", "bright_red", "bright_blue", "bright_green", "bright_magenta")
MIN_SCORE = 0.005  # a push smaller than two decimals can show is no reason
HTML_COLOURS = ("#f7b6b6", "#b6cff7", "#b9f0c0", "#e3c1f5", "#b3eef0", "#f5e7a8", "#f8cfa6", "#d6d6d6", "#c8e6a0", "#f5b8dc")


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
                label: [{"token": t, "score": round(s, 4)} for t, s in self.reasons(k, top)] for k, label in enumerate(self.labels)
            },
            "tokens": [
                {"token": token, "start": start, "end": end, "scores": dict(zip(self.labels, np.round(row, 4).tolist()))}
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


def source_of(models: Sequence[str]) -> str:
    """The model to take reasons from: the first of SOURCES among `models`."""
    for name in SOURCES:
        if name in models:
            return name
    raise ValueError(f"explanations need the nblr or lm model, and this model has only {', '.join(models)}; refit with --models ...,nblr")


def explain(backend, texts: Sequence[str], labels: Sequence[str]) -> list[Explanation]:
    """One Explanation per text, from a fitted NBLRBackend, LMBackend or `held_out_word_models`
    whose class ids index `labels`."""
    from .lm import AuthorModels, LMBackend
    from .nblr import NBLRBackend

    texts = list(texts)
    if isinstance(backend, NBLRBackend):
        source, scores = "nblr", nblr_token_scores(backend, texts)
    elif isinstance(backend, LMBackend):
        source, scores = "lm", lm_token_scores(backend.models_, texts)
    elif isinstance(backend, AuthorModels):
        source, scores = "held-out lm", lm_token_scores(backend, texts)
    else:
        raise ValueError(f"cannot explain a {type(backend).__name__}; explanations come from nblr or lm")
    explanations = []
    for text, score in zip(texts, scores):
        tokens, spans = token_spans(text)
        explanations.append(Explanation(text, tuple(map(str, labels)), tuple(tokens), tuple(spans), score, source))
    return explanations


def held_out_word_models(texts: Sequence[str], y: np.ndarray, n_classes: int, config=None):
    """Word language models (AuthorModels) of `config` (an LMConfig; default LMConfig()) fitted on
    `texts` with class ids `y` alone: seconds, as only n-grams are counted."""
    from .config import LMConfig
    from .lm import AuthorModels, split_units

    config = config or LMConfig()
    config = config.replace(char_orders=(), word_orders=config.word_orders or LMConfig().word_orders)
    return AuthorModels.fit(split_units(list(texts), config.lowercase_chars), np.asarray(y), config, n_classes)


def nblr_token_scores(backend, texts: list[str]) -> list[np.ndarray]:
    """Per text, each token's share of the word n-grams' part of NB-LR's label scores: (n_tokens, n_labels)."""
    words = backend.vectorizers_[0]
    x = words.transform(texts).tocsr()
    weights = backend.weights_[:, : len(words.vocabulary_)]
    low, high = words.ngram_range
    out = []
    for row, text in enumerate(texts):
        tokens = tokenize(text)
        start, end = x.indptr[row], x.indptr[row + 1]
        value = dict(zip(x.indices[start:end], x.data[start:end]))
        # Where each n-gram occurs: its value is shared among its occurrences, then among its words.
        places: dict[int, list[tuple[int, int]]] = {}
        for n in range(low, high + 1):
            for i in range(len(tokens) - n + 1):
                j = words.vocabulary_.get(" ".join(tokens[i : i + n]))
                if j is not None and j in value:
                    places.setdefault(j, []).append((i, n))
        scores = np.zeros((len(tokens), len(weights)))
        for j, occurrences in places.items():
            share = value[j] * weights[:, j] / len(occurrences)
            for i, n in occurrences:
                scores[i : i + n] += share / n
        out.append(scores)
    return out


def lm_token_scores(models, texts: list[str]) -> list[np.ndarray]:
    """Per text, each token's log-likelihood ratio summed over the word language models of
    `models` (an lm.AuthorModels): (n_tokens, n_labels)."""
    word_lists = [tokenize(text) for text in texts]
    sequences = models.tables["word"].encode(word_lists)
    total = None
    for unit, model in zip(models.units, models.models):
        if unit != "word":
            continue
        codes, _ = sequences.ngram_codes(model.order, model.n_ids)
        log_p = np.log(model.conditional(codes))
        ratio = log_p - log_p.mean(axis=1, keepdims=True)
        total = ratio if total is None else total + ratio
    if total is None:
        raise ValueError("the lm model has no word language models (word_orders is empty); nothing readable to explain")
    # Positions run sentence by sentence, each sentence's words then its end-of-sentence symbol.
    out, start = [], 0
    for words in word_lists:
        out.append(total[start : start + len(words)])
        start += len(words) + 1
    return out


def terminal_lines(explanation: Explanation, proba: np.ndarray, top: int = 3, colour: bool = False) -> list[str]:
    """The sentence (its reasons coloured by label when `colour`), then one line per label:
    its probability and the words that pushed towards it."""
    import click

    labels = explanation.labels
    best = int(np.argmax(proba))
    width = max(map(len, labels))
    paint = (lambda text, k, **kw: click.style(text, fg=TERMINAL_COLOURS[k % len(TERMINAL_COLOURS)], **kw)) if colour else (lambda text, k, **kw: text)
    lines = [f"{paint(labels[best], best, bold=True)} {proba[best]:.3f}  {_highlighted(explanation, top, paint)}"]
    for k, label in enumerate(labels):
        reasons = explanation.reasons(k, top)
        said = "  ".join(f"{paint(token, k)} {score:+.2f}" for token, score in reasons) or "(no word pushed towards it)"
        lines.append(f"  {paint(f'{label:<{width}}', k, bold=k == best)} {proba[k]:.3f}  {said}")
    return lines


def html_highlighted(explanation: Explanation, label_indices: Sequence[int], top: int = 3) -> str:
    """The sentence as HTML, the top reasons of each label in `label_indices` marked in its colour."""

    def paint(text: str, k: int, **_) -> str:
        colour = HTML_COLOURS[k % len(HTML_COLOURS)]
        return f"<mark style='background:{colour}' title='{html.escape(explanation.labels[k])}'>{text}</mark>"

    return _highlighted(explanation, top, paint, labels=label_indices, escape=html.escape)


def html_label(label: str, k: int) -> str:
    """A label name in its highlighting colour, for legends and table cells."""
    return f"<mark style='background:{HTML_COLOURS[k % len(HTML_COLOURS)]}'>{html.escape(label)}</mark>"


def _highlighted(explanation: Explanation, top: int, paint, labels: Sequence[int] | None = None, escape=lambda s: s) -> str:
    """The sentence with each token that is a top reason of a label painted in that label's
    colour (the label it pushed hardest towards, among `labels`, default all)."""
    labels = range(len(explanation.labels)) if labels is None else labels
    reason_of = {k: {token for token, _ in explanation.reasons(k, top)} for k in labels}
    text, pieces, at = explanation.text, [], 0
    for i, (token, (start, end)) in enumerate(zip(explanation.tokens, explanation.spans)):
        candidates = [k for k in labels if token in reason_of[k]]
        if not candidates or end <= start:
            continue
        k = max(candidates, key=lambda c: explanation.scores[i, c])
        pieces += [escape(text[at:start]), paint(escape(text[start:end]), k)]
        at = end
    pieces.append(escape(text[at:]))
    return "".join(pieces)
