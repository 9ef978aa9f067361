"""A base model that remembers and knows nothing else: the test of any claim that a row is never scored by a
model that learnt its label (out-of-fold stacking, cross-fitted pools, grouped folds)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lstm_spooky.models.base import with_pool
from lstm_spooky.models.registry import ModelEntry

CERTAIN = 1 - 1e-6  # as sure as a model gets: its log loss on the sentence is about 1e-6


class Memoriser:
    """Remembers each training sentence's label: near certain of it for that exact sentence, uniform over the
    labels for anything else. Pseudo-labelled sentences (`fit_with_pool`) are remembered like any others."""

    def __init__(self, settings=None):
        self.settings = settings

    def fit(self, texts, y, validation=None, n_classes=None, progress=None):
        self.n_classes_, self.seen_ = n_classes, dict(zip(texts, map(int, y)))
        return self

    def fit_with_pool(self, texts, y, pool, n_classes):
        return self.fit(*with_pool(texts, y, pool), None, n_classes)

    def predict_proba(self, texts):
        proba = np.full((len(texts), self.n_classes_), 1 / self.n_classes_)
        for row, text in enumerate(texts):
            if text in self.seen_:
                proba[row] = (1 - CERTAIN) / (self.n_classes_ - 1)
                proba[row, self.seen_[text]] = CERTAIN
        return proba

    def save(self, directory: Path) -> None:
        (directory / "seen.json").write_text(json.dumps({"n_classes": self.n_classes_, "seen": self.seen_}))

    @classmethod
    def load(cls, directory: Path) -> Memoriser:
        saved = json.loads((directory / "seen.json").read_text())
        model = cls()
        model.n_classes_, model.seen_ = saved["n_classes"], saved["seen"]
        return model


def memoriser_entry(name: str = "memoriser") -> ModelEntry:
    """A registry entry for the Memoriser under `name` (another model's name, to take its place in a stack)."""
    return ModelEntry(name=name, target=f"{__name__}:Memoriser", summary="remembers each training sentence's label")
