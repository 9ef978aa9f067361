"""The BiLSTM backend: the network builder, and one trained (vocabulary, network) pair.

`build_bilstm` returns an uncompiled Keras functional model whose output is a
probability row per sentence; `BiLSTMBackend` builds its vocabulary from its training
texts, trains the network with early stopping, and saves or loads both.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
from keras import layers
from sklearn.exceptions import NotFittedError

from .config import SpookyConfig
from .model_dir import HISTORY_FILE, read_member_meta
from .tokenize import tokenize
from .training import train_network
from .vocab import Vocabulary

N_CLASSES = 3
FORMAT_VERSION = 1
CONFIG_FILE, VOCAB_FILE, WEIGHTS_FILE = "config.json", "vocab.json", "model.weights.h5"


def build_bilstm(config: SpookyConfig, vocab_size: int, max_len: int, n_classes: int = N_CLASSES) -> keras.Model:
    """Functional BiLSTM classifier: int ids of shape (batch, max_len) -> probabilities (batch, n_classes)."""
    ids = keras.Input(shape=(max_len,), dtype="int32", name="token_ids")
    x = layers.Embedding(vocab_size, config.embedding_dim)(ids)
    x = layers.SpatialDropout1D(config.spatial_dropout)(x)
    x = layers.Bidirectional(layers.LSTM(config.lstm_units, return_sequences=True))(x)
    # Max pooling finds the most telling phrase, average pooling the overall style.
    x = layers.Concatenate()([layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)])
    for units in config.dense_units:
        # ELU, not ReLU: with ReLU, some seeds killed most head units in the first
        # epoch and the network stalled around 60% accuracy.
        x = layers.Dense(units, activation="elu")(x)
        x = layers.Dropout(config.dense_dropout)(x)
    probabilities = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(ids, probabilities, name="spooky_bilstm")


class BiLSTMBackend:
    """One BiLSTM and the vocabulary of the texts it was trained on."""

    def __init__(self, config: SpookyConfig | None = None):
        self.config = config if config is not None else SpookyConfig()

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray],
        callbacks: list[keras.callbacks.Callback] | None = None,
        n_classes: int | None = None,
    ) -> "BiLSTMBackend":
        """Train on `texts` (class ids `y`, 0 .. n_classes - 1), early-stopping on the `validation` texts and ids."""
        self.n_classes_ = n_classes if n_classes is not None else int(np.max(y)) + 1
        self.vocab_ = Vocabulary.build(
            self._tokenize(texts),
            min_count=self.config.min_count,
            max_size=self.config.max_vocab,
            max_len_percentile=self.config.max_len_percentile,
        )
        self.network_ = build_bilstm(self.config, len(self.vocab_), self.vocab_.max_len, self.n_classes_)
        val_texts, val_y = validation
        history = train_network(
            self.network_, self.config, (self._encode(texts), y), (self._encode(val_texts), val_y), callbacks
        )
        self.history_ = {name: [float(v) for v in values] for name, values in history.history.items()}
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Network probabilities, shape (n_samples, n_classes), before any calibration."""
        if not hasattr(self, "network_"):
            raise NotFittedError("this BiLSTMBackend is not fitted yet; call fit() or BiLSTMBackend.load()")
        return np.asarray(self.network_.predict(self._encode(texts), batch_size=512, verbose=0), dtype=np.float64)

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        meta = {"format_version": FORMAT_VERSION, "n_classes": self.n_classes_, "config": self.config.to_dict()}
        (directory / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        (directory / HISTORY_FILE).write_text(json.dumps(self.history_), encoding="utf-8")
        self.vocab_.save(directory / VOCAB_FILE)
        self.network_.save_weights(directory / WEIGHTS_FILE)

    @classmethod
    def load(cls, directory: Path) -> "BiLSTMBackend":
        meta = read_member_meta(directory, FORMAT_VERSION, "BiLSTM")
        backend = cls(SpookyConfig.from_dict(meta["config"]))
        backend.vocab_ = Vocabulary.load(directory / VOCAB_FILE)
        backend.n_classes_ = meta.get("n_classes", N_CLASSES)
        backend.network_ = build_bilstm(backend.config, len(backend.vocab_), backend.vocab_.max_len, backend.n_classes_)
        backend.network_.load_weights(directory / WEIGHTS_FILE)
        backend.history_ = json.loads((directory / HISTORY_FILE).read_text(encoding="utf-8"))
        return backend

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        return [tokenize(text, self.config.lowercase) for text in texts]

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.vocab_.encode_batch(self._tokenize(texts))
