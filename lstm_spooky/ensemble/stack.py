"""Stacking: a multinomial logistic regression over what the base models say of each sentence.

Each base model contributes a block of stack features: centred log-probabilities for
the probabilistic ones (`log_proba_features`), its own scores for the others (SVM
margins, language-model likelihood ratios: their `stack_features`). A block of
`meta_features` (length, punctuation, capitals) may join them. The columns are
standardised, then a logistic regression maps them to probabilities; being fitted
on held-out predictions it calibrates as it combines.

It is fitted on out-of-fold features only, so no row's own label reaches the
meta-model through its features. Its honest score comes from `cross_val_proba`:
each row is predicted by a meta-model fitted on the other rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ..models.base import BaseModel, StackFeatures
from ..probability import EPS, class_scores
from .groups import grouped_parts

# Marks counted per sentence: the authors' punctuation habits differ markedly.
PUNCTUATION = (";", ",", ":", "—", "-", "'", '"', "!", "?", "(", ".")


def log_proba_features(proba: np.ndarray) -> np.ndarray:
    """Log-probabilities centred over the classes, shape (n_samples, n_classes).

    Centring drops each row's normalising constant, so the mean over fold members of
    these features is exactly the features of their geometric mean.
    """
    log_p = np.log(np.clip(proba, EPS, 1.0))
    return log_p - log_p.mean(axis=1, keepdims=True)


def stack_features(member: BaseModel, texts: list[str], proba: np.ndarray | None = None) -> np.ndarray:
    """What a fitted base model tells the stack: its own `stack_features` (base.StackFeatures), or its
    centred log-probabilities (from `proba`, its `predict_proba(texts)`, when already computed)."""
    if isinstance(member, StackFeatures):
        return member.stack_features(texts)
    return log_proba_features(member.predict_proba(texts) if proba is None else proba)


def meta_features(texts: Iterable[str]) -> np.ndarray:
    """17 surface statistics per sentence, each as log(1 + x): shape (n_samples, 17).

    Characters, words, mean word length, counts of each PUNCTUATION mark, share of
    capital letters, share of capitalised words after the first, and the share of
    distinct words.
    """
    rows = []
    for text in texts:
        words = text.split()
        n_chars, n_words = len(text), len(words)
        row = [n_chars, n_words, np.mean([len(w) for w in words]) if words else 0.0]
        row += [text.count(mark) for mark in PUNCTUATION]
        row.append(sum(c.isupper() for c in text) / max(n_chars, 1))
        row.append(sum(w[:1].isupper() for w in words[1:]) / max(n_words - 1, 1))
        row.append(len({w.lower() for w in words}) / max(n_words, 1))
        rows.append(row)
    features = np.array(rows, dtype=np.float64).reshape(-1, 6 + len(PUNCTUATION))
    return np.log1p(features)


class Stacker:
    """Standardised features -> logistic regression; the fitted numbers are saved as plain JSON."""

    def __init__(self, c: float = 1.0):
        self.c = c

    def fit(self, blocks: list[np.ndarray], y: np.ndarray) -> Stacker:
        """Fit on feature blocks, each of shape (n_samples, k_i), and class ids `y`."""
        x = np.hstack(blocks)
        self.mean_, self.scale_ = x.mean(axis=0), x.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0  # a constant column carries nothing; leave it at zero
        model = LogisticRegression(C=self.c, max_iter=3000).fit((x - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self

    def predict_proba(self, blocks: list[np.ndarray]) -> np.ndarray:
        """Probabilities of shape (n_samples, n_classes)."""
        scores = class_scores((np.hstack(blocks) - self.mean_) / self.scale_, self.coef_, self.intercept_)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def cross_val_proba(
        self, blocks: list[np.ndarray], y: np.ndarray, folds: int = 5, seed: int = 0, groups: Sequence | None = None
    ) -> np.ndarray:
        """Each row predicted by a Stacker fitted on the other folds (with `groups`, folds of whole works:
        groups.py): an honest out-of-fold score."""
        out = np.empty((len(y), int(y.max()) + 1))
        if groups is None:
            splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(y, y)
        else:
            splits = grouped_parts(y, groups, folds, seed)
        for train, held_out in splits:
            meta = Stacker(self.c).fit([b[train] for b in blocks], y[train])
            out[held_out] = meta.predict_proba([b[held_out] for b in blocks])
        return out

    def to_dict(self) -> dict:
        return {
            "c": self.c,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Stacker:
        stacker = cls(data["c"])
        for name in ("mean", "scale", "coef", "intercept"):
            setattr(stacker, f"{name}_", np.array(data[name]))
        return stacker
