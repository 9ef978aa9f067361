"""The contract every base model keeps, written once; it imports no model.

A base model learns from sentences and class ids (0 .. n_classes - 1) and returns one
probability row per sentence. The ensemble (`ensemble/`) trains one per fold on the same
folds, stacks or calibrates what they say of held-out rows, and saves each into a directory
of its own; it knows a model only through `BaseModel` below and its entry in
`registry.MODELS` (its settings, whether it is a network trained by epochs, whether it
can explain).

Required, `BaseModel`: built from its settings (`Model(settings)`), then `fit`,
`predict_proba`, `save`, and the class method `load`.

Optional, each a protocol of its own that the ensemble tests with `isinstance`:

- `StackFeatures`: what the stack reads instead of the centred log-probabilities (SVM
  margins, language-model likelihood ratios): `stack_features(texts)`, of fixed width;
- `TokenScores`: how far each token pushed each sentence towards each label, for
  `predict --explain`: `token_scores(texts)`, one (n_tokens, n_labels) array per text,
  tokens as `text.tokenize.tokenize(text)` gives them (lowercased);
- `PoolFit`: learns from pseudo-labelled sentences besides the labelled ones, for
  `fit --unlabeled` (ensemble/cross_fit.py): `fit_with_pool(texts, y, pool, n_classes)`, where
  the pool's rows join what the model counts and weighs but never what calibrates it;
- a network (its registry entry says `epochs`) reports its epochs to `progress` while it
  fits and keeps Keras' per-epoch logs in `history_` (`loss`, `val_loss`, ...).

The models of this package inherit what they share from `SettingsModel` (built from their
settings, a fitted check) and, fitted by counting, `NGramModel` (`fit` is `fit_with_pool`
without a pool); a model added from outside needs neither.

A member's directory holds a config.json with the model's own format version
(`read_member_meta`), and whatever else its `save` writes.
"""

from __future__ import annotations

import abc
import json
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

CONFIG_FILE = "config.json"  # every member's settings and format version
HISTORY_FILE = "history.json"  # a network's per-epoch logs, which the report plots


class FitProgress(Protocol):
    """What a network reports while it trains (the ensemble's run plan turns it into the fit's progress view)."""

    def epochs(self, done: float, detail: str) -> None:
        """`done` epochs are finished, a fraction while one runs; `detail` says where ("epoch 2/10")."""

    def line(self, text: str) -> None:
        """A log line about the running fit ("epoch 2/10  loss 0.41  val_loss 0.38 ...")."""


@runtime_checkable
class BaseModel(Protocol):
    """A base model: probabilities of the labels, fitted per fold, saved without pickle."""

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray] | None,
        n_classes: int,
        progress: FitProgress | None = None,
    ) -> BaseModel:
        """Learn from `texts` and class ids `y`. `validation` (texts, ids) are the fold's held-out rows,
        which only a network reads (to stop early); `n_classes` is given, not read off `y`, so that
        a fold missing a label is an error rather than a model with fewer columns."""

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, n_classes), columns in class-id order."""

    def save(self, directory: Path) -> None:
        """Write into the existing empty `directory`; the caller makes the write atomic."""

    @classmethod
    def load(cls, directory: Path) -> BaseModel:
        """The model `save` wrote; ValueError for another format."""


@runtime_checkable
class StackFeatures(Protocol):
    def stack_features(self, texts: list[str]) -> np.ndarray:
        """What the stack reads of each text, shape (n_samples, k) with k fixed by the fitted model."""


@runtime_checkable
class TokenScores(Protocol):
    def token_scores(self, texts: list[str]) -> list[np.ndarray]:
        """Per text, how far each of its tokens pushed it towards each label: (n_tokens, n_labels)."""


@runtime_checkable
class PoolFit(Protocol):
    def fit_with_pool(
        self, texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray], n_classes: int
    ) -> BaseModel:
        """`fit`, with the pseudo-labelled sentences `pool` (texts, class ids) as more rows to count and weigh.
        A model that calibrates itself (the language models) calibrates on the labelled rows alone."""


class SettingsModel:
    """What the base models of this package share, written once: each is built from its settings
    dataclass (its defaults when none is given; checks wait for `fit`, as in scikit-learn) and
    refuses to predict or save before it is fitted. `BaseModel` stays the contract: a model
    registered from outside keeps it without this class."""

    settings_class: ClassVar[type]  # its settings dataclass, e.g. config.LMConfig
    fitted_attribute: ClassVar[str]  # what `fit` and `load` set, e.g. "models_"

    def __init__(self, config: Any = None):
        self.config = config if config is not None else self.settings_class()

    def _check_fitted(self) -> None:
        # Imported here: the registry imports this module, and the command's help and completion
        # would otherwise wait for scikit-learn.
        from sklearn.exceptions import NotFittedError

        if not hasattr(self, self.fitted_attribute):
            name = type(self).__name__
            raise NotFittedError(f"this {name} is not fitted yet; call fit() or {name}.load()")


class NGramModel(SettingsModel, abc.ABC):
    """A model fitted in one pass over its rows, labelled or pseudo-labelled (no held-out rows, no
    epochs): `fit` is `fit_with_pool` (`PoolFit`) with an empty pool."""

    def fit(
        self,
        texts: list[str],
        y: np.ndarray,
        validation: tuple[list[str], np.ndarray] | None = None,
        n_classes: int | None = None,
        progress: FitProgress | None = None,
    ) -> NGramModel:
        """Fit on `texts` with class ids `y` (0 .. n_classes - 1; default: the largest id + 1); `validation`
        and `progress` are for networks, not used here."""
        return self.fit_with_pool(texts, y, ([], np.zeros(0, dtype=np.int64)), n_classes)

    @abc.abstractmethod
    def fit_with_pool(
        self, texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray], n_classes: int | None
    ) -> NGramModel:
        """`PoolFit.fit_with_pool`."""


def with_pool(texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray]) -> tuple[list[str], np.ndarray]:
    """The labelled rows followed by the pool's: for a model whose every row is a row to learn from."""
    return list(texts) + list(pool[0]), np.concatenate([np.asarray(y, dtype=np.int64), pool[1]])


def write_member_meta(
    directory: Path, format_version: int, config: Any, n_classes: int | None = None, **more: Any
) -> None:
    """Write a member's config.json: its format version, its number of classes (where it keeps it), its settings
    (a config dataclass) and `more`, in that order; `read_member_meta` reads it back."""
    meta = {"format_version": format_version}
    if n_classes is not None:
        meta["n_classes"] = n_classes
    meta |= {"config": config.to_dict(), **more}
    (Path(directory) / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def read_member_meta(directory: Path, format_version: int, kind: str) -> dict:
    """A member's config.json, after checking its format version."""
    meta = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    if meta.get("format_version") != format_version:
        raise ValueError(
            f"{directory}: {kind} format {meta.get('format_version')!r} is not supported (expected {format_version})"
        )
    return meta
