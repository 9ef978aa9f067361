"""The network: embedding -> BiLSTM -> pooling -> stacked-dropout head -> softmax.

`build_bilstm` returns an uncompiled Keras functional model whose output is a
probability row per sentence; training choices (optimizer, loss) live in training.py.
"""

from __future__ import annotations

import keras
from keras import layers

from .config import SpookyConfig
from .vocab import PAD_ID, UNK_ID


class TokenDropout(layers.Layer):
    """During training, replace a random share of the (non-padding) ids with UNK.

    Spatial dropout blanks embedding channels; this blanks whole words, so the model
    cannot lean on any single rare word that identifies a training sentence, and it
    learns what an unknown word looks like, as held-out text is full of them.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=None):
        if not training or self.rate == 0:
            return ids
        drop = keras.random.uniform(keras.ops.shape(ids), seed=self.seed_generator) < self.rate
        return keras.ops.where(drop & (ids != PAD_ID), keras.ops.full_like(ids, UNK_ID), ids)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


def build_bilstm(config: SpookyConfig, vocab_size: int, max_len: int, n_classes: int = 3) -> keras.Model:
    """Functional BiLSTM classifier: int ids of shape (batch, max_len) -> probabilities (batch, n_classes)."""
    ids = keras.Input(shape=(max_len,), dtype="int32", name="token_ids")
    x = TokenDropout(config.token_dropout, seed=config.seed)(ids)
    x = layers.Embedding(vocab_size, config.embedding_dim)(x)
    x = layers.SpatialDropout1D(config.spatial_dropout, seed=config.seed)(x)
    x = layers.Bidirectional(layers.LSTM(config.lstm_units, return_sequences=True))(x)
    # Max pooling finds the most telling phrase, average pooling the overall style.
    x = layers.Concatenate()([layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)])
    for units in config.dense_units:
        x = layers.Dense(units, activation="relu")(x)
        x = layers.Dropout(config.dense_dropout, seed=config.seed)(x)
    probabilities = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(ids, probabilities, name="spooky_bilstm")
