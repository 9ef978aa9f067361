"""The n-gram language-model backend: one character and one word model per author.

Each author gets an interpolated Kneser-Ney language model over characters (order
`char_order`) and one over word tokens (order `word_order`); a sentence is scored by
how likely each author's models find it. Raw likelihood ratios of a 30-word sentence
are astronomically confident, so a small multinomial logistic regression turns the
per-author log-likelihoods into probabilities. It is fitted on *cross-fitted* scores:
the training rows are split into `calibration_folds` parts, and each part is scored
by language models trained on the other parts, so the regression learns how far the
ratios can be trusted on sentences the models have not seen. The models used for
prediction are then refitted on all rows.

Counting and scoring are vectorised with NumPy: an n-gram is one int64, its symbol
ids written in base `n_ids`, and every table is a sorted key array searched with
`np.searchsorted`. Scoring 25,000 sentences takes seconds. It leaves out pruning,
sentence-start special cases of KenLM and any smoothing other than Kneser-Ney.

A saved model directory holds:

    config.json     format version, hyperparameters, calibration weights
    symbols.json    the character and word vocabularies (id order)
    counts.npz      n-gram keys and per-author counts of both models
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from .data import AUTHORS
from .tokenize import tokenize

FORMAT_VERSION = 1
CONFIG_FILE, SYMBOLS_FILE, COUNTS_FILE = "config.json", "symbols.json", "counts.npz"
N_CLASSES = len(AUTHORS)
N_FEATURES = 2 * N_CLASSES
# Ids every symbol table starts with. BOS only ever appears in histories, never as a
# predicted symbol; UNK stands for any symbol the training text did not contain.
BOS, EOS, UNK = 0, 1, 2
RESERVED = ("<s>", "</s>", "<unk>")


@dataclass(frozen=True)
class LMConfig:
    char_order: int = 5  # characters of history + 1; 5 and 6 score alike, 5 is half the table
    word_order: int = 3  # trigrams: most 4-grams of held-out sentences are unseen anyway
    lowercase_chars: bool = False  # capitals after a semicolon or in names carry style
    discount: float | None = None  # None: modified Kneser-Ney discounts estimated per order and author
    length_power: float = 0.5  # log-likelihood ratios are divided by length**power before calibration
    calibration_folds: int = 5  # cross-fitted scores the calibrating regression is fitted on
    calibration_c: float = 1.0  # inverse L2 strength of the calibrating regression
    seed: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "LMConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown LM config keys {unknown}; was the model saved by a newer lstm-spooky?")
        return cls(**values)

    def replace(self, **changes) -> "LMConfig":
        return dataclasses.replace(self, **changes)


class KneserNeyLM:
    """Interpolated Kneser-Ney n-gram models of one symbol alphabet, one per class.

    Symbols are ints in [0, n_ids): BOS, EOS, UNK, then the alphabet. For every order
    k = 1..order, `keys[k-1]` holds the sorted codes of the k-grams seen in training and
    `counts[k-1]` their per-class counts, shape (n_keys, n_classes): raw counts at the
    highest order, continuation counts (distinct left neighbours) below it.
    """

    def __init__(self, order: int, n_ids: int, keys: list[np.ndarray], counts: list[np.ndarray], discount: float | None = None):
        if order < 1 or len(keys) != order or len(counts) != order:
            raise ValueError(f"an order-{order} model needs {order} key and count tables")
        self.order, self.n_ids, self.keys, self.counts, self.discount = order, n_ids, keys, counts, discount
        # Every id but BOS can be predicted; the lowest level of the interpolation is uniform over them.
        self.uniform = 1.0 / (n_ids - 1)
        self._discounts = [self._estimate_discounts(c) for c in counts]
        self._contexts = [self._context_table(k, d) for k, d in zip(range(order), self._discounts)]

    @classmethod
    def fit(cls, sequences: "Sequences", y: np.ndarray, order: int, n_ids: int,
            n_classes: int = N_CLASSES, discount: float | None = None) -> "KneserNeyLM":
        """Count the n-grams of id sequences (without BOS/EOS; they are added here) of classes `y`."""
        if n_ids ** order >= 2**63:
            raise ValueError(f"{n_ids} symbols to the power {order} overflow int64 n-gram codes; lower the order")
        codes, owner = sequences.ngram_codes(order, n_ids)
        labels = np.asarray(y)[owner]
        top = codes[-1]
        keys_top, row = np.unique(top, return_inverse=True)
        counts_top = np.bincount(row * n_classes + labels, minlength=len(keys_top) * n_classes).reshape(-1, n_classes)
        keys, counts = [keys_top], [counts_top]
        for k in range(order - 1, 0, -1):
            # A k-gram's continuation count: how many distinct symbols precede it, i.e. how
            # many seen (k+1)-grams end with it. BOS padding gives every k-gram a left neighbour.
            suffix = keys[0] % n_ids**k
            keys_k, row = np.unique(suffix, return_inverse=True)
            seen = (counts[0] > 0).astype(np.int64)
            counts_k = np.stack([np.bincount(row, weights=seen[:, c], minlength=len(keys_k)) for c in range(n_classes)], axis=1)
            keys.insert(0, keys_k)
            counts.insert(0, counts_k.astype(np.int64))
        return cls(order, n_ids, keys, counts, discount)

    def log_likelihood(self, sequences: "Sequences") -> np.ndarray:
        """Natural-log probability of each whole sequence (EOS included) under each class: (n_sequences, n_classes)."""
        codes, owner = sequences.ngram_codes(self.order, self.n_ids)
        log_p = np.log(self.conditional(codes))
        n = len(sequences.lengths)
        return np.stack([np.bincount(owner, weights=log_p[:, c], minlength=n) for c in range(log_p.shape[1])], axis=1)

    def next_proba(self, history: Sequence[int]) -> np.ndarray:
        """P(symbol | history) for every id, shape (n_classes, n_ids); BOS gets 0, rows sum to 1."""
        padded = [BOS] * (self.order - 1) + list(history)
        candidates = np.arange(1, self.n_ids, dtype=np.int64)
        codes = []
        for k in range(1, self.order + 1):
            context = 0
            for symbol in padded[len(padded) - (k - 1):] if k > 1 else []:
                context = context * self.n_ids + symbol
            codes.append(context * self.n_ids + candidates)
        proba = np.zeros((self.counts[0].shape[1], self.n_ids))
        proba[:, 1:] = self.conditional(codes).T
        return proba

    def conditional(self, codes: list[np.ndarray]) -> np.ndarray:
        """P(last symbol | the ones before) of n-grams given as codes per order: (n_positions, n_classes).

        codes[k-1] are the k-grams ending at each position; a k-gram's history is its code // n_ids.
        """
        proba = np.full((len(codes[0]), self.counts[0].shape[1]), self.uniform)
        for k in range(self.order):
            count = _gather(self.keys[k], self.counts[k], codes[k])
            ctx_keys, total, backoff = self._contexts[k]
            ctx = codes[k] // self.n_ids
            total_h, backoff_h = _gather(ctx_keys, total, ctx), _gather(ctx_keys, backoff, ctx)
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

    def _context_table(self, k: int, discounts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per history of the order-(k+1) n-grams: sorted keys, total count and discounted mass, (n_ctx, n_classes)."""
        keys, counts = self.keys[k], self.counts[k]
        ctx_keys, row = np.unique(keys // self.n_ids, return_inverse=True)
        taken = discounts[np.minimum(counts, 3), np.arange(counts.shape[1])]
        total = np.stack([np.bincount(row, weights=counts[:, c], minlength=len(ctx_keys)) for c in range(counts.shape[1])], axis=1)
        backoff = np.stack([np.bincount(row, weights=taken[:, c], minlength=len(ctx_keys)) for c in range(counts.shape[1])], axis=1)
        return ctx_keys, total, backoff


@dataclass(frozen=True)
class Sequences:
    """Many id sequences in one flat array: `ids` of shape (sum(lengths),), `lengths` (n_sequences,)."""

    ids: np.ndarray
    lengths: np.ndarray

    def ngram_codes(self, order: int, n_ids: int) -> tuple[list[np.ndarray], np.ndarray]:
        """The k-gram ending at every predicted position, k = 1..order, and the sequence it belongs to.

        Each sequence is padded with order-1 BOS in front (so every position has a full
        history) and EOS behind (so the models learn how sentences end). Returns codes[k-1]
        of shape (n_positions,), where a k-gram (s_1, ..., s_k) is sum(s_i * n_ids**(k-i)),
        and owner of shape (n_positions,).
        """
        lengths = np.asarray(self.lengths, dtype=np.int64)
        n = len(lengths)
        block = lengths + order  # order-1 BOS, the sequence, EOS
        starts = np.concatenate([[0], np.cumsum(block)[:-1]])
        padded = np.full(int(block.sum()), BOS, dtype=np.int64)
        inside = np.repeat(starts + order - 1 - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        padded[inside + np.arange(len(self.ids))] = self.ids
        padded[starts + order - 1 + lengths] = EOS
        predicted = padded != BOS
        codes, code = [], padded
        for k in range(1, order + 1):
            if k > 1:
                code = np.concatenate([[0], code[:-1]]) * n_ids + padded
            codes.append(code[predicted])
        return codes, np.repeat(np.arange(n), lengths + 1)


class SymbolTable:
    """Maps symbols (characters or words) to ids: BOS, EOS, UNK first, then `symbols` in order."""

    def __init__(self, symbols: Sequence[str]):
        self.symbols = list(symbols)
        self._ids = {symbol: i + len(RESERVED) for i, symbol in enumerate(self.symbols)}

    @property
    def n_ids(self) -> int:
        return len(self.symbols) + len(RESERVED)

    @classmethod
    def build(cls, symbol_lists: Sequence[Sequence[str]]) -> "SymbolTable":
        """Every symbol the lists contain, sorted, so the same text always gives the same ids."""
        return cls(sorted({symbol for symbols in symbol_lists for symbol in symbols}))

    def encode(self, symbol_lists: Sequence[Sequence[str]]) -> Sequences:
        ids = self._ids
        lengths = np.array([len(symbols) for symbols in symbol_lists], dtype=np.int64)
        flat = np.fromiter((ids.get(s, UNK) for symbols in symbol_lists for s in symbols), dtype=np.int64, count=int(lengths.sum()))
        return Sequences(flat, lengths)


def _gather(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """values[row of each query in the sorted `keys`], zeros for queries not in `keys`: (n_queries, n_classes)."""
    if len(keys) == 0:
        return np.zeros((len(queries), values.shape[1]), dtype=values.dtype)
    row = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    found = keys[row] == queries
    return np.where(found[:, None], values[row], 0)


class LMBackend:
    """Per-author character and word Kneser-Ney models, calibrated by a small logistic regression."""

    name = "lm"

    def __init__(self, config: LMConfig | None = None):
        self.config = config if config is not None else LMConfig()

    def fit(self, texts: list[str], y: np.ndarray, validation: tuple[list[str], np.ndarray] | None = None) -> "LMBackend":
        """Fit on `texts` with class ids `y` (0, 1, 2 in AUTHORS order); `validation` is not used."""
        config = self.config
        if config.calibration_folds < 2:
            raise ValueError(f"calibration_folds must be at least 2, got {config.calibration_folds}")
        texts = list(texts)
        y = np.asarray(y, dtype=np.int64)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        symbols = _split_symbols(texts, config)
        features = np.zeros((len(texts), N_FEATURES))
        splitter = StratifiedKFold(config.calibration_folds, shuffle=True, random_state=config.seed)
        for train, held_out in splitter.split(np.zeros(len(y)), y):
            models = AuthorModels.fit(_subset(symbols, train), y[train], config)
            features[held_out] = models.features(_subset(symbols, held_out), config.length_power)
        regression = LogisticRegression(C=config.calibration_c, max_iter=1000).fit(features, y)
        self.coef_, self.intercept_ = regression.coef_, regression.intercept_
        self.models_ = AuthorModels.fit(symbols, y, config)
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (n_samples, 3), columns in AUTHORS order."""
        if not hasattr(self, "models_"):
            raise NotFittedError("this LMBackend is not fitted yet; call fit() or LMBackend.load()")
        features = self.models_.features(_split_symbols(list(texts), self.config), self.config.length_power)
        return _softmax(features @ self.coef_.T + self.intercept_)

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        if not hasattr(self, "models_"):
            raise NotFittedError("this LMBackend is not fitted yet; nothing to save")
        meta = {
            "format_version": FORMAT_VERSION,
            "authors": list(AUTHORS),
            "config": self.config.to_dict(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
        }
        (directory / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        self.models_.save(directory)

    @classmethod
    def load(cls, directory: Path) -> "LMBackend":
        """Rebuild a backend written by `save`; raises ValueError for any other format."""
        directory = Path(directory)
        meta = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory}: LM format {meta.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")
        backend = cls(LMConfig.from_dict(meta["config"]))
        backend.coef_ = np.array(meta["coef"], dtype=np.float64)
        backend.intercept_ = np.array(meta["intercept"], dtype=np.float64)
        backend.models_ = AuthorModels.load(directory, backend.config)
        return backend


class AuthorModels:
    """The character and the word model of every author, with their symbol tables."""

    def __init__(self, chars: SymbolTable, words: SymbolTable, char_lm: KneserNeyLM, word_lm: KneserNeyLM):
        self.chars, self.words, self.char_lm, self.word_lm = chars, words, char_lm, word_lm

    @classmethod
    def fit(cls, symbols: "tuple[list[list[str]], list[list[str]]]", y: np.ndarray, config: LMConfig) -> "AuthorModels":
        char_lists, word_lists = symbols
        chars, words = SymbolTable.build(char_lists), SymbolTable.build(word_lists)
        char_lm = KneserNeyLM.fit(chars.encode(char_lists), y, config.char_order, chars.n_ids, discount=config.discount)
        word_lm = KneserNeyLM.fit(words.encode(word_lists), y, config.word_order, words.n_ids, discount=config.discount)
        return cls(chars, words, char_lm, word_lm)

    def features(self, symbols: "tuple[list[list[str]], list[list[str]]]", length_power: float) -> np.ndarray:
        """Per-author log-likelihood ratios of both models, shape (n_samples, 6): chars then words.

        Each ratio is a log-likelihood minus the mean over authors, divided by the number
        of predicted symbols to the power `length_power`.
        """
        columns = []
        for table, lm, lists in ((self.chars, self.char_lm, symbols[0]), (self.words, self.word_lm, symbols[1])):
            sequences = table.encode(lists)
            log_lik = lm.log_likelihood(sequences)
            ratio = log_lik - log_lik.mean(axis=1, keepdims=True)
            columns.append(ratio / (sequences.lengths[:, None] + 1.0) ** length_power)
        return np.concatenate(columns, axis=1)

    def save(self, directory: Path) -> None:
        symbols = {"chars": self.chars.symbols, "words": self.words.symbols}
        (directory / SYMBOLS_FILE).write_text(json.dumps(symbols, ensure_ascii=False, indent=0), encoding="utf-8")
        arrays = {}
        for prefix, lm in (("char", self.char_lm), ("word", self.word_lm)):
            for k in range(lm.order):
                arrays[f"{prefix}_keys_{k + 1}"] = lm.keys[k]
                arrays[f"{prefix}_counts_{k + 1}"] = lm.counts[k]
        np.savez_compressed(directory / COUNTS_FILE, **arrays)

    @classmethod
    def load(cls, directory: Path, config: LMConfig) -> "AuthorModels":
        symbols = json.loads((directory / SYMBOLS_FILE).read_text(encoding="utf-8"))
        chars, words = SymbolTable(symbols["chars"]), SymbolTable(symbols["words"])
        with np.load(directory / COUNTS_FILE, allow_pickle=False) as arrays:
            models = []
            for prefix, table, order in (("char", chars, config.char_order), ("word", words, config.word_order)):
                keys = [arrays[f"{prefix}_keys_{k}"] for k in range(1, order + 1)]
                counts = [arrays[f"{prefix}_counts_{k}"] for k in range(1, order + 1)]
                models.append(KneserNeyLM(order, table.n_ids, keys, counts, config.discount))
        return cls(chars, words, *models)


def _split_symbols(texts: list[str], config: LMConfig) -> tuple[list[list[str]], list[list[str]]]:
    """Each text as a list of characters and as a list of word tokens."""
    chars = [list(text.lower() if config.lowercase_chars else text) for text in texts]
    return chars, [tokenize(text) for text in texts]


def _subset(symbols: tuple[list[list[str]], list[list[str]]], rows: np.ndarray) -> tuple[list[list[str]], list[list[str]]]:
    return [symbols[0][i] for i in rows], [symbols[1][i] for i in rows]


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax kept strictly inside (0, 1), as log loss needs."""
    logits = logits - logits.max(axis=1, keepdims=True)
    proba = np.exp(logits)
    proba = np.clip(proba / proba.sum(axis=1, keepdims=True), 1e-15, 1.0)
    return proba / proba.sum(axis=1, keepdims=True)
