"""Training loop settings: seeds, optimizer, early stopping on validation log loss."""

from __future__ import annotations

import math

import keras
import numpy as np

from .config import SpookyConfig


def set_seeds(seed: int) -> None:
    """Seed Python, NumPy and the backend, so the same seed gives the same model on one machine."""
    keras.utils.set_random_seed(seed)


def compile_network(model: keras.Model, config: SpookyConfig, steps_per_epoch: int) -> None:
    """Adam with the learning rate decayed once per epoch, and log loss as the loss.

    The network ends in a softmax, so the loss reads probabilities (from_logits=False).
    """
    schedule = keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, decay_steps=steps_per_epoch, decay_rate=config.lr_decay, staircase=True
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy"],
    )


def train_network(
    model: keras.Model,
    config: SpookyConfig,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    verbose: int = 1,
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> keras.callbacks.History:
    """Fit until validation log loss stops improving, then restore the best epoch's weights."""
    x_train, y_train = train
    compile_network(model, config, steps_per_epoch=math.ceil(len(x_train) / config.batch_size))
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    return model.fit(
        x_train,
        y_train,
        validation_data=validation,
        epochs=config.max_epochs,
        batch_size=config.batch_size,
        callbacks=[early_stopping, *(callbacks or [])],
        verbose=verbose,
    )
