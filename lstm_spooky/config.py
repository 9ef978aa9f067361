"""Hyperparameters of the classifier, in one dataclass saved beside the model.

A saved model directory stores this config as JSON, so `SpookyConfig.from_dict` is all
`submit` needs to rebuild the exact models that `fit` trained. The BiLSTM's settings
are the top-level fields; the n-gram backends keep theirs in nested dataclasses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .lm import LMConfig
from .nblr import NBLRConfig

MODELS = ("bilstm", "nblr", "lm")  # the base models a SpookyConfig may name


@dataclass(frozen=True)
class SpookyConfig:
    # Base models to train; several are combined by a stacked logistic regression. All
    # three stack to a lower log loss than any alone and fit in about 3 minutes on 2 cores.
    models: tuple[str, ...] = ("bilstm", "nblr", "lm")
    stack_c: float = 1.0  # inverse L2 strength of the stacking regression
    nblr: NBLRConfig = field(default_factory=NBLRConfig)
    lm: LMConfig = field(default_factory=LMConfig)

    # tokenizer and vocabulary
    lowercase: bool = True
    min_count: int = 2  # words seen once carry no signal a held-out sentence can reuse
    max_vocab: int = 30_000
    max_len_percentile: float = 99.0  # longer sentences are truncated at this length

    # network
    embedding_dim: int = 64
    spatial_dropout: float = 0.3
    lstm_units: int = 64
    dense_units: tuple[int, ...] = (64, 32)  # one Dense+Dropout block per entry
    dense_dropout: float = 0.4

    # training
    learning_rate: float = 2e-3
    lr_decay: float = 0.5  # learning rate multiplier per epoch: the best epoch is usually the 2nd or 3rd
    batch_size: int = 64
    max_epochs: int = 10
    patience: int = 2  # epochs without a better validation log loss before stopping
    folds: int = 5  # one network per stratified fold, averaged; 1 trains a single network
    validation_fraction: float = 0.1  # held out for early stopping when folds == 1
    seed: int = 42

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "SpookyConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; was the model saved by a newer lstm-spooky?")
        values = dict(values)
        for name in ("dense_units", "models"):
            if name in values:
                values[name] = tuple(values[name])
        if "nblr" in values:
            values["nblr"] = NBLRConfig.from_dict(values["nblr"])
        if "lm" in values:
            values["lm"] = LMConfig.from_dict(values["lm"])
        return cls(**values)

    def replace(self, **changes) -> "SpookyConfig":
        return dataclasses.replace(self, **changes)
