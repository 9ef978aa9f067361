"""The n-gram language-model backend: per-label character and word models, calibrated.

Every label (author) gets interpolated Kneser-Ney language models over characters and over
word tokens (by default one character 5-gram model, one word trigram and one word
unigram model); a sentence is scored by how likely each label's models find it.
Raw likelihood ratios of a 30-word sentence are astronomically overconfident, so a
small multinomial logistic regression turns the per-label log-likelihoods into
probabilities. It is fitted on *cross-fitted* scores: the training rows are split
into `calibration_folds` parts and each part is scored by models trained on the
others, so the regression learns how far the ratios can be trusted on sentences the
models have not seen. The models used for prediction are then refitted on all rows.

Counting and scoring are vectorised with NumPy: an n-gram is one int64 (its symbol
ids written in base `n_ids`) and every table is a sorted key array searched with
`np.searchsorted`, so scoring 25,000 sentences takes seconds. It leaves out pruning,
KenLM's special treatment of n-grams that start a sentence, and other smoothings.

A saved model directory holds:

    config.json     format version, hyperparameters, calibration weights
    symbols.json    the character and word vocabularies, in id order
    counts.npz      n-gram keys and per-label counts of every model (a table two models share, once)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ..config import LMConfig
from ..data.corpus import check_training_set
from ..probability import EPS, class_scores
from ..text.tokenize import tokenize
from .base import CONFIG_FILE, FitProgress, read_member_meta

FORMAT_VERSION = 2  # 2: tables shared by several models written once, counts as int32
SYMBOLS_FILE, COUNTS_FILE = "symbols.json", "counts.npz"
# Ids every symbol table starts with. BOS only ever appears in histories, never as a
# predicted symbol; UNK stands for any symbol the training text did not contain.
BOS, EOS, UNK = 0, 1, 2
RESERVED = ("<s>", "</s>", "<unk>")


class LMBackend:
    """Per-author character and word Kneser-Ney models, calibrated by a small logistic regression."""

    def __init__(self, config: LMConfig | None = None):
        self.config = config if config is not None else LMConfig()

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray] | None = None,
        n_classes: int | None = None,
        progress: FitProgress | None = None,
    ) -> LMBackend:
        """Fit on `texts` with class ids `y` (0 .. n_classes - 1; default: the largest id + 1); `validation`
        and `progress` are for networks, not used here."""
        return self.fit_with_pool(texts, y, ([], np.zeros(0, dtype=np.int64)), n_classes)

    def fit_with_pool(
        self, texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray], n_classes: int | None
    ) -> LMBackend:
        """`fit`, the pseudo-labelled `pool` (texts, class ids) counted by every language model (base.PoolFit):
        by each calibration part's models too, but the calibrating regression is fitted on the labelled
        rows' scores alone, so it learns how far the ratios can be trusted from true labels only."""
        config = self.config
        if not config.models():
            raise ValueError("LMConfig needs at least one entry in char_orders or word_orders")
        if min(order for _, order in config.models()) < 1:
            raise ValueError(f"n-gram orders must be at least 1, got {config.char_orders} and {config.word_orders}")
        if config.discount is not None and not 0 < config.discount <= 1:
            raise ValueError(f"discount must be in (0, 1] so that every distribution sums to 1, got {config.discount}")
        if config.calibration_folds < 2:
            raise ValueError(f"calibration_folds must be at least 2, got {config.calibration_folds}")
        texts, y = check_training_set(texts, y, n_classes)
        n_classes = int(y.max()) + 1
        units = split_units(texts, config.lowercase_chars)
        pool_units, pool_y = split_units(list(pool[0]), config.lowercase_chars), np.asarray(pool[1], dtype=np.int64)
        features = np.zeros((len(texts), n_classes * len(config.models())))
        splitter = StratifiedKFold(config.calibration_folds, shuffle=True, random_state=config.seed)
        for train, held_out in splitter.split(np.zeros(len(y)), y):
            counted = _joined(_rows(units, train), pool_units)
            models = AuthorModels.fit(counted, np.concatenate([y[train], pool_y]), config, n_classes)
            features[held_out] = models.features(_rows(units, held_out), config.length_power)
        regression = LogisticRegression(C=config.calibration_c, max_iter=1000).fit(features, y)
        self.coef_, self.intercept_ = regression.coef_, regression.intercept_
        self.models_ = AuthorModels.fit(_joined(units, pool_units), np.concatenate([y, pool_y]), config, n_classes)
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (n_samples, n_classes), columns in class-id order, inside (0, 1)."""
        self._check_fitted()
        units = split_units(list(texts), self.config.lowercase_chars)
        features = self.models_.features(units, self.config.length_power)
        return _softmax(class_scores(features, self.coef_, self.intercept_))

    def stack_features(self, texts: list[str]) -> np.ndarray:
        """What the stack reads, shape (n_samples, 2 * n_classes * n_models): every model's per-label
        log-likelihood ratios both scaled by length (as the calibration reads them) and raw.

        The stack weighs the models itself, so it gets them before the calibrating
        regression has summed them up.
        """
        self._check_fitted()
        ratios, symbols = self.models_.log_ratios(split_units(list(texts), self.config.lowercase_chars))
        return np.hstack([ratios / symbols**self.config.length_power, ratios])

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        self._check_fitted()
        meta = {
            "format_version": FORMAT_VERSION,
            "n_classes": self.models_.n_classes,
            "config": self.config.to_dict(),
            # (n_classes, n_features) weights of the calibrating regression; (1, n_features) for two classes
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
        }
        directory = Path(directory)
        (directory / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        self.models_.save(directory)

    @classmethod
    def load(cls, directory: Path) -> LMBackend:
        """Rebuild a backend written by `save`; raises ValueError for any other format."""
        directory = Path(directory)
        meta = read_member_meta(directory, FORMAT_VERSION, "LM")
        backend = cls(LMConfig.from_dict(meta["config"]))
        backend.coef_ = np.array(meta["coef"], dtype=np.float64)
        backend.intercept_ = np.array(meta["intercept"], dtype=np.float64)
        backend.models_ = AuthorModels.load(directory, backend.config)
        return backend

    def token_scores(self, texts: list[str]) -> list[np.ndarray]:
        """Per text, each token's log-likelihood ratio under the word models (`AuthorModels.token_scores`)."""
        self._check_fitted()
        return self.models_.token_scores(list(texts))

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise NotFittedError("this LMBackend is not fitted yet; call fit() or LMBackend.load()")


Units = tuple[list[list[str]], list[list[str]]]  # each text as characters, and as word tokens


def split_units(texts: list[str], lowercase_chars: bool) -> Units:
    """Each text as a list of characters and as a list of word tokens.

    >>> split_units(["It's late."], lowercase_chars=False)
    ([['I', 't', "'", 's', ' ', 'l', 'a', 't', 'e', '.']], [['it', "'s", 'late', '.']])
    """
    chars = [list(text.lower() if lowercase_chars else text) for text in texts]
    return chars, [tokenize(text) for text in texts]


def held_out_word_models(
    texts: Sequence[str], y: np.ndarray, n_classes: int, config: LMConfig | None = None
) -> AuthorModels:
    """Word language models of `config` (default LMConfig()) fitted on `texts` with class ids `y` alone: seconds,
    as only n-grams are counted. The report explains sentences with models fitted without them."""
    config = config or LMConfig()
    config = config.replace(char_orders=(), word_orders=config.word_orders or LMConfig().word_orders)
    return AuthorModels.fit(split_units(list(texts), config.lowercase_chars), np.asarray(y), config, n_classes)


class AuthorModels:
    """Every language model of `config.models()`, with per-label counts, and the symbol tables."""

    def __init__(self, tables: dict[str, SymbolTable], models: list[KneserNeyLM], config: LMConfig):
        self.tables = tables  # "char" and "word"
        self.models = models
        self.units = [unit for unit, _ in config.models()]

    @property
    def n_classes(self) -> int:
        return self.models[0].counts[0].shape[1]

    @classmethod
    def fit(cls, units: Units, y: np.ndarray, config: LMConfig, n_classes: int) -> AuthorModels:
        tables = {"char": SymbolTable.build(units[0]), "word": SymbolTable.build(units[1])}
        sequences = _encode(tables, units)
        models = [
            KneserNeyLM.fit(sequences[unit], y, order, tables[unit].n_ids, n_classes, discount=config.discount)
            for unit, order in config.models()
        ]
        return cls(tables, models, config)

    def features(self, units: Units, length_power: float) -> np.ndarray:
        """Per-label log-likelihood ratios of every model, shape (n_samples, n_classes * n_models).

        A ratio is the log-likelihood minus its mean over the labels, divided by the
        number of predicted symbols (EOS included) to the power `length_power`.
        """
        ratios, symbols = self.log_ratios(units)
        return ratios / symbols**length_power

    def log_ratios(self, units: Units) -> tuple[np.ndarray, np.ndarray]:
        """Unscaled ratios, and the number of predicted symbols behind each: both (n_samples, n_classes * n_models)."""
        sequences = _encode(self.tables, units)
        ratios, symbols = [], []
        for unit, model in zip(self.units, self.models):
            log_lik = model.log_likelihood(sequences[unit])
            ratios.append(log_lik - log_lik.mean(axis=1, keepdims=True))
            symbols.append(np.repeat(sequences[unit].lengths[:, None] + 1.0, log_lik.shape[1], axis=1))
        return np.concatenate(ratios, axis=1), np.concatenate(symbols, axis=1)

    def token_scores(self, texts: list[str]) -> list[np.ndarray]:
        """Per text, each word token's log-likelihood ratio (its log-probability under the label's word
        models minus the mean over the labels) summed over the word models: (n_tokens, n_labels).

        They add up to the word models' ratios that the calibration and the stack read; the
        end-of-sentence symbol and the character models are left out.
        """
        word_lists = [tokenize(text) for text in texts]
        sequences = self.tables["word"].encode(word_lists)
        total = None
        for unit, model in zip(self.units, self.models):
            if unit != "word":
                continue
            codes, _ = sequences.ngram_codes(model.order, model.n_ids)
            log_p = np.log(model.conditional(codes))
            ratio = log_p - log_p.mean(axis=1, keepdims=True)
            total = ratio if total is None else total + ratio
        if total is None:
            raise ValueError(
                "the lm model has no word language models (word_orders is empty); nothing readable to explain"
            )
        # Positions run sentence by sentence, each sentence's words then its end-of-sentence symbol.
        out, start = [], 0
        for words in word_lists:
            out.append(total[start : start + len(words)])
            start += len(words) + 1
        return out

    def save(self, directory: Path) -> None:
        symbols = {unit: table.symbols for unit, table in self.tables.items()}
        (directory / SYMBOLS_FILE).write_text(json.dumps(symbols, ensure_ascii=False, indent=0), encoding="utf-8")
        arrays, aliases = {}, []
        for unit, model in zip(self.units, self.models):
            for k in range(1, model.order + 1):
                for name, array in (
                    (f"{unit}{model.order}_keys_{k}", model.keys[k - 1]),
                    (f"{unit}{model.order}_counts_{k}", model.counts[k - 1]),
                ):
                    # The models of one unit share their lower orders (the same n-grams and continuation
                    # counts): each table is written once, 8.3 MB -> 6.9 MB for the default six.
                    same = next(
                        (
                            other
                            for other, saved in arrays.items()
                            if saved.shape == array.shape and np.array_equal(saved, array)
                        ),
                        None,
                    )
                    if same is None:
                        arrays[name] = (
                            array.astype(np.int32) if name.split("_")[1] == "counts" else array
                        )  # counts fit int32
                    else:
                        aliases.append((name, same))
        np.savez_compressed(directory / COUNTS_FILE, aliases=np.array(aliases, dtype=str).reshape(-1, 2), **arrays)

    @classmethod
    def load(cls, directory: Path, config: LMConfig) -> AuthorModels:
        symbols = json.loads((directory / SYMBOLS_FILE).read_text(encoding="utf-8"))
        tables = {unit: SymbolTable(symbols[unit]) for unit in ("char", "word")}
        models = []
        with np.load(directory / COUNTS_FILE, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files if name != "aliases"}
            arrays = {
                name: array.astype(np.int64) if name.split("_")[1] == "counts" else array
                for name, array in arrays.items()
            }
            arrays |= {name: arrays[same] for name, same in saved["aliases"]}
        for unit, order in config.models():
            keys = [arrays[f"{unit}{order}_keys_{k}"] for k in range(1, order + 1)]
            counts = [arrays[f"{unit}{order}_counts_{k}"] for k in range(1, order + 1)]
            models.append(KneserNeyLM(order, tables[unit].n_ids, keys, counts, config.discount))
        return cls(tables, models, config)


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
        top = codes[-1]
        keys_top, row = np.unique(top, return_inverse=True)
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
        distinct, where = np.unique(codes[-1], return_inverse=True)
        log_p = np.log(self.conditional([distinct % self.n_ids**k for k in range(1, self.order + 1)]))[where]
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
        starts = np.cumsum(block) - block  # of each padded block
        offsets = np.cumsum(lengths) - lengths  # of each sequence in self.ids
        padded = np.full(int(block.sum()), BOS, dtype=np.int64)
        padded[np.repeat(starts + order - 1 - offsets, lengths) + np.arange(len(self.ids))] = self.ids
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


def _encode(tables: dict[str, SymbolTable], units: Units) -> dict[str, Sequences]:
    return {"char": tables["char"].encode(units[0]), "word": tables["word"].encode(units[1])}


def _rows(units: Units, rows: np.ndarray) -> Units:
    return [units[0][i] for i in rows], [units[1][i] for i in rows]


def _joined(units: Units, more: Units) -> Units:
    return units[0] + more[0], units[1] + more[1]


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n_samples, n_classes) logits, kept inside [EPS, 1 - EPS] as log loss needs."""
    logits = logits - logits.max(axis=1, keepdims=True)
    proba = np.exp(logits)
    proba = np.clip(proba / proba.sum(axis=1, keepdims=True), EPS, 1.0)
    return proba / proba.sum(axis=1, keepdims=True)
