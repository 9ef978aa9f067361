"""SpookyClassifier: k-fold bagged base models, calibrated or stacked.

It follows scikit-learn's conventions: `__init__` stores the config, `fit` learns the
attributes ending in an underscore and returns self, and predictions are checked to
come from a fitted model. The label set is learned too: `classes_` holds the distinct
labels, sorted (for Kaggle's file: EAP, HPL, MWS), and every probability column,
base model, stack and saved file follows it.

`fit` trains every base model named in `config.models` (the BiLSTM, NB-LR, n-gram
language models, linear n-gram models, optionally a BERT) once per stratified fold,
on the same folds; a network is early-stopped on its own held-out fold. The
out-of-fold predictions cover every training row once. With one base model a
temperature fitted on them calibrates it; with several, a logistic-regression stack
over their out-of-fold stack features combines and calibrates. To predict, the
networks' fold members are averaged, while every other model is refitted once on
all rows (measured on an 80/20 split: 0.002 lower log loss than averaging its fold
models, and five times faster). The saved directory (model_dir.py) holds
everything `submit` needs.
"""

from __future__ import annotations

import copy
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from . import __version__
from .atomic import atomic_directory
from .calibration import apply_temperature, cross_fitted_temperature, fit_temperature, geometric_mean, log_loss
from .config import LINEAR_MODELS, MODELS, SpookyConfig
from .cv import FoldCheckpoints, data_fingerprint, fold_splits
from .data import encode_labels, label_set, validate_texts
from .manifest import write_manifest
from .model_dir import ALL_ROWS, CONFIG_FILE, FORMAT_MARKER, FORMAT_VERSION, OOF_FILE, base_oof_file, fold_member, member_dir, read_model_meta
from .ngrams import shared_analysis
from .stack import Stacker, log_proba_features, meta_features
from .tensorflow_start import start_tensorflow_quietly
from .progress import ALL_ROWS_TASK, RunProgress, Status, Task

if TYPE_CHECKING:  # training.py imports TensorFlow, which scoring n-gram models never needs
    from .training import EpochProgress

def backend_class(name: str):
    """The class of base model `name`, imported on demand (the networks pull in TensorFlow, started quietly)."""
    if name in KERAS_MODELS:
        start_tensorflow_quietly()
    if name == "bilstm":
        from .bilstm import BiLSTMBackend

        return BiLSTMBackend
    if name == "nblr":
        from .nblr import NBLRBackend

        return NBLRBackend
    if name == "lm":
        from .lm import LMBackend

        return LMBackend
    if name in LINEAR_MODELS:
        from .linear import LinearBackend

        return LinearBackend
    if name == "tinybert":
        try:
            from .tinybert import TinyBERTBackend
        except ImportError as error:
            raise ValueError(f"the tinybert backend needs the bert extra ({error}): pip install 'lstm-spooky[bert]'") from None
        return TinyBERTBackend
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


# Rows scored at a time by `iter_proba`: what scoring holds (n-gram codes and matrices, network
# inputs) grows with the rows scored at once. Submitting 8,392 rows with a small default model
# peaked at 1.08 GiB in chunks of 2,048 against 1.42 GiB at once, and was no slower.
CHUNK_ROWS = 2048
NETWORK_LOOKAHEAD = 4  # chunks scored by the n-gram models ahead of the network process
KERAS_MODELS = ("bilstm", "tinybert")  # trained epoch by epoch, early-stopped on held-out rows


def epoch_progress(name: str, config: SpookyConfig, run: RunProgress) -> EpochProgress | None:
    """Epoch progress of the base models trained by Keras over epochs; None for the others."""
    from .training import EpochProgress

    if name == "bilstm":
        return EpochProgress(run, config.max_epochs, min(config.max_epochs, config.patience + 3))
    if name == "tinybert":
        return EpochProgress(run, config.bert.epochs, config.bert.epochs)
    return None


def fit_plan(models: Sequence[str], splits: list, n_rows: int) -> list[Task]:
    """Every model fitted once per fold, and the n-gram models once more on all rows, with their training rows."""
    tasks = []
    for name in models:
        tasks += [Task(name, f"fold {k + 1}/{len(splits)}", len(train)) for k, (train, _) in enumerate(splits)]
        if name not in KERAS_MODELS:
            tasks.append(Task(name, ALL_ROWS_TASK, n_rows))
    return tasks


def make_backend(name: str, config: SpookyConfig):
    """An unfitted base model with its part of `config`."""
    # The BiLSTM reads the top-level fields; every other model has a field of its own name.
    settings = config if name == "bilstm" else getattr(config, "bert" if name == "tinybert" else name)
    return backend_class(name)(settings)


def stack_features(member, texts: list[str], proba: np.ndarray | None = None) -> np.ndarray:
    """What a fitted base model tells the stack: its own `stack_features`, or its centred
    log-probabilities (from `proba`, its `predict_proba(texts)`, when already computed)."""
    if hasattr(member, "stack_features"):
        return member.stack_features(texts)
    return log_proba_features(member.predict_proba(texts) if proba is None else proba)


class SpookyClassifier:
    """Author (or any label) classifier with calibrated probabilities over the labels `classes_`."""

    _network_process = None  # set by load(networks_apart=True)

    def __init__(self, config: SpookyConfig | None = None):
        self.config = config if config is not None else SpookyConfig()

    def fit(
        self,
        texts: Iterable[str],
        labels: Sequence[str],
        ids: Sequence[str] | None = None,
        log: Callable[[str], None] | None = None,
        checkpoint_dir: str | Path | None = None,
        resume: bool = False,
        status: Callable[[Status], None] | None = None,
    ) -> "SpookyClassifier":
        """Train every base model on every fold (see SpookyConfig.folds and .models).

        `labels` are any two or more distinct values, compared as strings; `classes_`
        becomes their sorted set. Each label needs at least one sentence per fold (two
        with `folds=1`). `log` receives progress lines, each ending with the whole fit's share
        done and time left; `status` (for a live view) receives a `progress.Status` at every
        step. With `checkpoint_dir`, each finished fold model is
        saved there at once, and `resume=True` reloads the ones a previous, interrupted
        call with the same config and data already finished.
        """
        config = self.config
        for name in config.models:
            backend_class(name)
        texts = validate_texts(texts)
        labels = [str(label) for label in labels]
        self.classes_ = label_set(labels)
        y = encode_labels(labels, self.classes_)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        _check_label_counts(self.classes_, y, config.folds)
        self.ids_ = np.array([str(i) for i in ids] if ids is not None else [str(i) for i in range(len(y))])
        self.y_ = y
        splits = fold_splits(y, config.folds, config.seed, config.validation_fraction)
        run = RunProgress(fit_plan(config.models, splits, len(y)), log, status)
        run.line(f"{len(run.tasks)} fits planned ({len(config.models)} models, {len(splits)} fold(s), n-gram models refitted on all rows)")
        fingerprint = {"config": config.to_dict(), "classes": self.classes_.tolist(), "data": data_fingerprint(texts, y)}
        checkpoints = FoldCheckpoints(checkpoint_dir, fingerprint, resume) if checkpoint_dir is not None else None
        texts = np.array(texts, dtype=object)
        self.members_, self.base_oof_, self.fit_seconds_, oof_features = {}, {}, {}, {}
        for name in config.models:
            start = time.perf_counter()
            folds, self.base_oof_[name], oof_features[name] = self._fit_folds(name, texts, y, splits, checkpoints, run)
            if name in KERAS_MODELS:  # early stopping needs held-out rows: the fold networks predict
                self.members_[name] = folds
            else:  # refitted on all rows: better than the fold models, and 5x faster to predict with
                refit_start = time.perf_counter()
                run.start(name, ALL_ROWS_TASK)
                refit = self._fit_member(name, ALL_ROWS, (list(texts), y), None, None, config.seed, checkpoints, run)
                self.members_[name] = [refit]
                run.line(f"{name}  {ALL_ROWS_TASK}  refitted for prediction  {time.perf_counter() - refit_start:.0f}s")
            self.fit_seconds_[name] = time.perf_counter() - start
        held = ~np.isnan(next(iter(self.base_oof_.values()))[:, 0])
        self.held_out_ = held
        if len(config.models) == 1:
            proba = self.base_oof_[config.models[0]][held]
            self.temperature_ = fit_temperature(proba, y[held])
            final = cross_fitted_temperature(proba, y[held], seed=config.seed)
        else:
            # Kept (not saved) so that `without` can refit the stack on the same features.
            self.stack_blocks_ = {name: oof_features[name][held] for name in config.models}
            if config.stack_meta_features:
                self.stack_blocks_["meta"] = meta_features(texts[held])
            final = self._fit_stack()
        self.oof_ = final
        self.cv_ = self._scores(final, y[held], splits)
        if checkpoints is not None:
            self.checkpoints_ = checkpoints
        return self

    def without(self, model: str) -> "SpookyClassifier":
        """This stack with base model `model` left out: the other members as fitted, the stack refitted
        on their same out-of-fold features. An ablation on the same folds, for a stack fitted in
        this session (the out-of-fold features are not saved with the model)."""
        self._check_fitted()
        models = tuple(name for name in self.config.models if name != model)
        if model not in self.config.models or len(models) < 2:
            raise ValueError(f"{model!r} must be one of at least three stacked models {list(self.config.models)}")
        if not hasattr(self, "stack_blocks_"):
            raise ValueError("without() needs a stack fitted in this session; a loaded model has no out-of-fold features")
        other = copy.copy(self)
        other.config = self.config.replace(models=models)
        other.members_ = {name: self.members_[name] for name in models}
        other.stack_blocks_ = {name: block for name, block in self.stack_blocks_.items() if name != model}
        other.oof_ = other._fit_stack()
        splits = fold_splits(self.y_, self.config.folds, self.config.seed, self.config.validation_fraction)
        other.cv_ = other._scores(other.oof_, self.y_[self.held_out_], splits)
        return other

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, n_classes), columns in `classes_` order, rows summing to 1."""
        return np.concatenate(list(self.iter_proba(texts)))

    def iter_proba(self, texts: Iterable[str], chunk_rows: int = CHUNK_ROWS) -> Iterator[np.ndarray]:
        """`predict_proba` of `chunk_rows` texts at a time, in order: memory stays flat as the input grows.

        Every model scores each sentence on its own (the networks batch sentences of one
        width, never mixing their results), so the chunks join into the one-shot result.
        """
        self._check_fitted()
        texts = validate_texts(texts)
        chunks = [texts[start : start + chunk_rows] for start in range(0, max(len(texts), 1), chunk_rows)]
        if self._network_process is None:
            for chunk in chunks:
                yield self._predict_chunk(chunk)
            return
        # The networks' process gets every chunk at once and works through them, while this one
        # scores the n-gram models up to NETWORK_LOOKAHEAD chunks ahead of it (their features are
        # small): neither waits for the other until the end.
        networks = [self._network_process.stack_blocks(chunk) for chunk in chunks]
        scored: deque = deque()
        for chunk, network_blocks in zip(chunks, networks):
            scored.append((chunk, self._local_blocks(chunk), network_blocks))
            while scored and (scored[0][2].done() or len(scored) > NETWORK_LOOKAHEAD):
                yield self._stacked(*scored.popleft())
        while scored:
            yield self._stacked(*scored.popleft())

    def _predict_chunk(self, texts: list[str]) -> np.ndarray:
        if len(self.config.models) == 1:
            return apply_temperature(next(iter(self.base_proba(texts).values())), self.temperature_)
        return self._stacked(texts, self._local_blocks(texts))

    def _local_blocks(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The stack features of every base model loaded in this process, averaged over its members.

        TensorFlow lets go of the GIL while a network runs, so the networks here predict in a
        second thread while this one counts n-grams.
        """
        with ThreadPoolExecutor(max_workers=1) as networks, shared_analysis():  # n-gram models analyse each text once between them
            pending = {name: networks.submit(self._stack_block, name, texts) for name in self.members_ if name in KERAS_MODELS}
            blocks = {name: self._stack_block(name, texts) for name in self.members_ if name not in pending}
            return blocks | {name: block.result() for name, block in pending.items()}

    def _stacked(self, texts: list[str], blocks: dict[str, np.ndarray], network_blocks: Future | None = None) -> np.ndarray:
        """The stack's probabilities from the base models' `blocks`, and those the network process is computing."""
        if network_blocks is not None:
            blocks = blocks | network_blocks.result()
        return self.stacker_.predict_proba([blocks[name] for name in self.config.models] + self._meta_blocks(texts))

    def close(self) -> None:
        """End the second process of a model loaded with `networks_apart` (nothing to do otherwise)."""
        if self._network_process is not None:
            self._network_process.close()
            self._network_process = None

    def _stack_block(self, name: str, texts: list[str]) -> np.ndarray:
        """Base model `name`'s stack features, averaged over its members."""
        return np.mean([stack_features(m, texts) for m in self.members_[name]], axis=0)

    def base_proba(self, texts: Iterable[str], models: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Raw probabilities of each base model (default: all), its members (fold networks) averaged in log space."""
        self._check_fitted()
        texts = validate_texts(texts)
        models = models or self.config.models
        apart = [name for name in models if name in self.config.models and name not in self.members_]
        if apart:
            raise ValueError(f"{', '.join(apart)} run in the network process of this model (networks_apart=True), which only scores the stack; load it without networks_apart")
        return {name: geometric_mean([m.predict_proba(texts) for m in self.members_[name]]) for name in models}

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most probable label of each sentence, shape (n_samples,)."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def oof_frame(self, model: str | None = None) -> pd.DataFrame:
        """Out-of-fold probabilities of the held-out rows: id, one column per label, author (the true label).

        Without `model`, the final (calibrated or stacked) ones, each row's calibration
        fitted on other rows; with a base model's name, its raw ones.
        """
        self._check_fitted()
        proba = self.oof_ if model is None else self.base_oof_[model][self.held_out_]
        frame = pd.DataFrame(proba, columns=list(self.classes_))
        frame.insert(0, "id", self.ids_[self.held_out_])
        frame["author"] = self.classes_[self.y_[self.held_out_]]
        return frame

    def save(self, model_dir: str | Path, extra: dict | None = None) -> None:
        """Write the model directory atomically: readers see the old model or the new one.

        `extra` entries (e.g. where the training data came from) are kept in config.json.
        """
        self._check_fitted()
        meta = {
            "format": FORMAT_MARKER,
            "format_version": FORMAT_VERSION,
            "lstm_spooky_version": __version__,
            "classes": self.classes_.tolist(),
            "config": self.config.to_dict(),
            "members": {name: self._member_names(name) for name in self.members_},
            "cv": self.cv_,
            **({"temperature": self.temperature_} if hasattr(self, "temperature_") else {"stack": self.stacker_.to_dict()}),
            **(extra or {}),
        }
        with atomic_directory(model_dir) as tmp:
            (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            self.oof_frame().to_csv(tmp / OOF_FILE, index=False, float_format="%.6g")
            for name, members in self.members_.items():
                self.oof_frame(name).to_csv(tmp / base_oof_file(name), index=False, float_format="%.6g")
                for member_name, member in zip(self._member_names(name), members):
                    member_dir(tmp, name, member_name).mkdir(parents=True)
                    member.save(member_dir(tmp, name, member_name))
            write_manifest(tmp)  # last: only a completely written directory has one

    @classmethod
    def load(cls, model_dir: str | Path, networks_apart: bool = False) -> "SpookyClassifier":
        """Rebuild a classifier saved by `save`; raises ValueError for anything else, or for a
        directory whose files differ from its manifest (missing, truncated, edited).

        With `networks_apart`, a stack's networks (BiLSTM, BERT) are loaded and run in a second
        process (network_process.py): faster scoring on two cores, and this process never imports
        TensorFlow. Such a model only scores (`predict_proba`, `iter_proba`, `predict`); `close()`
        ends the second process. As with any multiprocessing, a script that asks for it needs
        the `if __name__ == "__main__":` guard (the second process imports the script again).
        """
        model_dir = Path(model_dir)
        meta = read_model_meta(model_dir)
        model = cls(SpookyConfig.from_dict(meta["config"]))
        models = model.config.models
        apart = [name for name in models if name in KERAS_MODELS] if networks_apart else []
        if len(apart) == len(models):
            apart = []  # nothing would run beside them
        if apart:  # first, so that the networks load while this process loads the rest
            from .network_process import NetworkProcess

            model._network_process = NetworkProcess(model_dir, {name: meta["members"][name] for name in apart})
        try:
            model._load_rest(model_dir, meta, apart)
        except BaseException:
            model.close()
            raise
        return model

    def _load_rest(self, model_dir: Path, meta: dict, apart: list[str]) -> None:
        """What `load` reads in this process: every member not in `apart`, the calibration, the out-of-fold files."""
        self.classes_ = np.array(meta["classes"])
        labels = list(self.classes_)
        self.members_ = {
            name: [backend_class(name).load(member_dir(model_dir, name, member)) for member in meta["members"][name]]
            for name in self.config.models
            if name not in apart
        }
        if "temperature" in meta:
            self.temperature_ = float(meta["temperature"])
        else:
            self.stacker_ = Stacker.from_dict(meta["stack"])
        self.cv_ = meta["cv"]
        final = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str, "author": str})
        self.ids_, self.y_ = final["id"].to_numpy(), encode_labels(final["author"], labels)
        self.held_out_ = np.ones(len(final), dtype=bool)
        self.oof_ = final[labels].to_numpy(dtype=np.float64)
        self.base_oof_ = {
            name: pd.read_csv(model_dir / base_oof_file(name))[labels].to_numpy(dtype=np.float64)
            for name in self.config.models
        }

    def _fit_folds(self, name, texts, y, splits, checkpoints, run: RunProgress) -> tuple[list, np.ndarray, np.ndarray | None]:
        """Fit base model `name` on every fold: (fold members, out-of-fold probabilities,
        out-of-fold stack features or None when there is no stack)."""
        config = self.config
        progress = epoch_progress(name, config, run)
        oof = np.full((len(y), len(self.classes_)), np.nan)
        features = None
        members = []
        for fold, (train, held_out) in enumerate(splits):
            start = time.perf_counter()
            validation = (list(texts[held_out]), y[held_out])
            where = f"fold {fold + 1}/{len(splits)}"
            run.start(name, where)
            callbacks = [progress.callback(lambda line: run.line(f"{name}  {where}  {line}"))] if progress is not None else None
            member = self._fit_member(
                name, fold_member(fold), (list(texts[train]), y[train]), validation, callbacks, config.seed + fold, checkpoints, run
            )
            oof[held_out] = member.predict_proba(validation[0])
            if len(config.models) > 1:
                held_features = stack_features(member, validation[0], oof[held_out])
                if features is None:
                    features = np.full((len(y), held_features.shape[1]), np.nan)
                features[held_out] = held_features
            if progress is not None:
                progress.fold_done(len(member.history_["loss"]))
            else:
                run.line(f"{name}  {where}  log loss {log_loss(y[held_out], oof[held_out]):.4f}  {time.perf_counter() - start:.0f}s")
            members.append(member)
        return members, oof, features

    def _fit_member(self, name, member, train, validation, callbacks, seed, checkpoints, run: RunProgress):
        """One fitted base model: loaded from `checkpoints` if a previous run finished it, else trained and saved there.

        It ends `run`'s running task once the model is fitted (its held-out predictions, seconds, are not timed)."""
        if checkpoints is not None and checkpoints.finished(name, member):
            where = run.tasks[run.current].member
            loaded = backend_class(name).load(checkpoints.member_dir(name, member))
            run.finish(measured=False)
            run.line(f"{name}  {where}  finished earlier; loaded from {checkpoints.member_dir(name, member)}")
            return loaded
        from .training import set_seeds

        set_seeds(seed)
        fitted = make_backend(name, self.config)
        # The number of classes is passed, not read from a fold's labels, so that a fold
        # missing a label is an error rather than a model with fewer columns.
        n_classes = len(self.classes_)
        if callbacks is not None:
            fitted.fit(*train, validation, callbacks, n_classes=n_classes)
        else:
            fitted.fit(*train, validation, n_classes=n_classes)
        run.finish()
        if checkpoints is not None:
            checkpoints.save(name, member, fitted)
        return fitted

    def _fit_stack(self) -> np.ndarray:
        """Fit the stacker on `stack_blocks_`; its cross-validated probabilities of the held-out rows."""
        blocks, y = list(self.stack_blocks_.values()), self.y_[self.held_out_]
        self.stacker_ = Stacker(self.config.stack_c).fit(blocks, y)
        return self.stacker_.cross_val_proba(blocks, y, seed=self.config.seed)

    def _member_names(self, name: str) -> list[str]:
        return [fold_member(k) for k in range(len(self.members_[name]))] if name in KERAS_MODELS else [ALL_ROWS]

    def _meta_blocks(self, texts) -> list[np.ndarray]:
        return [meta_features(texts)] if self.config.stack_meta_features else []

    def _scores(self, final: np.ndarray, y: np.ndarray, splits) -> dict:
        held = self.held_out_
        models = {}
        for name in self.config.models:
            oof = self.base_oof_[name]
            models[name] = {
                "log_loss": log_loss(y, oof[held]),
                "accuracy": float(np.mean(oof[held].argmax(axis=1) == y)),
                "fold_log_loss": [log_loss(self.y_[h], oof[h]) for _, h in splits],
                "fit_seconds": round(self.fit_seconds_[name], 1),
            }
            if name in KERAS_MODELS:
                models[name]["best_epochs"] = [int(np.argmin(m.history_["val_loss"]) + 1) for m in self.members_[name]]
        return {
            "folds": len(splits),
            "rows": int(len(y)),
            "combined_by": "temperature" if len(self.config.models) == 1 else "stack",
            # Each row's temperature or stack is fitted on other rows, so this score is honest.
            "log_loss": log_loss(y, final),
            "accuracy": float(np.mean(final.argmax(axis=1) == y)),
            "models": models,
        }

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise NotFittedError("this SpookyClassifier is not fitted yet; call fit() or SpookyClassifier.load()")


def _check_label_counts(classes: np.ndarray, y: np.ndarray, folds: int) -> None:
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
