"""SpookyClassifier: k-fold bagged BiLSTMs with one calibrating temperature.

It follows scikit-learn's conventions: `__init__` stores the config, `fit` learns the
attributes ending in an underscore and returns self, and predictions are checked to
come from a fitted model. `fit` trains one network per stratified fold, each
early-stopped on its own held-out fold; their out-of-fold predictions cover every
training row once, and the temperature is fitted on them. `predict_proba` averages
the fold networks in log space and applies the temperature. The saved directory
(model_dir.py) holds everything `submit` needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .atomic import atomic_directory
from .bilstm import BiLSTMBackend
from .calibration import apply_temperature, cross_fitted_log_loss, fit_temperature, geometric_mean, log_loss
from .config import SpookyConfig
from .cv import FoldCheckpoints, data_fingerprint, fold_splits
from .data import AUTHORS, encode_labels, validate_texts
from .model_dir import CONFIG_FILE, FORMAT_VERSION, OOF_FILE, fold_dir, read_model_meta
from .training import FitProgress, set_seeds



class NotFittedError(RuntimeError):
    """Raised when predicting with a classifier that has not been fitted or loaded."""


class SpookyClassifier:
    """Bagged BiLSTM author classifier with calibrated probabilities over AUTHORS."""

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
        """Train one network per fold (see SpookyConfig.folds) on sentences and their authors.

        `log` receives progress lines. With `checkpoint_dir`, each finished fold is saved
        there at once, and `resume=True` reloads the folds a previous, interrupted call
        with the same config and data already finished.
        """
        config = self.config
        texts = validate_texts(texts)
        y = encode_labels(labels)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        self.ids_ = np.array([str(i) for i in ids] if ids is not None else [str(i) for i in range(len(y))])
        log = log or (lambda line: None)
        splits = fold_splits(y, config.folds, config.seed, config.validation_fraction)
        run = {"config": config.to_dict(), "data": data_fingerprint(texts, y)}
        checkpoints = FoldCheckpoints(checkpoint_dir, run, resume) if checkpoint_dir is not None else None
        progress = FitProgress(len(splits), config, log)
        texts = np.array(texts, dtype=object)
        oof = np.full((len(y), len(AUTHORS)), np.nan)
        self.members_ = []
        for fold, (train, held_out) in enumerate(splits):
            if checkpoints is not None and checkpoints.finished(fold):
                member = BiLSTMBackend.load(checkpoints.fold_dir(fold))
                log(f"fold {fold + 1}/{len(splits)}  finished earlier; loaded from {checkpoints.fold_dir(fold)}")
            else:
                set_seeds(config.seed + fold)
                member = BiLSTMBackend(config).fit(
                    list(texts[train]), y[train], (list(texts[held_out]), y[held_out]), [progress.callback(fold)]
                )
                if checkpoints is not None:
                    checkpoints.save(fold, member)
            progress.fold_done(len(member.history_["loss"]))
            oof[held_out] = member.predict_proba(list(texts[held_out]))
            self.members_.append(member)
        self.oof_ = oof
        self.y_ = y
        held = ~np.isnan(oof[:, 0])
        self.temperature_ = fit_temperature(oof[held], y[held])
        self.cv_ = self._scores(oof[held], y[held], splits)
        if checkpoints is not None:
            self.checkpoints_ = checkpoints
        return self

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, 3), columns in AUTHORS order, rows summing to 1."""
        self._check_fitted()
        texts = validate_texts(texts)
        return apply_temperature(geometric_mean([m.predict_proba(texts) for m in self.members_]), self.temperature_)

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most probable author of each sentence, shape (n_samples,)."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def oof_frame(self) -> pd.DataFrame:
        """Out-of-fold probabilities before calibration: id, EAP, HPL, MWS, author (held-out rows only)."""
        self._check_fitted()
        held = ~np.isnan(self.oof_[:, 0])
        frame = pd.DataFrame(self.oof_[held], columns=list(AUTHORS))
        frame.insert(0, "id", self.ids_[held])
        frame["author"] = self.classes_[self.y_[held]]
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
            "temperature": self.temperature_,
            "cv": self.cv_,
            "members": len(self.members_),
            **(extra or {}),
        }
        with atomic_directory(model_dir) as tmp:
            (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            self.oof_frame().to_csv(tmp / OOF_FILE, index=False, float_format="%.6g")
            for fold, member in enumerate(self.members_):
                fold_dir(tmp, fold).mkdir()
                member.save(fold_dir(tmp, fold))

    @classmethod
    def load(cls, model_dir: str | Path) -> "SpookyClassifier":
        """Rebuild a classifier saved by `save`; raises ValueError for anything else."""
        model_dir = Path(model_dir)
        meta = read_model_meta(model_dir)
        model = cls(SpookyConfig.from_dict(meta["config"]))
        model.members_ = [BiLSTMBackend.load(fold_dir(model_dir, fold)) for fold in range(meta["members"])]
        model.temperature_ = float(meta["temperature"])
        model.cv_ = meta["cv"]
        oof = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str})
        model.ids_ = oof["id"].to_numpy()
        model.oof_ = oof[list(AUTHORS)].to_numpy(dtype=np.float64)
        model.y_ = encode_labels(oof["author"])
        return model

    def _scores(self, oof: np.ndarray, y: np.ndarray, splits) -> dict:
        calibrated = apply_temperature(oof, self.temperature_)
        return {
            "folds": len(splits),
            "rows": int(len(y)),
            "log_loss_uncalibrated": log_loss(y, oof),
            # Each row's temperature is fitted on the other rows, so this score is honest.
            "log_loss": cross_fitted_log_loss(oof, y, seed=self.config.seed),
            "accuracy": float(np.mean(calibrated.argmax(axis=1) == y)),
            "fold_log_loss": [log_loss(self.y_[h], self.oof_[h]) for _, h in splits],
            "best_epochs": [int(np.argmin(m.history_["val_loss"]) + 1) for m in self.members_],
        }

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise NotFittedError("this SpookyClassifier is not fitted yet; call fit() or SpookyClassifier.load()")

