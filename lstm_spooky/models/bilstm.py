"""The BiLSTM base model: the network builder, and one trained (vocabulary, ratios, network) triple.

`build_bilstm` returns an uncompiled Keras functional model whose output is a
probability row per sentence. Each token reaches the BiLSTM as its learned word
embedding joined to its naive Bayes log-count ratios (text/nb_ratios.py: what the word, and
the word pair and triple ending at it, say of each label in the training rows). This
took one network from 0.435 to 0.308 log loss on held-out Kaggle sentences
(docs/experiments.md): a word-id embedding learns little from a word seen five times, counting does.
A network stacked beside n-gram models reads the words' ratios only, and learns word
order itself (`SpookyConfig.network_nb_orders`).
`BiLSTMModel`
builds the vocabulary and the ratio tables from its training texts, trains the network
with early stopping, and saves or loads all three.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ..config import SpookyConfig
from ..text.nb_ratios import NBTokenRatios
from ..text.tokenize import tokenize
from ..text.vocab import Vocabulary
from .base import HISTORY_FILE, FitProgress, SettingsModel, read_member_meta, write_member_meta
from .training import predict_by_width, progress_callback, train_network

FORMAT_VERSION = 2  # 2: NB ratio tables beside the vocabulary
VOCAB_FILE, WEIGHTS_FILE = "vocab.json", "model.weights.h5"


def build_bilstm(config: SpookyConfig, vocab_size: int, n_ratios: int, n_classes: int) -> keras.Model:
    """Functional BiLSTM classifier: probabilities of shape (batch, n_classes) from a dict of inputs

    token_ids  int ids, shape (batch, length), and
    nb_ratios  each token's NB log-count ratios, shape (batch, length, n_ratios) (left out when n_ratios is 0);

    any length: batches are cut to the width of their sentences (training.py).
    """
    inputs = {"token_ids": keras.Input(shape=(None,), dtype="int32", name="token_ids")}
    x = layers.Embedding(vocab_size, config.embedding_dim)(inputs["token_ids"])
    if n_ratios:
        ratios = inputs["nb_ratios"] = keras.Input(shape=(None, n_ratios), name="nb_ratios")
        x = layers.Concatenate()([x, ratios])
    x = layers.SpatialDropout1D(config.spatial_dropout)(x)
    x = layers.Bidirectional(layers.LSTM(config.lstm_units, return_sequences=True))(x)
    # Max pooling finds the most telling phrase, average pooling the overall style.
    pooled = [layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)]
    if n_ratios:
        # The ratios' mean is naive Bayes' own verdict on the sentence, handed straight to the
        # head; the BiLSTM then only has to learn where context overrides it.
        pooled.append(layers.GlobalAveragePooling1D()(ratios))
    x = layers.Concatenate()(pooled)
    for units in config.dense_units:
        # ELU, not ReLU: with ReLU, some seeds killed most head units in the first
        # epoch and the network stalled around 60% accuracy.
        x = layers.Dense(units, activation="elu")(x)
        x = layers.Dropout(config.dense_dropout)(x)
    probabilities = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, probabilities, name="spooky_bilstm")


class BiLSTMModel(SettingsModel):
    """One BiLSTM, with the vocabulary and the NB ratio tables of the texts it was trained on."""

    settings_class, fitted_attribute = SpookyConfig, "network_"

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray],
        n_classes: int | None = None,
        progress: FitProgress | None = None,
    ) -> BiLSTMModel:
        """Train on `texts` (class ids `y`, 0 .. n_classes - 1), early-stopping on the `validation` texts and ids;
        each epoch's progress goes to `progress`."""
        config = self.config
        self.n_classes_ = n_classes if n_classes is not None else int(np.max(y)) + 1
        tokens = self._tokenize(texts)
        self.vocab_ = Vocabulary.build(
            tokens, min_count=config.min_count, max_size=config.max_vocab, max_len_percentile=config.max_len_percentile
        )
        self.ratios_ = NBTokenRatios(config.network_nb_orders(), config.nb_alpha)
        # The training rows' own ratios are cross-fitted: counted without the row itself.
        train_ratios = self.ratios_.fit_transform(
            tokens, y, self.n_classes_, self.vocab_.max_len, config.nb_cross_fit_folds, config.seed
        )
        self.network_ = self._build()
        train_inputs = self._inputs(tokens, train_ratios)
        val_texts, val_y = validation
        callbacks = [progress_callback(progress, config.max_epochs)] if progress is not None else []
        history = train_network(self.network_, config, (train_inputs, y), (self._encode(val_texts), val_y), callbacks)
        self.history_ = {name: [float(v) for v in values] for name, values in history.history.items()}
        # Adam's moments would triple the saved weights; predicting needs none of them.
        self.network_.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Network probabilities, shape (n_samples, n_classes), before any calibration."""
        self._check_fitted()
        return predict_by_width(self.network_, self._encode(texts))

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        write_member_meta(directory, FORMAT_VERSION, self.config, self.n_classes_)
        (directory / HISTORY_FILE).write_text(json.dumps(self.history_), encoding="utf-8")
        self.vocab_.save(directory / VOCAB_FILE)
        self.ratios_.save(directory)
        self.network_.save_weights(directory / WEIGHTS_FILE)

    @classmethod
    def load(cls, directory: Path) -> BiLSTMModel:
        meta = read_member_meta(directory, FORMAT_VERSION, "BiLSTM")
        model = cls(SpookyConfig.from_dict(meta["config"]))
        model.vocab_ = Vocabulary.load(directory / VOCAB_FILE)
        model.n_classes_ = meta["n_classes"]
        model.ratios_ = NBTokenRatios.load(directory)
        model.network_ = model._build()
        model.network_.load_weights(directory / WEIGHTS_FILE)
        model.history_ = json.loads((directory / HISTORY_FILE).read_text(encoding="utf-8"))
        return model

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        return [tokenize(text, self.config.lowercase) for text in texts]

    def _build(self) -> keras.Model:
        n_ratios = self.ratios_.n_features if self.ratios_.orders else 0
        return build_bilstm(self.config, len(self.vocab_), n_ratios, self.n_classes_)

    def _inputs(self, tokens: list[list[str]], ratios: np.ndarray) -> dict[str, np.ndarray]:
        inputs = {"token_ids": self.vocab_.encode_batch(tokens)}
        if self.ratios_.orders:
            inputs["nb_ratios"] = ratios
        return inputs

    def _encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The network's inputs for sentences it predicts: ratios from all training rows."""
        tokens = self._tokenize(texts)
        return self._inputs(tokens, self.ratios_.transform(tokens, self.vocab_.max_len))
