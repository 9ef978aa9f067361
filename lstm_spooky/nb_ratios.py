"""Naive Bayes log-count ratios per token: what each word and word pair says of each label.

For every word n-gram order n (1 and 2 by default), the n-grams of the training sentences
are counted per class, and n-gram g gets one centred log-count ratio per class c:

    r_c(g) = log((count_c(g) + alpha) / (total_c + alpha * V)) - mean over classes of the same

(V: distinct n-grams seen). Each token of a sentence then carries, per order, the ratios of
the n-gram that ends at it; an n-gram the training rows never contained carries zeros. The
BiLSTM reads these next to its word embeddings, so a rare word or word pair that a word-id
embedding cannot learn from a handful of sentences still brings its evidence, and the
network learns how much to trust it in context.

Honesty: ratios are counted on training rows only. A training row's own ratios come from
the other training rows (`cross_fit_transform`, k parts), or the network would learn to
trust ratios that already contain its own label; rows the model predicts (validation,
held-out fold, new sentences) get the ratios of all training rows (`transform`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import StratifiedKFold

FORMAT_VERSION = 1
NGRAMS_FILE, RATIOS_FILE = "nb-ngrams.json", "nb-ratios.npz"


def ngrams_ending_at(tokens: Sequence[str], order: int) -> list[str | None]:
    """The n-gram of `order` tokens that ends at each position, None where it would start before the sentence.

    >>> ngrams_ending_at(["the", "raven", "spoke"], 2)
    [None, 'the raven', 'raven spoke']
    """
    return [None if j < order - 1 else " ".join(tokens[j - order + 1 : j + 1]) for j in range(len(tokens))]


def centred_log_ratios(counts: np.ndarray, alpha: float) -> np.ndarray:
    """Centred smoothed log-probabilities of each column's n-gram per class: (n_classes, n) -> (n, n_classes).

    Columns never seen (all counts zero) get zeros: no evidence either way.
    """
    seen = counts.sum(axis=0) > 0
    totals = counts.sum(axis=1, keepdims=True)
    log_p = np.log((counts + alpha) / (totals + alpha * max(int(seen.sum()), 1)))
    ratios = (log_p - log_p.mean(axis=0, keepdims=True)).T
    ratios[~seen] = 0.0
    return ratios.astype(np.float32)


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
        self.n_classes_ = n_classes
        counted = self._class_counts(token_lists, y, n_classes)
        self.index_ = [index for index, _ in counted]
        self.ratios_ = [centred_log_ratios(counts.toarray(), self.alpha) for _, counts in counted]
        return self

    def transform(self, token_lists: Sequence[Sequence[str]], max_len: int) -> np.ndarray:
        """Ratios at each token, shape (n_samples, max_len, n_classes * len(orders)), float32.

        Aligned with `Vocabulary.encode_batch`: the first `max_len` tokens, padded on the left.
        """
        return self._lookup(token_lists, max_len, self.index_, self.ratios_)

    def cross_fit_transform(
        self, token_lists: Sequence[Sequence[str]], y: np.ndarray, max_len: int, folds: int = 5, seed: int = 0
    ) -> np.ndarray:
        """`transform` of the fitted rows themselves, each part's ratios counted on the other parts only.

        Call after `fit` on the same `token_lists` and `y`.
        """
        out = np.zeros((len(token_lists), max_len, self.n_features), dtype=np.float32)
        counted = self._class_counts(token_lists, y, self.n_classes_)
        indexes = [index for index, _ in counted]
        parts = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
        for _, part in parts:
            part_tokens = [token_lists[i] for i in part]
            # The part's own counts come off the totals: its n-grams keep their columns, and
            # one seen in this part only gets zeros, as an unseen one does.
            ratios = [
                centred_log_ratios((counts - _count_matrix(part_tokens, y[part], self.n_classes_, index, order)).toarray(), self.alpha)
                for order, (index, counts) in zip(self.orders, counted)
            ]
            out[part] = self._lookup(part_tokens, max_len, indexes, ratios)
        return out

    def save(self, directory: Path) -> None:
        ngrams = {str(order): sorted(index, key=index.get) for order, index in zip(self.orders, self.index_)}
        meta = {"format_version": FORMAT_VERSION, "orders": list(self.orders), "alpha": self.alpha, "n_classes": self.n_classes_, "ngrams": ngrams}
        (directory / NGRAMS_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.savez(directory / RATIOS_FILE, **{f"order_{order}": ratios for order, ratios in zip(self.orders, self.ratios_)})

    @classmethod
    def load(cls, directory: Path) -> "NBTokenRatios":
        meta = json.loads((directory / NGRAMS_FILE).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory / NGRAMS_FILE}: format {meta.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")
        ratios = cls(meta["orders"], meta["alpha"])
        ratios.n_classes_ = meta["n_classes"]
        ratios.index_ = [{ngram: i for i, ngram in enumerate(meta["ngrams"][str(order)])} for order in ratios.orders]
        with np.load(directory / RATIOS_FILE) as saved:
            ratios.ratios_ = [saved[f"order_{order}"] for order in ratios.orders]
        return ratios

    def _class_counts(self, token_lists, y, n_classes) -> list[tuple[dict[str, int], sp.csr_matrix]]:
        """Per order: (n-gram -> column, class-by-n-gram counts)."""
        result = []
        for order in self.orders:
            index: dict[str, int] = {}
            for tokens in token_lists:
                for ngram in ngrams_ending_at(tokens, order):
                    if ngram is not None:
                        index.setdefault(ngram, len(index))
            result.append((index, _count_matrix(token_lists, y, n_classes, index, order)))
        return result

    def _lookup(self, token_lists, max_len, indexes, ratios) -> np.ndarray:
        k = self.n_classes_
        out = np.zeros((len(token_lists), max_len, k * len(self.orders)), dtype=np.float32)
        for block, (order, index, table) in enumerate(zip(self.orders, indexes, ratios)):
            rows, positions, columns = [], [], []
            for r, tokens in enumerate(token_lists):
                tokens = list(tokens)[:max_len]
                offset = max_len - len(tokens)
                for j, ngram in enumerate(ngrams_ending_at(tokens, order)):
                    column = index.get(ngram) if ngram is not None else None
                    if column is not None:
                        rows.append(r)
                        positions.append(offset + j)
                        columns.append(column)
            out[rows, positions, block * k : (block + 1) * k] = table[columns]
        return out


def _count_matrix(token_lists, y, n_classes: int, index: dict[str, int], order: int) -> sp.csr_matrix:
    """Class-by-n-gram counts of the n-grams of `token_lists` that `index` holds."""
    rows, columns = [], []
    for tokens, label in zip(token_lists, y):
        for ngram in ngrams_ending_at(list(tokens), order):
            column = index.get(ngram) if ngram is not None else None
            if column is not None:
                rows.append(label)
                columns.append(column)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, columns)), shape=(n_classes, len(index)))
