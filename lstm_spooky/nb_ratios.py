"""Naive Bayes log-count ratios per token: what each word and word pair says of each label.

For every word n-gram order n (1 and 2 by default), the n-grams of the training sentences
are counted per class, and n-gram g gets one centred log-count ratio per class c:

    r_c(g) = log((count_c(g) + alpha) / (total_c + alpha * V)) - mean over classes of the same

(V: distinct n-grams seen). Each token of a sentence then carries, per order, the ratios of
the n-gram that ends at it; an n-gram the training rows never contained carries zeros. The
BiLSTM reads these next to its word embeddings, so a rare word or word pair that a word-id
embedding cannot learn from a handful of sentences still brings its evidence, and the
network learns how much to trust it in context.

Honesty, as in scikit-learn's TargetEncoder: ratios are counted on training rows only, and
`fit_transform` gives each training row ratios counted on the *other* training rows (k
parts), or the network would learn to trust ratios that already contain the row's own
label. Rows the model predicts (validation, held-out fold, new sentences) get the ratios
of all training rows (`transform`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

FORMAT_VERSION = 1
META_FILE, TABLES_FILE = "nb-ratios.json", "nb-ratios.npz"


def ngrams_ending_at(tokens: Sequence[str], order: int) -> list[str | None]:
    """The n-gram of `order` tokens that ends at each position, None where it would start before the sentence.

    The readable definition; `_Occurrences` finds the same n-grams for many sentences at once
    (tests hold the two together).

    >>> ngrams_ending_at(["the", "raven", "spoke"], 2)
    [None, 'the raven', 'raven spoke']
    """
    return [None if j < order - 1 else " ".join(tokens[j - order + 1 : j + 1]) for j in range(len(tokens))]


def centred_log_ratios(counts: np.ndarray, alpha: float) -> np.ndarray:
    """Centred smoothed log-probabilities of each column's n-gram per class: (n_classes, n) -> (n, n_classes).

    Columns never seen (all counts zero) get zeros: no evidence either way. Stored as float16:
    half the size on disk, and its three significant digits are far finer than the evidence is sure.
    """
    seen = counts.sum(axis=0) > 0
    totals = counts.sum(axis=1, keepdims=True)
    log_p = np.log((counts + alpha) / (totals + alpha * max(int(seen.sum()), 1)))
    ratios = (log_p - log_p.mean(axis=0, keepdims=True)).T
    ratios[~seen] = 0.0
    return ratios.astype(np.float16)


class _Occurrences:
    """Where the n-grams of one order occur in some sentences: parallel arrays of
    sentence row, token position and n-gram column (n-grams outside the index are left out)."""

    def __init__(self, token_lists: Sequence[Sequence[str]], order: int, index: dict[str, int], grow: bool = False):
        # All sentences' tokens in one list, each n-gram joined where it ends, and those that
        # would start in the sentence before masked out: the same n-grams as `ngrams_ending_at`
        # per sentence, without a Python loop per sentence (twice as fast, which `submit` feels:
        # every fold network looks up every sentence).
        self.lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
        flat = [token for tokens in token_lists for token in tokens]
        sentence = np.repeat(np.arange(len(self.lengths)), self.lengths)
        position = np.arange(len(flat)) - np.repeat(np.cumsum(self.lengths) - self.lengths, self.lengths)
        ends = np.arange(order - 1, len(flat))  # where an n-gram can end
        whole = position[ends] >= order - 1  # and starts in the same sentence
        ngrams = flat if order == 1 else map(" ".join, zip(*(flat[i : len(flat) - order + 1 + i] for i in range(order))))
        if grow:
            found = [index.setdefault(ngram, len(index)) if ok else -1 for ngram, ok in zip(ngrams, whole)]
        else:
            found = [index.get(ngram, -1) if ok else -1 for ngram, ok in zip(ngrams, whole)]
        columns = np.array(found, dtype=np.int64)
        keep = columns >= 0
        self.rows, self.positions, self.columns = sentence[ends][keep], position[ends][keep], columns[keep]

    def class_counts(self, y: np.ndarray, n_classes: int, n_columns: int, keep: np.ndarray | None = None) -> np.ndarray:
        """Counts of shape (n_classes, n_columns) over the sentences where `keep` (a row mask) holds."""
        mask = np.ones(len(self.rows), dtype=bool) if keep is None else keep[self.rows]
        flat = y[self.rows[mask]] * n_columns + self.columns[mask]
        return np.bincount(flat, minlength=n_classes * n_columns).reshape(n_classes, n_columns).astype(np.float64)

    def lookup(self, out: np.ndarray, table: np.ndarray, block: slice, rows: np.ndarray | None = None) -> None:
        """Write table[column] at each occurrence into `out` (n_samples, max_len, features), aligned with
        Vocabulary.encode_batch: the first max_len tokens kept, padded on the left. `rows` limits it to those sentences."""
        max_len = out.shape[1]
        mask = self.positions < max_len
        if rows is not None:
            selected = np.zeros(len(self.lengths), dtype=bool)
            selected[rows] = True
            mask &= selected[self.rows]
        offsets = max_len - np.minimum(self.lengths, max_len)
        r, p, c = self.rows[mask], self.positions[mask], self.columns[mask]
        out[r, offsets[r] + p, block] = table[c]


class NBTokenRatios:
    """Per-class log-count ratios of word n-grams, looked up at every token of a sentence."""

    def __init__(self, orders: Sequence[int] = (1, 2), alpha: float = 1.0):
        self.orders = tuple(orders)
        self.alpha = alpha

    @property
    def n_features(self) -> int:
        """Values per token: one per class and order."""
        return self.n_classes_ * len(self.orders)

    def fit(self, token_lists: Sequence[Sequence[str]], y: np.ndarray, n_classes: int) -> "NBTokenRatios":
        """Count every order's n-grams per class over `token_lists` (class ids `y`)."""
        self._fit(token_lists, np.asarray(y), n_classes)
        return self

    def fit_transform(
        self, token_lists: Sequence[Sequence[str]], y: np.ndarray, n_classes: int, max_len: int, folds: int = 5, seed: int = 0
    ) -> np.ndarray:
        """`fit`, then the fitted rows' own ratios, each of `folds` parts counted on the other parts only.

        Shape (n_samples, max_len, n_features), as `transform`. An n-gram seen in a row's part only
        gets zeros there, as an unseen one does.
        """
        y = np.asarray(y)
        occurrences = self._fit(token_lists, y, n_classes)
        out = np.zeros((len(token_lists), max_len, self.n_features), dtype=np.float32)
        parts = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
        for _, part in parts:
            others = np.ones(len(y), dtype=bool)
            others[part] = False
            for block, (found, index) in enumerate(zip(occurrences, self.index_)):
                table = centred_log_ratios(found.class_counts(y, n_classes, len(index), keep=others), self.alpha)
                found.lookup(out, table, self._block(block), rows=part)
        return out

    def transform(self, token_lists: Sequence[Sequence[str]], max_len: int) -> np.ndarray:
        """Ratios at each token, shape (n_samples, max_len, n_classes * len(orders)), float32.

        Aligned with `Vocabulary.encode_batch`: the first `max_len` tokens, padded on the left.
        """
        out = np.zeros((len(token_lists), max_len, self.n_features), dtype=np.float32)
        for block, (order, index, table) in enumerate(zip(self.orders, self.index_, self.ratios_)):
            _Occurrences(token_lists, order, index).lookup(out, table, self._block(block))
        return out

    def save(self, directory: Path) -> None:
        """A small JSON of settings, and one compressed NumPy archive of each order's n-grams and ratios.

        The n-grams are stored as one newline-separated UTF-8 text (tokens hold no whitespace), in
        column order: about a fifth of the size of a JSON list of half a million strings.
        """
        meta = {"format_version": FORMAT_VERSION, "orders": list(self.orders), "alpha": self.alpha, "n_classes": self.n_classes_}
        (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        tables = {}
        for order, index, ratios in zip(self.orders, self.index_, self.ratios_):
            tables[f"ngrams_{order}"] = np.frombuffer("\n".join(index).encode("utf-8"), dtype=np.uint8)  # dicts keep column order
            tables[f"ratios_{order}"] = ratios
        np.savez_compressed(directory / TABLES_FILE, **tables)

    @classmethod
    def load(cls, directory: Path) -> "NBTokenRatios":
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory / META_FILE}: format {meta.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")
        ratios = cls(meta["orders"], meta["alpha"])
        ratios.n_classes_ = meta["n_classes"]
        ratios.index_, ratios.ratios_ = [], []
        with np.load(directory / TABLES_FILE) as saved:
            for order in ratios.orders:
                text = saved[f"ngrams_{order}"].tobytes().decode("utf-8")
                ratios.index_.append({ngram: i for i, ngram in enumerate(text.split("\n"))} if text else {})
                ratios.ratios_.append(saved[f"ratios_{order}"])
        return ratios

    def _fit(self, token_lists, y, n_classes) -> list[_Occurrences]:
        self.n_classes_ = n_classes
        self.index_ = [{} for _ in self.orders]
        occurrences = [_Occurrences(token_lists, order, index, grow=True) for order, index in zip(self.orders, self.index_)]
        self.ratios_ = [
            centred_log_ratios(found.class_counts(y, n_classes, len(index)), self.alpha)
            for found, index in zip(occurrences, self.index_)
        ]
        return occurrences

    def _block(self, block: int) -> slice:
        return slice(block * self.n_classes_, (block + 1) * self.n_classes_)
