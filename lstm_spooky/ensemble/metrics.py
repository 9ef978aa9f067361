"""The cross-validated scores a fit reports and saves: each base model's, and the final one's."""

from __future__ import annotations

import numpy as np

from ..probability import log_loss


def cv_scores(
    final: np.ndarray,
    y: np.ndarray,
    held: np.ndarray,
    base_oof: dict[str, np.ndarray],
    splits: list[tuple[np.ndarray, np.ndarray]],
    fit_seconds: dict[str, float],
    best_epochs: dict[str, list[int]],
    stacked: bool,
) -> dict:
    """Scores of the held-out rows `held` (a mask over `y`, the class ids of every training row).

    final : the final out-of-fold probabilities of the held-out rows, each row's stack or
        temperature fitted on other rows, so this score is honest
    base_oof : each base model's raw out-of-fold probabilities of every row
    best_epochs : each network's best epoch per fold member
    """
    held_y = y[held]
    models = {}
    for name, oof in base_oof.items():
        models[name] = {
            "log_loss": log_loss(held_y, oof[held]),
            "accuracy": float(np.mean(oof[held].argmax(axis=1) == held_y)),
            "fold_log_loss": [log_loss(y[rows], oof[rows]) for _, rows in splits],
            "fit_seconds": round(fit_seconds[name], 1),
            **({"best_epochs": best_epochs[name]} if name in best_epochs else {}),
        }
    return {
        "folds": len(splits),
        "rows": int(len(held_y)),
        "combined_by": "stack" if stacked else "temperature",
        "log_loss": log_loss(held_y, final),
        "accuracy": float(np.mean(final.argmax(axis=1) == held_y)),
        "models": models,
    }
