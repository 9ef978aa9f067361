"""SpookyClassifier: the estimator that ties tokenizer, vocabulary and BiLSTM together.

It follows scikit-learn's conventions: `__init__` stores the config, `fit` learns the
attributes ending in an underscore and returns self, and predictions are checked to
come from a fitted model. A saved model directory holds everything needed to predict:

    config.json         format version, hyperparameters, temperature, validation scores
    vocab.json          the vocabulary and sequence length cap
    model.weights.h5    the Keras weights
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from . import __version__
from .atomic import atomic_directory
from .bilstm import build_bilstm
from .calibration import apply_temperature, fit_temperature, log_loss
from .config import SpookyConfig
from .data import AUTHORS, encode_labels, validate_texts
from .tokenize import tokenize
from .training import set_seeds, train_network
from .vocab import Vocabulary

FORMAT_VERSION = 1
CONFIG_FILE, VOCAB_FILE, WEIGHTS_FILE = "config.json", "vocab.json", "model.weights.h5"


class NotFittedError(RuntimeError):
    """Raised when predicting with a classifier that has not been fitted or loaded."""


class SpookyClassifier:
    """BiLSTM author classifier with calibrated probabilities over AUTHORS."""

    classes_ = np.array(AUTHORS)

    def __init__(self, config: SpookyConfig | None = None):
        self.config = config if config is not None else SpookyConfig()

    def fit(self, texts: Iterable[str], labels: Sequence[str], verbose: int = 1) -> "SpookyClassifier":
        """Train on sentences and their authors, holding out a stratified validation split.

        The split early-stops the network and then fits the temperature; its scores
        are kept in `validation_`.
        """
        config = self.config
        texts = validate_texts(texts)
        y = encode_labels(labels)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        set_seeds(config.seed)
        train_idx, val_idx = train_test_split(
            np.arange(len(y)), test_size=config.validation_fraction, stratify=y, random_state=config.seed
        )
        tokens = [tokenize(text, config.lowercase) for text in texts]
        self.vocab_ = Vocabulary.build(
            [tokens[i] for i in train_idx],
            min_count=config.min_count,
            max_size=config.max_vocab,
            max_len_percentile=config.max_len_percentile,
        )
        x = self.vocab_.encode_batch(tokens)
        self.network_ = build_bilstm(config, len(self.vocab_), self.vocab_.max_len, len(AUTHORS))
        history = train_network(
            self.network_, config, (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx]), verbose=verbose
        )
        self.history_ = {name: [float(v) for v in values] for name, values in history.history.items()}
        raw = self._network_proba(x[val_idx])
        self.temperature_ = fit_temperature(raw, y[val_idx])
        calibrated = apply_temperature(raw, self.temperature_)
        self.validation_ = {
            "rows": int(len(val_idx)),
            "best_epoch": int(np.argmin(self.history_["val_loss"]) + 1),
            "log_loss_uncalibrated": log_loss(y[val_idx], raw),
            "log_loss": log_loss(y[val_idx], calibrated),
            "accuracy": float(np.mean(calibrated.argmax(axis=1) == y[val_idx])),
        }
        return self

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, 3), columns in AUTHORS order, rows summing to 1."""
        self._check_fitted()
        texts = validate_texts(texts)
        x = self.vocab_.encode_batch([tokenize(text, self.config.lowercase) for text in texts])
        return apply_temperature(self._network_proba(x), self.temperature_)

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most probable author of each sentence, shape (n_samples,)."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def save(self, model_dir: str | Path) -> None:
        """Write the model directory atomically: readers see the old model or the new one."""
        self._check_fitted()
        meta = {
            "format_version": FORMAT_VERSION,
            "lstm_spooky_version": __version__,
            "authors": list(AUTHORS),
            "config": self.config.to_dict(),
            "temperature": self.temperature_,
            "validation": self.validation_,
            "history": self.history_,
        }
        with atomic_directory(model_dir) as tmp:
            (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            self.vocab_.save(tmp / VOCAB_FILE)
            self.network_.save_weights(tmp / WEIGHTS_FILE)

    @classmethod
    def load(cls, model_dir: str | Path) -> "SpookyClassifier":
        """Rebuild a classifier saved by `save`; raises ValueError for anything else."""
        model_dir = Path(model_dir)
        config_path = model_dir / CONFIG_FILE
        if not config_path.is_file():
            raise ValueError(f"{model_dir}: not an lstm-spooky model directory (no {CONFIG_FILE}); run `lstm-spooky fit` first")
        meta = json.loads(config_path.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{model_dir}: model format {meta.get('format_version')!r} is not supported by this "
                f"lstm-spooky (expects {FORMAT_VERSION}); re-run `lstm-spooky fit`"
            )
        model = cls(SpookyConfig.from_dict(meta["config"]))
        model.vocab_ = Vocabulary.load(model_dir / VOCAB_FILE)
        model.network_ = build_bilstm(model.config, len(model.vocab_), model.vocab_.max_len, len(AUTHORS))
        model.network_.load_weights(model_dir / WEIGHTS_FILE)
        model.temperature_ = float(meta["temperature"])
        model.validation_ = meta["validation"]
        model.history_ = meta["history"]
        return model

    def _network_proba(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.network_.predict(x, batch_size=512, verbose=0), dtype=np.float64)

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise NotFittedError("this SpookyClassifier is not fitted yet; call fit() or SpookyClassifier.load()")
