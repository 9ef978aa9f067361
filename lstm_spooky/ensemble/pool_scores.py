"""What a model fitted with unlabelled sentences (`fit --unlabeled`) keeps of them to predict with.

Each pool sentence was scored by the base models of the part of the pool that left it out
(cross_fit.py); those scores are kept with the sentence's digest, not its text (`PoolScores`,
saved as pool.npz). When a pool sentence comes back to `predict_proba`, `base_proba` or
`explain`, its kept scores are read instead of asking the models refitted with the whole pool,
which learnt its pseudo-label and would echo it. This module is all that prediction needs of
the pool: the fitting lives in cross_fit.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..models.base import TokenScores

DIGEST_BYTES = 16


def text_digests(texts: Sequence[str]) -> np.ndarray:
    """Each text's 16-byte BLAKE2b digest, shape (n,): how a saved model recognises its pool's sentences
    without keeping their text."""
    return np.array(
        [hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST_BYTES).digest() for text in texts],
        dtype=f"S{DIGEST_BYTES}",
    )


@dataclass
class PoolScores:
    """What each base model refitted with the pool said of every pool sentence, each sentence scored by
    the models of the part that left it out.

    digests : (n,) the sentences' `text_digests`
    used : (n,) whether the sentence's pseudo-label was confident enough to train on
    proba : model -> (n, n_classes) probabilities
    features : model -> (n, k) stack features (a stacked model's)
    tokens : model -> one (n_tokens, n_labels) array per sentence (the explaining model's token scores)
    """

    digests: np.ndarray
    used: np.ndarray
    proba: dict[str, np.ndarray] = field(default_factory=dict)
    features: dict[str, np.ndarray] = field(default_factory=dict)
    tokens: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rows = {digest: row for row, digest in enumerate(self.digests.tolist())}

    def find(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions in `texts`, rows of the pool) of the texts that are pool sentences."""
        rows = [self._rows.get(digest, -1) for digest in text_digests(texts).tolist()]
        found = np.flatnonzero(np.array(rows, dtype=np.int64) >= 0)
        return found, np.array(rows, dtype=np.int64)[found]

    def scores(self, kind: str, name: str, texts: list[str], score: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """`score(texts)`, what model `name` says of `texts`, but for the pool's sentences read from what this
        pool kept of them (`kind`: "proba" or "features"): only the other texts are scored."""
        kept = getattr(self, kind).get(name)
        positions, rows = self.find(texts) if kept is not None else (np.zeros(0, dtype=np.int64), None)
        if not len(positions):
            return score(texts)
        scores = np.empty((len(texts), kept.shape[1]))
        scores[positions] = kept[rows]
        others = np.setdiff1d(np.arange(len(texts)), positions)
        if len(others):
            scores[others] = score([texts[i] for i in others])
        return scores

    def save(self, path: Path) -> None:
        """Every array in one compressed .npz at `path`, a model's token scores as one array and their counts."""
        arrays = {"digests": self.digests, "used": self.used}
        arrays |= {f"proba/{name}": proba for name, proba in self.proba.items()}
        arrays |= {f"features/{name}": features for name, features in self.features.items()}
        for name, scores in self.tokens.items():
            arrays[f"tokens/{name}"] = np.concatenate(scores) if scores else np.zeros((0, 0))
            arrays[f"token_counts/{name}"] = np.array([len(s) for s in scores], dtype=np.int64)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> PoolScores:
        """What `save` wrote to `path`."""
        with np.load(path, allow_pickle=False) as saved:
            arrays = {key: saved[key] for key in saved.files}
        scores = cls(arrays.pop("digests"), arrays.pop("used"))
        for key, array in arrays.items():
            kind, _, name = key.partition("/")
            if kind in ("proba", "features"):
                getattr(scores, kind)[name] = array
            elif kind == "tokens":
                counts = arrays[f"token_counts/{name}"]
                scores.tokens[name] = np.split(array, np.cumsum(counts)[:-1]) if len(counts) else []
        return scores

    def summary(self) -> dict:
        """What config.json says of the pool: its size, how many sentences trained, which models."""
        return {"sentences": len(self.digests), "pseudo_labelled": int(self.used.sum()), "models": sorted(self.proba)}


class PoolTokenScores:
    """A model's `token_scores`, the pool sentences' read from `pool` (scored without themselves)."""

    def __init__(self, model: TokenScores, pool: PoolScores, name: str):
        self.model, self.pool, self.name = model, pool, name

    def token_scores(self, texts: list[str]) -> list[np.ndarray]:
        positions, rows = self.pool.find(texts)
        known = dict(zip(positions.tolist(), rows.tolist()))
        others = [i for i in range(len(texts)) if i not in known]
        scored = dict(zip(others, self.model.token_scores([texts[i] for i in others]) if others else []))
        return [self.pool.tokens[self.name][known[i]] if i in known else scored[i] for i in range(len(texts))]
