"""Training loop settings: seeds, optimizer, early stopping, and progress a person can follow."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras
import numpy as np

from .config import SpookyConfig


def set_seeds(seed: int) -> None:
    """Seed Python, NumPy and the backend, so the same seed gives the same model on one machine."""
    keras.utils.set_random_seed(seed)


def compile_network(model: keras.Model, config: SpookyConfig, steps_per_epoch: int) -> None:
    """Adam with the learning rate decayed once per epoch, and log loss as the loss.

    The network ends in a softmax, so the loss reads probabilities (from_logits=False).
    Gradients are clipped: without it an LSTM at this learning rate now and then takes
    one huge step in the first epochs and never recovers.
    """
    schedule = keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, decay_steps=steps_per_epoch, decay_rate=config.lr_decay, staircase=True
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy"],
    )


def train_network(
    model: keras.Model,
    config: SpookyConfig,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
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
        verbose=0,
    )


class FitProgress:
    """Tracks epochs across all folds of one fit and estimates the time left.

    Until a fold has finished, a fold is guessed to take `expected_epochs` epochs (early
    stopping usually ends there); afterwards the finished folds' mean is used. Epochs
    longer than `every_seconds` (a BERT on a CPU) also get a line every `every_seconds`.
    """

    def __init__(self, folds: int, max_epochs: int, expected_epochs: int, log: Callable[[str], None], every_seconds: float = 30.0):
        self.folds, self.max_epochs, self.expected_epochs, self.log = folds, max_epochs, expected_epochs, log
        self.every_seconds = every_seconds
        self.finished_epochs: list[int] = []
        self.epochs_run = 0
        self.training_seconds = 0.0

    def callback(self, fold: int) -> keras.callbacks.Callback:
        """A Keras callback that logs the progress of fold `fold` (0-based)."""
        return _ProgressLogger(self, fold)

    def fold_done(self, epochs: int) -> None:
        self.finished_epochs.append(epochs)

    def seconds_left(self, fold: int, epoch: float, epoch_seconds: float | None = None) -> float:
        """Estimated seconds left once `epoch` epochs (a fraction while one is running) of fold `fold` are done.

        `epoch_seconds` is the running epoch's projected length, used until an epoch has finished.
        """
        per_fold = np.mean(self.finished_epochs) if self.finished_epochs else self.expected_epochs
        epochs_left = max(per_fold - epoch, 0) + per_fold * (self.folds - fold - 1)
        per_epoch = self.training_seconds / self.epochs_run if self.epochs_run else (epoch_seconds or 0.0)
        return epochs_left * per_epoch


class _ProgressLogger(keras.callbacks.Callback):
    def __init__(self, progress: FitProgress, fold: int):
        super().__init__()
        self.progress, self.fold = progress, fold

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.started = self.last_line = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        p, now = self.progress, time.perf_counter()
        steps = self.params.get("steps")
        if now - self.last_line < p.every_seconds or not steps:
            return
        self.last_line = now
        done = (batch + 1) / steps
        p.log(
            f"fold {self.fold + 1}/{p.folds}  epoch {self.epoch + 1}/{p.max_epochs}  batch {batch + 1}/{steps}  "
            f"loss {(logs or {}).get('loss', float('nan')):.4f}  "
            f"~{_minutes(p.seconds_left(self.fold, self.epoch + done, (now - self.started) / done))} left"
        )

    def on_epoch_end(self, epoch, logs=None):
        p = self.progress
        seconds = time.perf_counter() - self.started
        p.epochs_run += 1
        p.training_seconds += seconds
        logs = logs or {}
        p.log(
            f"fold {self.fold + 1}/{p.folds}  epoch {epoch + 1}/{p.max_epochs}  "
            f"loss {logs.get('loss', float('nan')):.4f}  val_loss {logs.get('val_loss', float('nan')):.4f}  "
            f"val_acc {logs.get('val_accuracy', float('nan')):.4f}  {seconds:.0f}s  "
            f"~{_minutes(p.seconds_left(self.fold, epoch + 1))} left"
        )


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
