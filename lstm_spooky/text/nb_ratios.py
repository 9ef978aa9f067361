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

FORMAT_VERSION = 2  # 2: n-grams stored and searched as integer codes of their tokens' ids
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
    """Where the n-grams of one order occur in some sentences: parallel arrays of sentence row,
    token position and n-gram code, for every n-gram whose tokens all have ids.

    A sentence's tokens are given as ids (-1 for a token without one), all sentences in one
    flat array; an n-gram's code is its tokens' ids as the digits of a base-`n_ids` number,
    so n-grams are found with NumPy sorting and searching instead of a string and a Python
    dict look-up each (`submit`'s five fold networks look up every sentence).
    """

    def __init__(self, ids: np.ndarray, lengths: np.ndarray, order: int, n_ids: int):
        self.lengths = lengths
        sentence = np.repeat(np.arange(len(lengths)), lengths)
        position = np.arange(len(ids)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        ends = np.flatnonzero(position >= order - 1)  # where an n-gram ends that starts in its sentence
        codes, known = np.zeros(len(ends), dtype=np.int64), np.ones(len(ends), dtype=bool)
        for back in range(order - 1, -1, -1):
            token = ids[ends - back]
            codes = codes * n_ids + token
            known &= token >= 0
        self.rows, self.positions, self.codes = sentence[ends][known], position[ends][known], codes[known]

    def columns_in(self, keys: np.ndarray) -> np.ndarray:
        """Each occurrence's row in the sorted n-gram codes `keys`, -1 where its n-gram is not there."""
        if len(keys) == 0:
            return np.full(len(self.codes), -1)
        row = np.minimum(np.searchsorted(keys, self.codes), len(keys) - 1)
        return np.where(keys[row] == self.codes, row, -1)

    def class_counts(
        self, columns: np.ndarray, y: np.ndarray, n_classes: int, n_columns: int, keep: np.ndarray | None = None
    ) -> np.ndarray:
        """Counts of shape (n_classes, n_columns) over the sentences where `keep` (a row mask) holds."""
        mask = np.ones(len(self.rows), dtype=bool) if keep is None else keep[self.rows]
        flat = y[self.rows[mask]] * n_columns + columns[mask]
        return np.bincount(flat, minlength=n_classes * n_columns).reshape(n_classes, n_columns).astype(np.float64)

    def lookup(
        self, out: np.ndarray, table: np.ndarray, columns: np.ndarray, block: slice, rows: np.ndarray | None = None
    ) -> None:
        """Write table[column] at each occurrence with a column (>= 0) into `out` (n_samples, max_len, features),
        aligned with Vocabulary.encode_batch: the first max_len tokens kept, padded on the left. `rows`
        limits it to those sentences."""
        max_len = out.shape[1]
        mask = (self.positions < max_len) & (columns >= 0)
        if rows is not None:
            selected = np.zeros(len(self.lengths), dtype=bool)
            selected[rows] = True
            mask &= selected[self.rows]
        offsets = max_len - np.minimum(self.lengths, max_len)
        r, p, c = self.rows[mask], self.positions[mask], columns[mask]
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

    def fit(self, token_lists: Sequence[Sequence[str]], y: np.ndarray, n_classes: int) -> NBTokenRatios:
        """Count every order's n-grams per class over `token_lists` (class ids `y`)."""
        self._fit(token_lists, np.asarray(y), n_classes)
        return self

    def fit_transform(
        self,
        token_lists: Sequence[Sequence[str]],
        y: np.ndarray,
        n_classes: int,
        max_len: int,
        folds: int = 5,
        seed: int = 0,
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
            for block, ((found, columns), keys) in enumerate(zip(occurrences, self.keys_)):
                table = centred_log_ratios(
                    found.class_counts(columns, y, n_classes, len(keys), keep=others), self.alpha
                )
                found.lookup(out, table, columns, self._block(block), rows=part)
        return out

    def transform(self, token_lists: Sequence[Sequence[str]], max_len: int) -> np.ndarray:
        """Ratios at each token, shape (n_samples, max_len, n_classes * len(orders)), float32.

        Aligned with `Vocabulary.encode_batch`: the first `max_len` tokens, padded on the left.
        """
        out = np.zeros((len(token_lists), max_len, self.n_features), dtype=np.float32)
        ids, lengths = self._token_ids(token_lists)
        for block, (order, keys, table) in enumerate(zip(self.orders, self.keys_, self.ratios_)):
            found = _Occurrences(ids, lengths, order, len(self.tokens_))
            found.lookup(out, table, found.columns_in(keys), self._block(block))
        return out

    def save(self, directory: Path) -> None:
        """A small JSON of settings, and one compressed NumPy archive of the tokens, each order's
        n-gram codes and their ratios.

        The tokens are stored as one newline-separated UTF-8 text (tokens hold no whitespace), in
        id order; an n-gram is its code, so no n-gram is written out as text.
        """
        meta = {
            "format_version": FORMAT_VERSION,
            "orders": list(self.orders),
            "alpha": self.alpha,
            "n_classes": self.n_classes_,
        }
        (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        tables = {"tokens": np.frombuffer("\n".join(self.tokens_).encode("utf-8"), dtype=np.uint8)}
        for order, keys, ratios in zip(self.orders, self.keys_, self.ratios_):
            tables[f"keys_{order}"], tables[f"ratios_{order}"] = keys, ratios
        np.savez_compressed(directory / TABLES_FILE, **tables)

    @classmethod
    def load(cls, directory: Path) -> NBTokenRatios:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{directory / META_FILE}: format {meta.get('format_version')!r} is not supported "
                f"(expected {FORMAT_VERSION})"
            )
        ratios = cls(meta["orders"], meta["alpha"])
        ratios.n_classes_ = meta["n_classes"]
        with np.load(directory / TABLES_FILE) as saved:
            text = saved["tokens"].tobytes().decode("utf-8")
            ratios._index_tokens(text.split("\n") if text else [])
            ratios.keys_ = [saved[f"keys_{order}"] for order in ratios.orders]
            ratios.ratios_ = [saved[f"ratios_{order}"] for order in ratios.orders]
        return ratios

    def _index_tokens(self, tokens: list[str]) -> None:
        """The training rows' distinct tokens, in id order, and their ids."""
        self.tokens_ = tokens
        self._ids = dict(zip(tokens, range(len(tokens))))

    def _fit(self, token_lists, y, n_classes) -> list[tuple[_Occurrences, np.ndarray]]:
        """Build the token ids and every order's tables; each order's occurrences and their columns."""
        self.n_classes_ = n_classes
        self._index_tokens(list(dict.fromkeys(token for tokens in token_lists for token in tokens)))
        n_ids = max(len(self.tokens_), 1)
        if self.orders and n_ids ** max(self.orders) >= 2**63:
            raise ValueError(
                f"{n_ids} distinct tokens to the power {max(self.orders)} overflow int64 n-gram codes; lower nb_orders"
            )
        ids, lengths = self._token_ids(token_lists)
        occurrences, self.keys_ = [], []
        for order in self.orders:
            found = _Occurrences(ids, lengths, order, n_ids)
            keys, columns = np.unique(found.codes, return_inverse=True)  # keys sorted, as columns_in searches them
            occurrences.append((found, columns.reshape(-1)))
            self.keys_.append(keys)
        self.ratios_ = [
            centred_log_ratios(found.class_counts(columns, y, n_classes, len(keys)), self.alpha)
            for (found, columns), keys in zip(occurrences, self.keys_)
        ]
        return occurrences

    def _token_ids(self, token_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """All sentences' token ids in one flat array (-1 for tokens the training rows never had), and
        each sentence's length."""
        lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
        get = self._ids.get
        ids = np.fromiter(
            (get(token, -1) for tokens in token_lists for token in tokens), dtype=np.int64, count=int(lengths.sum())
        )
        return ids, lengths

    def _block(self, block: int) -> slice:
        return slice(block * self.n_classes_, (block + 1) * self.n_classes_)
