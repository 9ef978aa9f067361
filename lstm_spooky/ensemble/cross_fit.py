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
- those scores of every pool sentence are kept (pool_scores.py's `PoolScores`, saved as
  pool.npz), and `predict_proba`, `base_proba` and `explain` use them whenever a sentence of
  the pool comes back, matched by its exact text;
- any other sentence is scored by the base models refitted with the whole pool;
- pseudo-labelled sentences train base models only: the stack, every calibration and every
  out-of-fold score were fitted on the labelled rows before the pool was labelled, and are
  kept as they are. A model that calibrates itself (the language models) calibrates on its
  labelled rows alone (models/base.py's `PoolFit`).

The fits are independent and each uses one core, so WORKERS processes (processes.py) run them
side by side while this one scores the parts' sentences.
"""

from __future__ import annotations

import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import SpookyConfig
from ..data.corpus import validate_texts
from ..models import registry
from ..models.base import BaseModel, PoolFit, TokenScores
from ..models.registry import ModelEntry
from ..store.checkpoints import FoldCheckpoints, data_fingerprint, save_member
from ..store.fit_steps import FitStep, pool_step
from .folds import FitContext, seeded_generators
from .pool_scores import PoolScores, text_digests
from .processes import second_processes, starting, terminate
from .stack import stack_features

# Processes fitting the pool's models side by side: each n-gram fit runs on one core (liblinear, NumPy),
# and the machines this is built for have two.
WORKERS = 2


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


@dataclass(frozen=True)
class PseudoLabelled:
    """The pool as its fits learn from it, one row per sentence.

    texts : (n,) the sentences
    labels : (n,) each one's pseudo-label, a class id
    used : (n,) whether that label is confident enough to train on
    parts : (n,) each one's part (`pool_parts`)
    """

    texts: np.ndarray
    labels: np.ndarray
    used: np.ndarray
    parts: np.ndarray

    def key(self) -> str:
        """A hash of the sentences and the pseudo-labels they train with: the name of this pool's fits."""
        return data_fingerprint(list(self.texts), np.where(self.used, self.labels, -1))[:8]

    def learnt_by(self, part: int | None) -> tuple[list[str], np.ndarray]:
        """The sentences (and their pseudo-labels) a fit learns from: every used one (`part` None), or those outside
        `part`."""
        rows = np.flatnonzero(self.used if part is None else self.used & (self.parts != part))
        return list(self.texts[rows]), self.labels[rows]


@dataclass
class PoolFits:
    """One base model fitted with the pool: the model fitted with all of it (`whole`), and each pool sentence's
    probabilities, stack features (a stacked model's) and token scores (the explaining model's) from the model of
    the part that left it out."""

    whole: BaseModel | None
    proba: np.ndarray
    features: np.ndarray | None
    tokens: list[np.ndarray] | None

    @classmethod
    def empty(cls, n_rows: int, n_classes: int, explains: bool) -> PoolFits:
        """Nothing fitted yet for a pool of `n_rows` sentences; token scores kept only for the model that `explains`."""
        return cls(None, np.zeros((n_rows, n_classes)), None, [None] * n_rows if explains else None)


@dataclass(frozen=True)
class PoolJob:
    """One fit with the pool, `step`: model `entry` on the labelled rows plus the pool's used sentences outside
    the step's part (all of them when it has none), saved as `member` of the checkpoints, in `directory`."""

    entry: ModelEntry
    step: FitStep
    member: str
    directory: Path


def learn_pool(
    proba: Callable[[list[str]], np.ndarray],
    pool_texts: np.ndarray,
    entries: Sequence[ModelEntry],
    labelled: tuple[list[str], np.ndarray],
    ctx: FitContext,
) -> tuple[PoolScores | None, dict[str, BaseModel]]:
    """Pseudo-label the pool with `proba` (the model fitted on the `labelled` rows), then refit `entries` with its
    confident sentences, cross-fitted: the pool's kept scores, and each entry's model fitted with the whole pool.
    None and no model when no pseudo-label is confident enough."""
    config, run, start = ctx.config, ctx.run, time.perf_counter()
    labels, used = pseudo_labels(proba(list(pool_texts)), config.pool_threshold)
    run.line(
        f"pool  {int(used.sum())} of {len(pool_texts)} unlabelled sentences pseudo-labelled "
        f"(probability >= {config.pool_threshold:g})  {time.perf_counter() - start:.0f}s"
    )
    if not used.any():
        run.line("pool  no pseudo-label is confident enough: the model is fitted on the labelled rows alone")
        return None, {}
    pool = PseudoLabelled(pool_texts, labels, used, pool_parts(len(pool_texts), config.pool_parts, config.seed))
    fits = cross_fit(entries, labelled, pool, _explaining(config.models), ctx)
    return _kept_scores(pool, fits), {name: fitted.whole for name, fitted in fits.items()}


def cross_fit(
    entries: Sequence[ModelEntry],
    labelled: tuple[list[str], np.ndarray],
    pool: PseudoLabelled,
    explaining: str | None,
    ctx: FitContext,
) -> dict[str, PoolFits]:
    """Each of `entries` fitted on the `labelled` rows plus the `pool`'s used sentences: once per part, leaving that
    part out, to score the part's sentences; then once with every used sentence, to score any other sentence.

    WORKERS processes run the fits while this one scores; each fit is seeded with config.seed, so the models are
    the same either way. A fit goes to `checkpoints` (else a scratch folder) and is loaded from there."""
    fits = {entry.name: PoolFits.empty(len(pool.texts), ctx.n_classes, entry.name == explaining) for entry in entries}
    with tempfile.TemporaryDirectory(prefix="lstm-spooky-pool-") as scratch:
        jobs = _jobs(entries, ctx.config.pool_parts, pool.key(), ctx.checkpoints, Path(scratch))
        with starting():
            workers = second_processes(WORKERS)
        try:
            _run(workers, jobs, fits, labelled, pool, ctx)
            workers.shutdown()  # inside: a stop landing as it shuts down still terminates the workers
        except BrokenProcessPool:
            terminate(workers)
            raise PoolWorkersError(
                "a process fitting the pool's models ended unexpectedly: out of memory, killed, or started from a "
                'script without the `if __name__ == "__main__":` guard that multiprocessing needs'
            ) from None
        except BaseException:
            terminate(workers)
            raise
    return fits


def _jobs(
    entries: Sequence[ModelEntry], parts: int, pool_key: str, checkpoints: FoldCheckpoints | None, scratch: Path
) -> list[PoolJob]:
    """Every fit with the pool, in the run plan's order: each entry's parts, then its whole pool."""
    jobs = []
    for entry in entries:
        for step in [*(pool_step(part, parts) for part in range(parts)), pool_step(None, parts)]:
            member = step.member(pool_key)
            directory = checkpoints.member_dir(entry.name, member) if checkpoints else scratch / entry.name / member
            jobs.append(PoolJob(entry, step, member, directory))
    return jobs


def _run(
    workers: ProcessPoolExecutor,
    jobs: list[PoolJob],
    fits: dict[str, PoolFits],
    labelled: tuple[list[str], np.ndarray],
    pool: PseudoLabelled,
    ctx: FitContext,
) -> None:
    """Every job run by `workers` and taken in order, its model's scores kept in `fits`. Never more jobs sent than
    workers to run them: a stop then finds nothing half-written to them."""
    run = ctx.run
    sent = deque(_send(workers, job, labelled, pool, ctx) for job in jobs[:WORKERS])
    for index, job in enumerate(jobs):
        run.start(job.entry.name, job.step)
        future = sent.popleft()
        seconds = None if future is None else future.result()
        if index + WORKERS < len(jobs):
            sent.append(_send(workers, jobs[index + WORKERS], labelled, pool, ctx))
        run.finish(measured=seconds is not None, seconds=seconds)
        _keep(fits[job.entry.name], job, pool, ctx.config.stacked)
        done = "finished earlier; loaded" if seconds is None else f"{seconds:.0f}s"
        learnt = len(pool.learnt_by(job.step.part)[0])
        run.line(f"{job.entry.name}  {job.step.task}  {learnt} pseudo-labelled sentences  {done}")


def _send(
    workers: ProcessPoolExecutor,
    job: PoolJob,
    labelled: tuple[list[str], np.ndarray],
    pool: PseudoLabelled,
    ctx: FitContext,
) -> Future | None:
    """`job` sent to a worker; None when an earlier run finished it (`--resume`). The worker gets the settings and
    the sentences, nothing of this process's run."""
    if ctx.checkpoints is not None and ctx.checkpoints.finished(job.entry.name, job.member):
        return None
    learnt = pool.learnt_by(job.step.part)
    with starting():  # it may start a worker
        return workers.submit(_fit_and_save, job.entry, ctx.config, labelled, learnt, ctx.n_classes, job.directory)


def _keep(fits: PoolFits, job: PoolJob, pool: PseudoLabelled, stacked: bool) -> None:
    """The model `job` saved, loaded: the whole pool's kept in `fits`, a part's asked about the part's sentences."""
    model = job.entry.model_class().load(job.directory)
    if job.step.part is None:
        fits.whole = model
    else:
        _keep_part(fits, model, pool.texts, np.flatnonzero(pool.parts == job.step.part), stacked)


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


def _kept_scores(pool: PseudoLabelled, fits: dict[str, PoolFits]) -> PoolScores:
    """What prediction keeps of every pool sentence: each model's scores from the part that left it out."""
    scores = PoolScores(text_digests(list(pool.texts)), pool.used)
    for name, fitted in fits.items():
        scores.proba[name] = fitted.proba
        if fitted.features is not None:
            scores.features[name] = fitted.features
        if fitted.tokens is not None:
            scores.tokens[name] = fitted.tokens
    return scores


def _explaining(models: Sequence[str]) -> str | None:
    """The model whose token scores explain, if any of `models` can (registry.explaining_model)."""
    try:
        return registry.explaining_model(models)
    except ValueError:
        return None


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
