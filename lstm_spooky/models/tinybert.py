"""The TinyBERT base model (optional): fine-tune a small pretrained BERT with KerasHub.

This is the only module that imports keras_hub, which the `bert` extra installs
(`pip install 'lstm-spooky[bert]'`). `BertConfig.preset` names the starting point:

- a KerasHub preset name such as `bert_tiny_en_uncased` (downloaded on first use);
- a local KerasHub preset folder;
- a local Hugging Face BERT folder with `model.safetensors`, `vocab.txt` and
  `tokenizer_config.json`. TinyBERT as the Hub serves it lacks the last two;
  `lstm-spooky convert-bert` (convert_bert.py) adds them.

The network is KerasHub's BertTextClassifier: the backbone's pooled [CLS] output,
dropout, and a Dense layer with a softmax. It returns probabilities, so the loss reads
them as such (`from_logits=False`); pairing a softmax head with a from-logits loss
trains on doubly-squashed scores, which Keras warns about. Training is AdamW with a
linear warm-up then cosine decay, early-stopped on the held-out fold like the BiLSTM.

A saved member directory holds:

    config.json    format version and the BertConfig
    history.json   per-epoch loss and val_loss
    preset/        the fine-tuned classifier with its tokenizer, as a KerasHub preset
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import socket
import warnings
from pathlib import Path
from urllib.parse import urlparse

import keras
import keras_hub
import numpy as np
import tensorflow as tf

from ..config import BertConfig
from ..data.labels import check_training_set
from ..probability import EPS
from .base import CONFIG_FILE, HISTORY_FILE, FitProgress, SettingsModel, read_member_meta, write_member_meta
from .training import progress_callback

FORMAT_VERSION = 1
PRESET_DIR = "preset"
HF_FILES = ("model.safetensors", "vocab.txt", "tokenizer_config.json")
# Where each kind of preset handle downloads from, to tell "offline" from other failures.
HUB_HOSTS = {"hf": "huggingface.co", "kaggle": "www.kaggle.com", "modelscope": "www.modelscope.cn"}


class TinyBERTModel(SettingsModel):
    """A pretrained BERT fine-tuned to tell the labels (authors) apart."""

    settings_class, fitted_attribute = BertConfig, "classifier_"

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray],
        n_classes: int | None = None,
        progress: FitProgress | None = None,
    ) -> TinyBERTModel:
        """Fine-tune on `texts` (class ids `y`, 0 .. n_classes - 1), early-stopping on the `validation` texts and ids;
        each epoch's progress goes to `progress`."""
        config = self.config
        texts, y = check_training_set(texts, y, n_classes)
        self.classifier_ = build_classifier(config, int(y.max()) + 1)
        steps = config.epochs * math.ceil(len(texts) / config.batch_size)
        compile_classifier(self.classifier_, config, steps)
        early_stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.patience, restore_best_weights=True
        )
        # KerasHub batches plain arrays in the same order every epoch (its `shuffle` is
        # ignored), so the rows go in as a dataset reshuffled each epoch, seeded per fold.
        val_texts, val_y = validation
        batches = tf.data.Dataset.from_tensor_slices((texts, y)).shuffle(len(texts), reshuffle_each_iteration=True)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="`shuffle=True` was passed")  # it is, just above
            history = self.classifier_.fit(
                batches.batch(config.batch_size),
                validation_data=(np.array(val_texts, dtype=object), np.asarray(val_y)),
                epochs=config.epochs,
                callbacks=[
                    early_stopping,
                    *([progress_callback(progress, config.epochs)] if progress is not None else []),
                ],
                verbose=0,
            )
        self.history_ = {name: [float(v) for v in values] for name, values in history.history.items()}
        # AdamW's moments would triple the saved model's size; predicting needs none of them.
        self.classifier_.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False), metrics=["accuracy"]
        )
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, n_classes), columns in class-id order, inside (0, 1)."""
        self._check_fitted()
        proba = self.classifier_.predict(
            np.array(list(texts), dtype=object), batch_size=4 * self.config.batch_size, verbose=0
        )
        proba = np.clip(np.asarray(proba, dtype=np.float64), EPS, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        directory = Path(directory)
        write_member_meta(directory, FORMAT_VERSION, self.config)
        (directory / HISTORY_FILE).write_text(json.dumps(self.history_), encoding="utf-8")
        self.classifier_.save_to_preset(str(directory / PRESET_DIR))

    @classmethod
    def load(cls, directory: Path) -> TinyBERTModel:
        """Rebuild a model written by `save`; raises ValueError for any other format."""
        directory = Path(directory)
        meta = read_member_meta(directory, FORMAT_VERSION, "TinyBERT")
        model = cls(BertConfig.from_dict(meta["config"]))
        model.classifier_ = keras_hub.models.TextClassifier.from_preset(str(directory / PRESET_DIR))
        model.history_ = json.loads((directory / HISTORY_FILE).read_text(encoding="utf-8"))
        return model


def build_classifier(config: BertConfig, n_classes: int = 3) -> keras_hub.models.BertTextClassifier:
    """The pretrained backbone of `config.preset` with a fresh `n_classes`-way softmax head."""
    source = preset_source(config.preset)
    with _hub_errors_explained(config.preset):
        backbone = keras_hub.models.BertBackbone.from_preset(source)
        preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(
            source, sequence_length=config.sequence_length
        )
    return keras_hub.models.BertTextClassifier(
        backbone, num_classes=n_classes, preprocessor=preprocessor, activation="softmax", dropout=config.dropout
    )


def compile_classifier(classifier: keras.Model, config: BertConfig, total_steps: int) -> None:
    """AdamW, warm-up then cosine decay, and a loss that reads the head's probabilities."""
    warmup = int(config.warmup_fraction * total_steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        decay_steps=max(total_steps - warmup, 1),
        warmup_target=config.learning_rate,
        warmup_steps=warmup,
    )
    optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=config.weight_decay, global_clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    classifier.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy"],
    )


def check_preset(preset: str) -> int:
    """Load the backbone of `preset` (raising ValueError if it cannot be) and return its parameter count."""
    with _hub_errors_explained(preset):
        return keras_hub.models.BertBackbone.from_preset(preset_source(preset)).count_params()


def preset_source(preset: str) -> str:
    """What to hand KerasHub for `preset`, after checking a local folder is complete.

    A Hugging Face folder that still lacks a file KerasHub needs (TinyBERT as downloaded)
    gets an error that says how to convert it.
    """
    path = Path(preset).expanduser()
    if path.is_dir():
        config_file = path / CONFIG_FILE
        if not config_file.is_file():
            raise ValueError(
                f"BERT preset {preset}: no {CONFIG_FILE}; give a KerasHub preset or a Hugging Face BERT folder"
            )
        if "registered_name" not in json.loads(config_file.read_text(encoding="utf-8")):  # a Hugging Face folder
            missing = [name for name in HF_FILES if not (path / name).is_file()]
            if missing:
                raise ValueError(
                    f"BERT preset {preset}: a Hugging Face folder without {', '.join(missing)}; "
                    f"convert it first: lstm-spooky convert-bert {preset} {preset.rstrip('/')}-keras"
                )
        return str(path)
    if "://" not in preset and (preset.startswith((".", "~")) or "/" in preset or "\\" in preset):
        raise ValueError(f"BERT preset {preset}: no such folder")
    return preset


@contextlib.contextmanager
def _hub_errors_explained(preset: str):
    """Turn any failure to fetch a preset into one sentence that says what to do offline."""
    hub_logger = logging.getLogger("huggingface_hub")
    level = hub_logger.level
    hub_logger.setLevel(logging.ERROR)  # its per-retry warnings say nothing the error won't
    try:
        yield
    except Exception as error:
        if Path(preset).expanduser().is_dir():
            raise ValueError(f"BERT preset {preset}: KerasHub cannot load it ({_first_line(error)})") from None
        host = HUB_HOSTS.get(urlparse(preset).scheme, HUB_HOSTS["kaggle"])
        reason = f"{host} cannot be reached from this machine" if not _resolves(host) else _first_line(error)
        raise ValueError(
            f"could not load BERT preset {preset!r}: {reason}; without internet, download the model "
            "where you have it and pass --bert-preset /path/to/its/folder (see `lstm-spooky convert-bert --help`)"
        ) from None
    finally:
        hub_logger.setLevel(level)


def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]
