"""Build, check and write Kaggle submissions: id,EAP,HPL,MWS, one row per test row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_file
from .calibration import EPS
from .data import AUTHORS

COLUMNS = ("id", *AUTHORS)


def make_submission(ids: Sequence[str], proba: np.ndarray) -> pd.DataFrame:
    """One row per id in the given order; probabilities clipped to [EPS, 1-EPS] and renormalised."""
    proba = np.clip(np.asarray(proba, dtype=np.float64), EPS, 1 - EPS)
    proba = proba / proba.sum(axis=1, keepdims=True)
    frame = pd.DataFrame(proba, columns=list(AUTHORS))
    frame.insert(0, "id", list(ids))
    return frame


def check_submission(frame: pd.DataFrame, ids: Sequence[str]) -> None:
    """Raise ValueError unless `frame` is a valid submission for exactly `ids`, in order."""
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(f"submission columns are {list(frame.columns)}, expected {list(COLUMNS)}")
    if list(frame["id"]) != list(ids):
        raise ValueError("submission ids differ from the input's ids or their order")
    proba = frame[list(AUTHORS)].to_numpy(dtype=np.float64)
    if not np.isfinite(proba).all():
        raise ValueError("submission has non-finite probabilities")
    if (proba <= 0).any() or (proba >= 1).any():
        raise ValueError("submission probabilities must lie strictly between 0 and 1")
    if not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("submission rows must sum to 1")


def write_submission(frame: pd.DataFrame, path: str | Path) -> None:
    """Write the CSV atomically, so a failed run never leaves a truncated submission."""
    with atomic_file(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.15g")
