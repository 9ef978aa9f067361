"""The language-model base model: per-label character and word models, calibrated.

Every label (author) gets interpolated Kneser-Ney language models over characters and over
word tokens (by default character 3-, 5- and 7-gram models and word 1-, 2- and 3-gram
models); a sentence is scored by how likely each label's models find it.
Raw likelihood ratios of a 30-word sentence are astronomically overconfident, so a
small multinomial logistic regression turns the per-label log-likelihoods into
probabilities. It is fitted on *cross-fitted* scores: the training rows are split
into `calibration_folds` parts and each part is scored by models trained on the
others, so the regression learns how far the ratios can be trusted on sentences the
models have not seen. The models used for prediction are then refitted on all rows.

The language models themselves, counted and scored in NumPy, are models/kneser_ney.py's;
this module turns sentences into their symbols, calibrates, and saves.

A saved model directory holds:

    config.json     format version, hyperparameters, calibration weights
    symbols.json    the character and word vocabularies, in id order
    counts.npz      n-gram keys and per-label counts of every model (a table two models share, once)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ..config import LMConfig
from ..data.labels import check_training_set
from ..probability import EPS, class_scores
from ..text.tokenize import tokenize
from .base import NGramModel, read_member_meta, write_member_meta
from .kneser_ney import KneserNeyLM, Sequences, SymbolTable, lower_orders

FORMAT_VERSION = 2  # 2: tables shared by several models written once, counts as int32
SYMBOLS_FILE, COUNTS_FILE = "symbols.json", "counts.npz"


class LMModel(NGramModel):
    """Per-author character and word Kneser-Ney models, calibrated by a small logistic regression."""

    settings_class, fitted_attribute = LMConfig, "models_"

    def fit_with_pool(
        self, texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray], n_classes: int | None
    ) -> LMModel:
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
            del models  # one part's models at a time: the whole corpus's take 1.5 GB
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
        write_member_meta(
            directory,
            FORMAT_VERSION,
            self.config,
            self.models_.n_classes,
            # (n_classes, n_features) weights of the calibrating regression; (1, n_features) for two classes
            coef=self.coef_.tolist(),
            intercept=self.intercept_.tolist(),
        )
        self.models_.save(Path(directory))

    @classmethod
    def load(cls, directory: Path) -> LMModel:
        """Rebuild a model written by `save`; raises ValueError for any other format."""
        directory = Path(directory)
        meta = read_member_meta(directory, FORMAT_VERSION, "LM")
        model = cls(LMConfig.from_dict(meta["config"]))
        model.coef_ = np.array(meta["coef"], dtype=np.float64)
        model.intercept_ = np.array(meta["intercept"], dtype=np.float64)
        model.models_ = AuthorModels.load(directory, model.config)
        return model

    def token_scores(self, texts: list[str]) -> list[np.ndarray]:
        """Per text, each token's log-likelihood ratio under the word models (`AuthorModels.token_scores`)."""
        self._check_fitted()
        return self.models_.token_scores(list(texts))


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
            log_p = np.log(model.conditional(lower_orders(codes, model.order, model.n_ids)))
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
