"""Stacking: a multinomial logistic regression over the base models' log-probabilities.

It is fitted on out-of-fold predictions only, so no row's own label reaches the
meta-model through its features. Its honest score comes from `cross_val_proba`:
each row is predicted by a meta-model fitted on the other rows. Being a linear model
on log-probabilities, it also calibrates: one temperature per class and model.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from .calibration import EPS


def stack_features(probas: list[np.ndarray]) -> np.ndarray:
    """Concatenated log-probabilities: shape (n_samples, 3 * n_models)."""
    return np.hstack([np.log(np.clip(p, EPS, 1.0)) for p in probas])


class Stacker:
    """Meta-model over base-model probabilities; coefficients are saved as plain JSON."""

    def __init__(self, c: float = 1.0):
        self.c = c

    def fit(self, probas: list[np.ndarray], y: np.ndarray) -> "Stacker":
        model = LogisticRegression(C=self.c, max_iter=1000).fit(stack_features(probas), y)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self

    def predict_proba(self, probas: list[np.ndarray]) -> np.ndarray:
        """Probabilities of shape (n_samples, 3)."""
        scores = stack_features(probas) @ self.coef_.T + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def cross_val_proba(self, probas: list[np.ndarray], y: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
        """Each row predicted by a Stacker fitted on the other folds: an honest out-of-fold score."""
        out = np.empty((len(y), 3))
        for train, held_out in StratifiedKFold(folds, shuffle=True, random_state=seed).split(y, y):
            meta = Stacker(self.c).fit([p[train] for p in probas], y[train])
            out[held_out] = meta.predict_proba([p[held_out] for p in probas])
        return out

    def to_dict(self) -> dict:
        return {"c": self.c, "coef": self.coef_.tolist(), "intercept": self.intercept_.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> "Stacker":
        stacker = cls(data["c"])
        stacker.coef_, stacker.intercept_ = np.array(data["coef"]), np.array(data["intercept"])
        return stacker
