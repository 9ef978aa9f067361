"""Unlabelled sentences as evidence, without a model ever echoing its own guess (`fit --unlabeled`).

The sentences a user wants to classify come from the same books as the training rows: names,
phrases and topics recur across them. Here they join the n-gram models' training data with
*pseudo-labels*, the fitted model's own most probable label of each, where that is at least
`pool_threshold` probable. The trap is memorisation: a language model fitted on a sentence
with its guessed label echoes that label with full confidence, wrong ones included (naive
pseudo-labelling took `--models nblr,lm` from 0.255 to 0.345 log loss; docs/experiments.md).
So the pool is cross-fitted:

- the pool is split into `pool_parts` parts; each part's sentences are scored only by base
  models fitted on the labelled rows plus the *other* parts' pseudo-labelled sentences;
- those scores of every pool sentence are kept (`PoolScores`, saved as pool.npz), and
  `predict_proba`, `base_proba` and `explain` use them whenever a sentence of the pool comes
  back, matched by its exact text;
- any other sentence is scored by the base models refitted with the whole pool;
- pseudo-labelled sentences train base models only: the stack, every calibration and every
  out-of-fold score were fitted on the labelled rows before the pool was labelled, and are
  kept as they are. A model that calibrates itself (the language models) calibrates on its
  labelled rows alone (models/base.py's `PoolFit`).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import SpookyConfig
from ..data.corpus import validate_texts
from ..models.base import BaseModel, PoolFit, TokenScores
from ..models.registry import ModelEntry
from ..store.checkpoints import FoldCheckpoints, data_fingerprint, save_member
from .folds import seeded_generators
from .plan import POOL_ALL_TASK, RunProgress, pool_task
from .processes import second_processes, starting, terminate
from .stack import stack_features

DIGEST_BYTES = 16
# Processes fitting the pool's models side by side: each n-gram fit runs on one core (liblinear, NumPy),
# and the machines this is built for have two.
POOL_WORKERS = 2


def pool_member(pool_key: str, part: int | None) -> str:
    """The checkpoint name of a fit with the pool whose sentences and pseudo-labels hash to `pool_key`: a
    resumed fit with another pool refits these, and reuses the labelled rows' folds (which know no pool)."""
    return f"pool-{pool_key}-" + ("all" if part is None else f"part-{part}")


def text_digests(texts: Sequence[str]) -> np.ndarray:
    """Each text's 16-byte BLAKE2b digest, shape (n,): how a saved model recognises its pool's sentences
    without keeping their text."""
    return np.array(
        [hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST_BYTES).digest() for text in texts],
        dtype=f"S{DIGEST_BYTES}",
    )


def unlabeled_pool(
    unlabeled: Iterable[str], training_texts: Sequence[str], log: Callable[[str], None] | None = None
) -> list[str]:
    """The distinct sentences of `unlabeled` that are not training sentences, in their order; `log` hears of
    any left out. ValueError for a pool that is empty, or that holds training sentences only."""
    texts = validate_texts(unlabeled, "unlabeled")
    if not texts:
        raise ValueError("unlabeled: no sentences; pass the sentences you will classify (such as Kaggle's test.csv)")
    training = set(training_texts)
    distinct = list(dict.fromkeys(texts))
    pool = [text for text in distinct if text not in training]
    if not pool:
        raise ValueError(
            f"unlabeled: all {len(texts)} sentences are training sentences; "
            "pass sentences without labels (such as Kaggle's test.csv), not the training file"
        )
    if len(pool) < len(texts) and log is not None:
        log(
            f"pool  {len(texts) - len(distinct)} repeated and {len(distinct) - len(pool)} training sentence(s) "
            f"left out: {len(pool)} distinct unlabelled sentences"
        )
    return pool


def pool_parts(n_rows: int, parts: int, seed: int) -> np.ndarray:
    """Each pool row's part, 0 .. parts - 1: the rows in a seeded random order, dealt out like cards."""
    return np.random.default_rng(seed).permutation(n_rows) % parts


def pseudo_labels(proba: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's most probable class id, and whether that probability reaches `threshold`."""
    if not 0 < threshold <= 1:
        raise ValueError(f"pool_threshold must be in (0, 1], got {threshold}")
    return proba.argmax(axis=1), proba.max(axis=1) >= threshold


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
        arrays = {"digests": self.digests, "used": self.used}
        arrays |= {f"proba/{name}": proba for name, proba in self.proba.items()}
        arrays |= {f"features/{name}": features for name, features in self.features.items()}
        for name, scores in self.tokens.items():
            arrays[f"tokens/{name}"] = np.concatenate(scores) if scores else np.zeros((0, 0))
            arrays[f"token_counts/{name}"] = np.array([len(s) for s in scores], dtype=np.int64)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> PoolScores:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {key: saved[key] for key in saved.files}
        pool = cls(arrays.pop("digests"), arrays.pop("used"))
        for key, array in arrays.items():
            kind, _, name = key.partition("/")
            if kind in ("proba", "features"):
                getattr(pool, kind)[name] = array
            elif kind == "tokens":
                counts = arrays[f"token_counts/{name}"]
                pool.tokens[name] = np.split(array, np.cumsum(counts)[:-1]) if len(counts) else []
        return pool

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


def check_pool_models(entries: Sequence[ModelEntry]) -> None:
    """ValueError for a model that cannot learn from pseudo-labelled sentences (a network)."""
    unable = [entry.name for entry in entries if not issubclass(entry.model_class(), PoolFit)]
    if unable:
        raise ValueError(
            f"pool_models: {', '.join(unable)} cannot learn from unlabelled sentences; "
            "leave it out of pool_models (--set pool_models=[...])"
        )


class PoolWorkersError(RuntimeError):
    """The processes fitting the pool's models ended before their work was done."""


@dataclass
class PoolFits:
    """One base model fitted with the pool: the model fitted with all of it (`whole`), and each pool sentence's
    probabilities, stack features (a stacked model's) and token scores (the explaining model's) from the model of
    the part that left it out."""

    whole: BaseModel | None
    proba: np.ndarray
    features: np.ndarray | None
    tokens: list[np.ndarray] | None


def cross_fit(
    entries: Sequence[ModelEntry],
    config: SpookyConfig,
    labelled: tuple[list[str], np.ndarray],
    pool_texts: np.ndarray,
    labels: np.ndarray,
    used: np.ndarray,
    n_classes: int,
    checkpoints: FoldCheckpoints | None,
    run: RunProgress,
    explaining: str | None,
) -> dict[str, PoolFits]:
    """Each of `entries` fitted on the `labelled` rows plus the pool's `used` sentences with their pseudo-`labels`:
    once per part (`pool_parts`), leaving that part out, to score the part's sentences; then once with every used
    sentence, to score any other sentence.

    The fits are independent and each uses one core, so POOL_WORKERS processes run them side by side while
    this one scores the parts' sentences; each fit is seeded with config.seed, so the models are the same either
    way. A fit goes to `checkpoints` (else a scratch folder) and is loaded from there."""
    parts = pool_parts(len(pool_texts), config.pool_parts, config.seed)
    key = data_fingerprint(list(pool_texts), np.where(used, labels, -1))[:8]
    jobs = [(entry, part) for entry in entries for part in [*range(config.pool_parts), None]]
    fits = {
        entry.name: PoolFits(
            None,
            np.zeros((len(pool_texts), n_classes)),
            None,
            [None] * len(pool_texts) if entry.name == explaining else None,
        )
        for entry in entries
    }
    with tempfile.TemporaryDirectory(prefix="lstm-spooky-pool-") as scratch:

        def directory(entry: ModelEntry, part: int | None) -> Path:
            member = pool_member(key, part)
            return checkpoints.member_dir(entry.name, member) if checkpoints else Path(scratch, entry.name, member)

        def submit(index: int) -> Future | None:
            """Job `index` sent to a worker, unless an earlier run finished it (or there is no such job)."""
            if index >= len(jobs):
                return None
            entry, part = jobs[index]
            if checkpoints is not None and checkpoints.finished(entry.name, pool_member(key, part)):
                return None
            pool = _pool_of(pool_texts, labels, used, parts, part)
            with starting():  # it may start a worker
                return workers.submit(_fit_and_save, entry, config, labelled, pool, n_classes, directory(entry, part))

        with starting():
            workers = second_processes(POOL_WORKERS)
        # Never more jobs sent than workers to run them: a stop then finds nothing half-written to them.
        futures = {index: submit(index) for index in range(POOL_WORKERS)}
        try:
            for index, (entry, part) in enumerate(jobs):
                where = POOL_ALL_TASK if part is None else pool_task(part, config.pool_parts)
                run.start(entry.name, where)
                future = futures.pop(index)
                seconds = None if future is None else future.result()
                futures[index + POOL_WORKERS] = submit(index + POOL_WORKERS)
                run.finish(measured=seconds is not None, seconds=seconds)
                model = entry.model_class().load(directory(entry, part))
                if part is None:
                    fits[entry.name].whole = model
                else:
                    _keep_part(fits[entry.name], model, pool_texts, np.flatnonzero(parts == part), config.stacked)
                learnt = len(_pool_of(pool_texts, labels, used, parts, part)[0])
                done = "finished earlier; loaded" if seconds is None else f"{seconds:.0f}s"
                run.line(f"{entry.name}  {where}  {learnt} pseudo-labelled sentences  {done}")
        except BrokenProcessPool:
            terminate(workers)
            raise PoolWorkersError(
                "a process fitting the pool's models ended unexpectedly: out of memory, killed, or started from a "
                'script without the `if __name__ == "__main__":` guard that multiprocessing needs'
            ) from None
        except BaseException:
            terminate(workers)
            raise
        workers.shutdown()
    return fits


def _pool_of(
    pool_texts: np.ndarray, labels: np.ndarray, used: np.ndarray, parts: np.ndarray, part: int | None
) -> tuple[list[str], np.ndarray]:
    """The pseudo-labelled sentences a fit learns from: every used one (`part` None), or those outside `part`."""
    rows = np.flatnonzero(used if part is None else used & (parts != part))
    return list(pool_texts[rows]), labels[rows]


def _keep_part(fits: PoolFits, model: BaseModel, pool_texts: np.ndarray, rows: np.ndarray, stacked: bool) -> None:
    """What a part's `model` says of the part's sentences (`rows` of the pool), kept in `fits`."""
    if not len(rows):  # a pool smaller than its parts
        return
    texts = list(pool_texts[rows])
    fits.proba[rows] = model.predict_proba(texts)
    if stacked:
        features = stack_features(model, texts, fits.proba[rows])
        if fits.features is None:
            fits.features = np.zeros((len(pool_texts), features.shape[1]))
        fits.features[rows] = features
    if fits.tokens is not None and isinstance(model, TokenScores):
        for row, scores in zip(rows, model.token_scores(texts)):
            fits.tokens[row] = scores


def _fit_and_save(
    entry: ModelEntry,
    config: SpookyConfig,
    labelled: tuple[list[str], np.ndarray],
    pool: tuple[list[str], np.ndarray],
    n_classes: int,
    directory: Path,
) -> float:
    """In a worker process: one fit with the pool, saved to `directory`; the seconds it took."""
    start = time.perf_counter()
    with seeded_generators(config.seed, network=False):
        model = entry.make(config).fit_with_pool(*labelled, pool, n_classes)
    seconds = time.perf_counter() - start
    save_member(directory, model)
    return seconds
