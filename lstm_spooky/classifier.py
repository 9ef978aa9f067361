"""SpookyClassifier: k-fold bagged base models, calibrated or stacked.

It follows scikit-learn's conventions: `__init__` stores the config, `fit` learns the
attributes ending in an underscore and returns self, and predictions are checked to
come from a fitted model.

`fit` trains every base model named in `config.models` (the BiLSTM, NB-LR, n-gram
language models) once per stratified fold, on the same folds; a BiLSTM is
early-stopped on its own held-out fold. The out-of-fold predictions cover every
training row once. With one base model a temperature fitted on them calibrates the
fold average; with several, a logistic-regression stack over them combines and
calibrates. `predict_proba` averages each base model's fold members in log space,
then applies the temperature or the stack. The saved directory (model_dir.py) holds
everything `submit` needs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from . import __version__
from .atomic import atomic_directory
from .calibration import apply_temperature, cross_fitted_temperature, fit_temperature, geometric_mean, log_loss
from .config import MODELS, SpookyConfig
from .cv import FoldCheckpoints, data_fingerprint, fold_splits
from .data import AUTHORS, encode_labels, validate_texts
from .model_dir import CONFIG_FILE, FORMAT_VERSION, OOF_FILE, base_oof_file, member_dir, read_model_meta
from .stack import Stacker
from .training import FitProgress, set_seeds

def backend_class(name: str):
    """The class of base model `name`, imported on demand (the BiLSTM pulls in TensorFlow)."""
    if name == "bilstm":
        from .bilstm import BiLSTMBackend

        return BiLSTMBackend
    if name == "nblr":
        from .nblr import NBLRBackend

        return NBLRBackend
    if name == "lm":
        from .lm import LMBackend

        return LMBackend
    if name == "tinybert":
        try:
            from .tinybert import TinyBERTBackend
        except ImportError as error:
            raise ValueError(f"the tinybert backend needs the bert extra ({error}): pip install 'lstm-spooky[bert]'") from None
        return TinyBERTBackend
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


def epoch_progress(name: str, config: SpookyConfig, folds: int, log: Callable[[str], None]) -> FitProgress | None:
    """Progress lines for the base models trained by Keras over epochs; None for the others."""
    if name == "bilstm":
        return FitProgress(folds, config.max_epochs, min(config.max_epochs, config.patience + 3), log)
    if name == "tinybert":
        return FitProgress(folds, config.bert.epochs, config.bert.epochs, log)
    return None


def make_backend(name: str, config: SpookyConfig):
    """An unfitted base model with its part of `config`."""
    settings = {"bilstm": config, "nblr": config.nblr, "lm": config.lm, "tinybert": config.bert}[name]
    return backend_class(name)(settings)


class SpookyClassifier:
    """Author classifier with calibrated probabilities over AUTHORS."""

    classes_ = np.array(AUTHORS)

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
    ) -> "SpookyClassifier":
        """Train every base model on every fold (see SpookyConfig.folds and .models).

        `log` receives progress lines. With `checkpoint_dir`, each finished fold model is
        saved there at once, and `resume=True` reloads the ones a previous, interrupted
        call with the same config and data already finished.
        """
        config = self.config
        for name in config.models:
            backend_class(name)
        texts = validate_texts(texts)
        y = encode_labels(labels)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        self.ids_ = np.array([str(i) for i in ids] if ids is not None else [str(i) for i in range(len(y))])
        self.y_ = y
        log = log or (lambda line: None)
        splits = fold_splits(y, config.folds, config.seed, config.validation_fraction)
        run = {"config": config.to_dict(), "data": data_fingerprint(texts, y)}
        checkpoints = FoldCheckpoints(checkpoint_dir, run, resume) if checkpoint_dir is not None else None
        texts = np.array(texts, dtype=object)
        self.members_, self.base_oof_, self.fit_seconds_ = {}, {}, {}
        for name in config.models:
            start = time.perf_counter()
            self.members_[name], self.base_oof_[name] = self._fit_folds(name, texts, y, splits, checkpoints, log)
            self.fit_seconds_[name] = time.perf_counter() - start
        held = ~np.isnan(next(iter(self.base_oof_.values()))[:, 0])
        self.held_out_ = held
        base = [self.base_oof_[name][held] for name in config.models]
        if len(config.models) == 1:
            self.temperature_ = fit_temperature(base[0], y[held])
            final = cross_fitted_temperature(base[0], y[held], seed=config.seed)
        else:
            self.stacker_ = Stacker(config.stack_c).fit(base, y[held])
            final = self.stacker_.cross_val_proba(base, y[held], seed=config.seed)
        self.oof_ = final
        self.cv_ = self._scores(final, y[held], splits)
        if checkpoints is not None:
            self.checkpoints_ = checkpoints
        return self

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, 3), columns in AUTHORS order, rows summing to 1."""
        base = list(self.base_proba(texts).values())
        if len(base) == 1:
            return apply_temperature(base[0], self.temperature_)
        return self.stacker_.predict_proba(base)

    def base_proba(self, texts: Iterable[str], models: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Raw probabilities of each base model (default: all), its fold members averaged in log space."""
        self._check_fitted()
        texts = validate_texts(texts)
        return {name: geometric_mean([m.predict_proba(texts) for m in self.members_[name]]) for name in models or self.config.models}

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most probable author of each sentence, shape (n_samples,)."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def oof_frame(self, model: str | None = None) -> pd.DataFrame:
        """Out-of-fold probabilities of the held-out rows: id, EAP, HPL, MWS, author.

        Without `model`, the final (calibrated or stacked) ones, each row's calibration
        fitted on other rows; with a base model's name, its raw ones.
        """
        self._check_fitted()
        proba = self.oof_ if model is None else self.base_oof_[model][self.held_out_]
        frame = pd.DataFrame(proba, columns=list(AUTHORS))
        frame.insert(0, "id", self.ids_[self.held_out_])
        frame["author"] = self.classes_[self.y_[self.held_out_]]
        return frame

    def save(self, model_dir: str | Path, extra: dict | None = None) -> None:
        """Write the model directory atomically: readers see the old model or the new one.

        `extra` entries (e.g. where the training data came from) are kept in config.json.
        """
        self._check_fitted()
        meta = {
            "format_version": FORMAT_VERSION,
            "lstm_spooky_version": __version__,
            "authors": list(AUTHORS),
            "config": self.config.to_dict(),
            "members": len(next(iter(self.members_.values()))),
            "cv": self.cv_,
            **({"temperature": self.temperature_} if hasattr(self, "temperature_") else {"stack": self.stacker_.to_dict()}),
            **(extra or {}),
        }
        with atomic_directory(model_dir) as tmp:
            (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            self.oof_frame().to_csv(tmp / OOF_FILE, index=False, float_format="%.6g")
            for name, members in self.members_.items():
                self.oof_frame(name).to_csv(tmp / base_oof_file(name), index=False, float_format="%.6g")
                for fold, member in enumerate(members):
                    member_dir(tmp, name, fold).mkdir(parents=True)
                    member.save(member_dir(tmp, name, fold))

    @classmethod
    def load(cls, model_dir: str | Path) -> "SpookyClassifier":
        """Rebuild a classifier saved by `save`; raises ValueError for anything else."""
        model_dir = Path(model_dir)
        meta = read_model_meta(model_dir)
        model = cls(SpookyConfig.from_dict(meta["config"]))
        model.members_ = {
            name: [backend_class(name).load(member_dir(model_dir, name, fold)) for fold in range(meta["members"])]
            for name in model.config.models
        }
        if "temperature" in meta:
            model.temperature_ = float(meta["temperature"])
        else:
            model.stacker_ = Stacker.from_dict(meta["stack"])
        model.cv_ = meta["cv"]
        final = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str})
        model.ids_, model.y_ = final["id"].to_numpy(), encode_labels(final["author"])
        model.held_out_ = np.ones(len(final), dtype=bool)
        model.oof_ = final[list(AUTHORS)].to_numpy(dtype=np.float64)
        model.base_oof_ = {
            name: pd.read_csv(model_dir / base_oof_file(name))[list(AUTHORS)].to_numpy(dtype=np.float64)
            for name in model.config.models
        }
        return model

    def _fit_folds(self, name, texts, y, splits, checkpoints, log) -> tuple[list, np.ndarray]:
        """Fit base model `name` on every fold: (fold members, out-of-fold probabilities)."""
        config = self.config
        progress = epoch_progress(name, config, len(splits), lambda line: log(f"{name}  {line}"))
        oof = np.full((len(y), len(AUTHORS)), np.nan)
        members = []
        for fold, (train, held_out) in enumerate(splits):
            start = time.perf_counter()
            if checkpoints is not None and checkpoints.finished(name, fold):
                member = backend_class(name).load(checkpoints.member_dir(name, fold))
                log(f"{name}  fold {fold + 1}/{len(splits)}  finished earlier; loaded from {checkpoints.member_dir(name, fold)}")
            else:
                set_seeds(config.seed + fold)
                member = make_backend(name, config)
                validation = (list(texts[held_out]), y[held_out])
                if progress is not None:
                    member.fit(list(texts[train]), y[train], validation, [progress.callback(fold)])
                else:
                    member.fit(list(texts[train]), y[train], validation)
                if checkpoints is not None:
                    checkpoints.save(name, fold, member)
            oof[held_out] = member.predict_proba(list(texts[held_out]))
            if progress is not None:
                progress.fold_done(len(member.history_["loss"]))
            else:
                log(f"{name}  fold {fold + 1}/{len(splits)}  log loss {log_loss(y[held_out], oof[held_out]):.4f}  {time.perf_counter() - start:.0f}s")
            members.append(member)
        return members, oof

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
            if hasattr(self.members_[name][0], "history_"):  # trained by Keras over epochs
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
