"""Training loop settings: seeds, optimizer, early stopping, batches of like-length sentences, and the epochs' progress.

Sentences are left-padded to the vocabulary's max_len (the 99th percentile, 95 tokens on
Kaggle's data) but most are far shorter (median 26). Each sentence is therefore cut to a
width of its own, its token count rounded up to a multiple of WIDTH_STEP, and a batch
holds sentences of one width: the BiLSTM reads about a third of the steps. A sentence's
width depends on nothing but the sentence, so its prediction never depends on the
other sentences in its batch.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from ..config import SpookyConfig
from ..text.vocab import PAD_ID
from .base import FitProgress

WIDTH_STEP = 16  # tokens; 8 gave no faster epochs (more, smaller batches), 32 pads more
PREDICT_BATCH = 512


def set_seeds(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow (the Keras backend), so the same seed gives the same model on one machine."""
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


def padded_widths(token_ids: np.ndarray, step: int = WIDTH_STEP) -> np.ndarray:
    """Each row's width: its token count rounded up to a multiple of `step`, at most the full width.

    `token_ids` is left-padded with PAD_ID, shape (n_samples, max_len).
    """
    tokens = (token_ids != PAD_ID).sum(axis=1)
    return np.minimum(np.maximum(np.ceil(tokens / step), 1) * step, token_ids.shape[1]).astype(np.int64)


def width_batches(widths: np.ndarray, batch_size: int, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Row indices of each batch, every batch of one width; with `rng`, rows and batches are shuffled."""
    batches = []
    for width in np.unique(widths):
        rows = np.flatnonzero(widths == width)
        if rng is not None:
            rows = rng.permutation(rows)
        batches += [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def cut(inputs: dict[str, np.ndarray], rows: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """Rows `rows` of every input, keeping their last `width` positions (the padding is on the left)."""
    return {name: values[rows][:, -width:] for name, values in inputs.items()}


def input_signature(inputs: dict[str, np.ndarray]) -> dict[str, tf.TensorSpec]:
    """TensorSpecs of `inputs` (by name) for batches of any size and width."""
    return {
        name: tf.TensorSpec((None, None, *values.shape[2:]), tf.as_dtype(values.dtype))
        for name, values in inputs.items()
    }


def width_dataset(
    inputs: dict[str, np.ndarray], y: np.ndarray, batch_size: int, seed: int | None = None
) -> tuple[tf.data.Dataset, int]:
    """A dataset of (inputs, y) batches of like-length sentences, and its number of batches.

    With `seed`, each pass (epoch) draws a new order from one seeded generator: the same
    seed gives the same epochs.
    """
    widths = padded_widths(inputs["token_ids"])
    rng = np.random.default_rng(seed) if seed is not None else None

    def batches():
        for rows in width_batches(widths, batch_size, rng):
            yield cut(inputs, rows, int(widths[rows[0]])), y[rows]

    signature = (input_signature(inputs), tf.TensorSpec((None,), tf.as_dtype(y.dtype)))
    n_batches = len(width_batches(widths, batch_size))
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(n_batches)), n_batches


def predict_by_width(model: keras.Model, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """The network's probabilities, shape (n_samples, n_classes), batches of one width.

    Each batch goes through one traced function of any batch size and width (`_traced`):
    the same numbers as `predict_on_batch`, which traces its graph again for a new width
    (2.8 s -> 1.6 s for the five fold networks' first 2,048 test rows), and without the
    dataset and iterator that `predict` builds per call.
    """
    widths = padded_widths(inputs["token_ids"])
    predict = _traced(model, inputs)
    proba = None
    for rows in width_batches(widths, PREDICT_BATCH):
        part = predict(cut(inputs, rows, int(widths[rows[0]]))).numpy()
        if proba is None:
            proba = np.zeros((len(widths), part.shape[1]), dtype=np.float64)
        proba[rows] = part
    return proba


_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its traced prediction


def _traced(model: keras.Model, inputs: dict[str, np.ndarray]) -> Callable:
    """`model` in inference mode as a TensorFlow function of inputs shaped like `inputs`, of any batch
    size and width."""
    if model not in _TRACED:
        network = weakref.ref(model)  # the function must not keep its own key alive
        _TRACED[model] = tf.function(
            lambda batch: network()(batch, training=False), input_signature=[input_signature(inputs)]
        )
    return _TRACED[model]


def train_network(
    model: keras.Model,
    config: SpookyConfig,
    train: tuple[dict[str, np.ndarray], np.ndarray],
    validation: tuple[dict[str, np.ndarray], np.ndarray],
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> keras.callbacks.History:
    """Fit until validation log loss stops improving, then restore the best epoch's weights.

    `train` and `validation` are (inputs by name, class ids); see `width_dataset`.
    """
    train_batches, steps_per_epoch = width_dataset(*train, config.batch_size, seed=config.seed)
    validation_batches, _ = width_dataset(*validation, PREDICT_BATCH)
    compile_network(model, config, steps_per_epoch=steps_per_epoch)
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    return model.fit(
        train_batches,
        validation_data=validation_batches,
        epochs=config.max_epochs,
        callbacks=[early_stopping, *(callbacks or [])],
        shuffle=False,  # width_dataset shuffles
        verbose=0,
    )


def progress_callback(progress: FitProgress, max_epochs: int, every_seconds: float = 30.0) -> keras.callbacks.Callback:
    """A Keras callback that reports a fit's epochs to `progress`: the epochs done at every batch, a line
    at every epoch's end, and one every `every_seconds` within longer epochs (a BERT on a CPU)."""
    return _ProgressLogger(progress, max_epochs, every_seconds)


class _ProgressLogger(keras.callbacks.Callback):
    def __init__(self, progress: FitProgress, max_epochs: int, every_seconds: float):
        super().__init__()
        self.progress, self.max_epochs, self.every_seconds = progress, max_epochs, every_seconds

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.started = self.last_line = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        steps = self.params.get("steps")
        if not steps:
            return
        where = f"epoch {self.epoch + 1}/{self.max_epochs}"
        self.progress.epochs(self.epoch + (batch + 1) / steps, where)
        if now - self.last_line < self.every_seconds:
            return
        self.last_line = now
        self.progress.line(f"{where}  batch {batch + 1}/{steps}  loss {(logs or {}).get('loss', float('nan')):.4f}")

    def on_epoch_end(self, epoch, logs=None):
        where = f"epoch {epoch + 1}/{self.max_epochs}"
        self.progress.epochs(epoch + 1, where)
        logs = logs or {}
        self.progress.line(
            f"{where}  loss {logs.get('loss', float('nan')):.4f}  val_loss {logs.get('val_loss', float('nan')):.4f}  "
            f"val_acc {logs.get('val_accuracy', float('nan')):.4f}  {time.perf_counter() - self.started:.0f}s"
        )
