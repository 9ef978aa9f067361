"""Interpolated Kneser-Ney n-gram language models, one per class, over integer symbols, in NumPy.

`SymbolTable` maps symbols (characters or words) to ids, `Sequences` holds many id sequences
in one flat array, and `KneserNeyLM` counts the n-grams of each class and scores sequences:
P(symbol | history) interpolated from the highest order down to a uniform distribution, with
modified Kneser-Ney discounts per order and class (Chen & Goodman 1998) or one fixed discount.

An n-gram is one int64 (its symbol ids written in base `n_ids`) and every table is a sorted
key array searched with `np.searchsorted`, so scoring 25,000 sentences takes seconds.
It knows nothing of texts, labels or files: models/lm.py turns sentences into symbols, calibrates
the per-class scores and saves the tables. It leaves out pruning, KenLM's special treatment of
n-grams that start a sentence, and other smoothings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Ids every symbol table starts with. BOS only ever appears in histories, never as a
# predicted symbol; UNK stands for any symbol the training text did not contain.
BOS, EOS, UNK = 0, 1, 2
RESERVED = ("<s>", "</s>", "<unk>")


class KneserNeyLM:
    """Interpolated Kneser-Ney n-gram models of one symbol alphabet, one per class.

    Symbols are ints in [0, n_ids): BOS, EOS, UNK, then the alphabet. For every order
    k = 1..order, `keys[k-1]` holds the sorted codes of the k-grams seen in training and
    `counts[k-1]` their per-class counts, shape (n_keys, n_classes): raw counts at the
    highest order, continuation counts (distinct left neighbours) below it.
    """

    def __init__(
        self, order: int, n_ids: int, keys: list[np.ndarray], counts: list[np.ndarray], discount: float | None = None
    ):
        if order < 1 or len(keys) != order or len(counts) != order:
            raise ValueError(f"an order-{order} model needs {order} key and count tables")
        self.order, self.n_ids, self.keys, self.counts, self.discount = order, n_ids, keys, counts, discount
        # Every id but BOS can be predicted; the lowest level of the interpolation is uniform over them.
        self.uniform = 1.0 / (n_ids - 1)
        self._discounts = [self._estimate_discounts(c) for c in counts]
        self._contexts = [self._context_table(k) for k in range(order)]

    @classmethod
    def fit(
        cls,
        sequences: Sequences,
        y: np.ndarray,
        order: int,
        n_ids: int,
        n_classes: int | None = None,
        discount: float | None = None,
    ) -> KneserNeyLM:
        """Count the n-grams of id sequences (without BOS/EOS; they are added here) of classes `y`
        (0 .. n_classes - 1; default: the largest id + 1)."""
        n_classes = int(np.max(y)) + 1 if n_classes is None else n_classes
        if n_ids**order >= 2**63:
            raise ValueError(f"{n_ids} symbols to the power {order} overflow int64 n-gram codes; lower the order")
        codes, owner = sequences.ngram_codes(order, n_ids)
        labels = np.asarray(y)[owner]
        keys_top, row = np.unique(codes, return_inverse=True)
        del codes, owner
        counts_top = np.bincount(row * n_classes + labels, minlength=len(keys_top) * n_classes).reshape(-1, n_classes)
        keys, counts = [keys_top], [counts_top]
        for k in range(order - 1, 0, -1):
            # A k-gram's continuation count: how many distinct symbols precede it, i.e. how
            # many seen (k+1)-grams end with it. BOS padding gives every k-gram a left neighbour.
            suffix = keys[0] % n_ids**k
            keys_k, row = np.unique(suffix, return_inverse=True)
            present = (counts[0] > 0).astype(np.int64)
            counts_k = np.stack(
                [np.bincount(row, weights=present[:, c], minlength=len(keys_k)) for c in range(n_classes)], axis=1
            )
            keys.insert(0, keys_k)
            counts.insert(0, counts_k.astype(np.int64))
        return cls(order, n_ids, keys, counts, discount)

    def log_likelihood(self, sequences: Sequences) -> np.ndarray:
        """Natural-log probability of each whole sequence (EOS included) under each class: (n_sequences, n_classes)."""
        codes, owner = sequences.ngram_codes(self.order, self.n_ids)
        # Each distinct n-gram is scored once: its lower-order k-grams are the last k symbols of
        # its code. Sentences share most of their n-grams: scoring 2,000 test sentences with the
        # default six models took 0.41 s instead of 1.27 s, with the same numbers.
        distinct, where = np.unique(codes, return_inverse=True)
        log_p = np.log(self.conditional(lower_orders(distinct, self.order, self.n_ids)))[where]
        n = len(sequences.lengths)
        return np.stack([np.bincount(owner, weights=log_p[:, c], minlength=n) for c in range(log_p.shape[1])], axis=1)

    def next_proba(self, history: Sequence[int]) -> np.ndarray:
        """P(symbol | history) for every id, shape (n_classes, n_ids); BOS gets 0, rows sum to 1."""
        padded = [BOS] * (self.order - 1) + list(history)
        candidates = np.arange(1, self.n_ids, dtype=np.int64)
        codes = []
        for k in range(1, self.order + 1):
            context = 0
            for symbol in padded[len(padded) - k + 1 :]:  # the last k-1 symbols
                context = context * self.n_ids + symbol
            codes.append(context * self.n_ids + candidates)
        proba = np.zeros((self.counts[0].shape[1], self.n_ids))
        proba[:, 1:] = self.conditional(codes).T
        return proba

    def conditional(self, codes: list[np.ndarray]) -> np.ndarray:
        """P(last symbol | the ones before) of n-grams given as codes per order: (n_positions, n_classes).

        codes[k-1] are the k-grams ending at each position; a k-gram's history is its code // n_ids.
        """
        n_classes = self.counts[0].shape[1]
        proba = np.full((len(codes[0]), n_classes), self.uniform)
        for k in range(self.order):
            count = _gather(self.keys[k], self.counts[k], codes[k])
            ctx_keys, total_and_backoff = self._contexts[k]
            # One search for both columns of a history: the searches are most of scoring's time.
            gathered = _gather(ctx_keys, total_and_backoff, codes[k] // self.n_ids)
            total_h, backoff_h = gathered[:, :n_classes], gathered[:, n_classes:]
            discounted = np.maximum(count - self._discount_of(k, count), 0.0)
            seen = total_h > 0
            # An unseen history says nothing: the lower order's estimate stands.
            proba = np.where(seen, (discounted + backoff_h * proba) / np.where(seen, total_h, 1.0), proba)
        return proba

    def _discount_of(self, k: int, count: np.ndarray) -> np.ndarray:
        """The discount of each count in `count` (n_positions, n_classes): 0, D1, D2 or D3+ of its class."""
        return self._discounts[k][np.minimum(count, 3), np.arange(count.shape[1])]

    def _estimate_discounts(self, counts: np.ndarray) -> np.ndarray:
        """Modified Kneser-Ney discounts from counts of counts (Chen & Goodman 1998), shape (4, n_classes)."""
        table = np.zeros((4, counts.shape[1]))
        for c in range(counts.shape[1]):
            if self.discount is not None:
                table[1:, c] = self.discount
                continue
            n1, n2, n3, n4 = (np.count_nonzero(counts[:, c] == j) for j in (1, 2, 3, 4))
            if min(n1, n2, n3, n4) == 0:
                table[1:, c] = 0.75  # too little data for the estimates (tiny corpora): the textbook value
                continue
            base = n1 / (n1 + 2 * n2)
            table[1:, c] = (1 - 2 * base * n2 / n1, 2 - 3 * base * n3 / n2, 3 - 4 * base * n4 / n3)
            table[1:, c] = np.clip(table[1:, c], 0.05, np.arange(1, 4) - 0.05)  # keep 0 < D_j < j
        return table

    def _context_table(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Per history of the order-(k+1) n-grams: sorted keys, and total count then discounted mass,
        shape (n_ctx, 2 * n_classes)."""
        keys, counts = self.keys[k], self.counts[k]
        ctx_keys, row = np.unique(keys // self.n_ids, return_inverse=True)
        taken = self._discount_of(k, counts)
        total = np.stack(
            [np.bincount(row, weights=counts[:, c], minlength=len(ctx_keys)) for c in range(counts.shape[1])], axis=1
        )
        backoff = np.stack(
            [np.bincount(row, weights=taken[:, c], minlength=len(ctx_keys)) for c in range(counts.shape[1])], axis=1
        )
        return ctx_keys, np.hstack([total, backoff])


def lower_orders(codes: np.ndarray, order: int, n_ids: int) -> list[np.ndarray]:
    """The k-grams, k = 1..order, that end each `order`-gram of `codes`: the codes `conditional` reads.

    >>> [c.tolist() for c in lower_orders(np.array([123]), 3, 10)]
    [[3], [23], [123]]
    """
    return [codes % n_ids**k for k in range(1, order + 1)]


@dataclass(frozen=True)
class Sequences:
    """Many id sequences in one flat array: `ids` of shape (sum(lengths),), `lengths` (n_sequences,)."""

    ids: np.ndarray
    lengths: np.ndarray

    def ngram_codes(self, order: int, n_ids: int) -> tuple[np.ndarray, np.ndarray]:
        """The `order`-gram ending at every predicted position, and the sequence it belongs to.

        Each sequence is padded with order-1 BOS in front (so every position has a full
        history) and EOS behind (so the models learn how sentences end). Returns codes of
        shape (n_positions,), where an n-gram (s_1, ..., s_order) is sum(s_i * n_ids**(order-i)),
        so its last k symbols are `codes % n_ids**k` (`lower_orders`), and owner of shape (n_positions,).
        Only the highest order is kept: the whole corpus's seven character orders took 1.6 GB more.
        """
        lengths = np.asarray(self.lengths, dtype=np.int64)
        n = len(lengths)
        block = lengths + order  # order-1 BOS, the sequence, EOS
        starts = np.cumsum(block) - block  # of each padded block
        offsets = np.cumsum(lengths) - lengths  # of each sequence in self.ids
        padded = np.full(int(block.sum()), BOS, dtype=np.int64)
        padded[np.repeat(starts + order - 1 - offsets, lengths) + np.arange(len(self.ids))] = self.ids
        padded[starts + order - 1 + lengths] = EOS
        code = padded
        for _ in range(1, order):
            code = np.concatenate([[0], code[:-1]]) * n_ids + padded
        return code[padded != BOS], np.repeat(np.arange(n), lengths + 1)


class SymbolTable:
    """Maps symbols (characters or words) to ids: BOS, EOS, UNK first, then `symbols` in order."""

    def __init__(self, symbols: Sequence[str]):
        self.symbols = list(symbols)
        self._ids = {symbol: i + len(RESERVED) for i, symbol in enumerate(self.symbols)}

    @property
    def n_ids(self) -> int:
        return len(self.symbols) + len(RESERVED)

    @classmethod
    def build(cls, symbol_lists: Sequence[Sequence[str]]) -> SymbolTable:
        """Every symbol the lists contain, sorted, so the same text always gives the same ids."""
        return cls(sorted({symbol for symbols in symbol_lists for symbol in symbols}))

    def encode(self, symbol_lists: Sequence[Sequence[str]]) -> Sequences:
        ids = self._ids
        lengths = np.array([len(symbols) for symbols in symbol_lists], dtype=np.int64)
        flat = np.fromiter(
            (ids.get(s, UNK) for symbols in symbol_lists for s in symbols), dtype=np.int64, count=int(lengths.sum())
        )
        return Sequences(flat, lengths)


def _gather(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """values[row of each query in the sorted `keys`], zeros for queries not in `keys`: (n_queries, n_classes)."""
    if len(keys) == 0:
        return np.zeros((len(queries), values.shape[1]), dtype=values.dtype)
    row = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    gathered = values[row]
    gathered[keys[row] != queries] = 0
    return gathered
