"""Stratified folds, and each base model fitted on every one of them.

Every base model is trained once per fold, on the same folds, and predicts its held-out
rows: those out-of-fold predictions cover every training row once, and they alone reach the
stack or the temperature (no row's own label helps predict it). A network is early-stopped
on its fold's held-out rows; with `folds == 1` a single stratified split holds out
`validation_fraction` of the rows. Given each row's work, folds hold out whole works instead (groups.py).

With checkpoints, each fitted member is saved at once and one a previous, interrupted run
finished is loaded instead of trained (store/checkpoints.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from ..config import SpookyConfig
from ..models.base import BaseModel
from ..models.registry import ModelEntry
from ..probability import log_loss
from ..store.checkpoints import FoldCheckpoints
from ..store.fit_steps import FitStep, fold_step
from .groups import grouped_folds, grouped_validation
from .plan import EpochProgress, RunProgress
from .stack import stack_features


def fold_splits(
    y: np.ndarray, folds: int, seed: int, validation_fraction: float, groups: Sequence | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train_idx, held_out_idx) pairs. With folds >= 2 every row is held out exactly once;
    with folds == 1 a single stratified split holds out `validation_fraction` of the rows.

    With `groups` (each row's work), every group is wholly on one side of every split (groups.py)."""
    if groups is not None:
        if folds == 1:
            return grouped_validation(y, groups, validation_fraction, seed)
        return grouped_folds(y, groups, folds, seed)
    rows = np.arange(len(y))
    _check_enough_rows(y, folds, validation_fraction)
    if folds == 1:
        train, held_out = train_test_split(rows, test_size=validation_fraction, stratify=y, random_state=seed)
        return [(np.sort(train), np.sort(held_out))]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(rows, y))


def _check_enough_rows(y: np.ndarray, folds: int, validation_fraction: float) -> None:
    """Raise ValueError, in words a user can act on, when stratified splits are impossible
    (scikit-learn's own messages speak of n_splits and members of each class)."""
    counts = np.bincount(y)
    smallest = int(counts[counts > 0].min()) if len(y) else 0
    if folds >= 2 and smallest < folds:
        raise ValueError(
            f"an author has only {smallest} training sentence(s), fewer than the {folds} folds; "
            f"add sentences or use --folds {max(smallest, 1)}"
        )
    classes = int((counts > 0).sum())
    held_out = int(np.ceil(validation_fraction * len(y)))
    if folds == 1 and (held_out < classes or len(y) - held_out < classes):
        raise ValueError(
            f"{len(y)} sentences are too few to hold out {validation_fraction:g} of them with every author "
            "on both sides; add sentences"
        )


def check_label_counts(classes: np.ndarray, y: np.ndarray, folds: int) -> None:
    """Raise ValueError unless every label has a sentence in every fold's training part and
    held-out part: `folds` sentences (two for a single validation split)."""
    needed = max(folds, 2)
    counts = np.bincount(y, minlength=len(classes))
    rare = np.flatnonzero(counts < needed)
    if len(rare):
        label, count = str(classes[rare[0]]), int(counts[rare[0]])
        raise ValueError(
            f"label {label!r} has {count} sentence(s); with {folds} fold(s) every label needs at least {needed} "
            "(add sentences, drop the label, or lower --folds)"
        )


@dataclass(frozen=True)
class FitContext:
    """What every fit of one `SpookyClassifier.fit` shares: its settings, the number of classes, where finished
    fits are kept (None: nowhere, no `--resume`) and the run's progress."""

    config: SpookyConfig
    n_classes: int
    checkpoints: FoldCheckpoints | None
    run: RunProgress


@dataclass
class FoldFits:
    """One base model fitted on every fold.

    members : the fold networks, in fold order, which predict together; empty for any other model, whose fold
        models are let go once they scored their held-out rows (its refit on all rows predicts, and the whole
        British-fiction corpus's three LM fold models held 6 GB)
    oof : out-of-fold probabilities, shape (n_rows, n_classes); NaN for rows no fold held out
    features : out-of-fold stack features, shape (n_rows, k), or None when there is no stack
    """

    members: list[BaseModel]
    oof: np.ndarray
    features: np.ndarray | None


def fit_on_folds(
    entry: ModelEntry, texts: np.ndarray, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]], ctx: FitContext
) -> FoldFits:
    """Fit base model `entry` on every fold of `splits`, each seeded with config.seed + its fold."""
    config, run = ctx.config, ctx.run
    progress = EpochProgress(run, entry.epochs(entry.settings(config))[1]) if entry.network else None
    fits = FoldFits([], np.full((len(y), ctx.n_classes), np.nan), None)
    for fold, (train, held_out) in enumerate(splits):
        start, step = time.perf_counter(), fold_step(fold, len(splits))
        validation = (list(texts[held_out]), y[held_out])
        member = fit_member(entry, step, (list(texts[train]), y[train]), validation, config.seed + fold, ctx, progress)
        fits.oof[held_out] = member.predict_proba(validation[0])
        if config.stacked:
            held_features = stack_features(member, validation[0], fits.oof[held_out])
            if fits.features is None:
                fits.features = np.full((len(y), held_features.shape[1]), np.nan)
            fits.features[held_out] = held_features
        if progress is not None:
            progress.fold_done(len(member.history_["loss"]))
        else:
            seconds = time.perf_counter() - start
            loss = log_loss(y[held_out], fits.oof[held_out])
            run.line(f"{entry.name}  {step.task}  log loss {loss:.4f}  {seconds:.0f}s")
        if entry.network:
            fits.members.append(member)
    return fits


def fit_member(
    entry: ModelEntry,
    step: FitStep,
    train: tuple[list[str], np.ndarray],
    validation: tuple[list[str], np.ndarray] | None,
    seed: int,
    ctx: FitContext,
    progress: EpochProgress | None = None,
) -> BaseModel:
    """Base model `entry` fitted on `train` as `step` of the run: loaded from the checkpoints if a previous run
    finished it, else trained and saved there.

    It starts the run's task, and ends it once the model is fitted (its held-out predictions, seconds, are not
    timed)."""
    checkpoints, run, member = ctx.checkpoints, ctx.run, step.member()
    run.start(entry.name, step)
    if checkpoints is not None and checkpoints.finished(entry.name, member):
        loaded = entry.model_class().load(checkpoints.member_dir(entry.name, member))
        run.finish(measured=False)
        run.line(
            f"{entry.name}  {step.task}  finished earlier; loaded from {checkpoints.member_dir(entry.name, member)}"
        )
        return loaded
    with seeded_generators(seed, entry.network):
        fitted = entry.make(ctx.config).fit(*train, validation, ctx.n_classes, progress)
    run.finish()
    if checkpoints is not None:
        checkpoints.save(entry.name, member, fitted)
    return fitted


@contextmanager
def seeded_generators(seed: int, network: bool) -> Iterator[None]:
    """Python's and NumPy's global generators seeded for one fit, and put back as they were after it, so
    that the same seed gives the same model on one machine and a caller's own random draws are not
    disturbed (liblinear, behind NB-LR and the SVMs, draws from NumPy's). A network also seeds Keras and
    TensorFlow, whose global seed cannot be put back."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        if network:
            from ..models.training import set_seeds

            set_seeds(seed)
        else:
            random.seed(seed)
            np.random.seed(seed)
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
