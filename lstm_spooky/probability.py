"""Probability rows as the competition scores them: Kaggle's clip, its log loss, and the scores of a linear model.

Every layer needs these (the models clip their probabilities, the stack scores, the submission
checks), so they sit at the bottom, importing nothing of the package.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-15  # Kaggle's clip for this competition's log loss


def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    """Multi-class log loss as Kaggle scores it: clip to [EPS, 1-EPS], renormalise, mean -log p(true)."""
    clipped = np.clip(proba, EPS, 1 - EPS)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(clipped[np.arange(len(y)), y])))


def class_scores(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Per-class scores of a scikit-learn linear classifier's weights, shape (n_samples, n_classes).

    For two classes scikit-learn keeps one row of weights, scoring the second class
    against the first; as the columns (0, score), a softmax turns them into its sigmoid.
    """
    scores = x @ coef.T + intercept
    return np.hstack([np.zeros_like(scores), scores]) if scores.shape[1] == 1 else scores
