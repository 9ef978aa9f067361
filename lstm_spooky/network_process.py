"""A saved model's networks, run in a second process while this one scores the n-gram models.

Scoring a stacked model is two kinds of work. The n-gram models count in Python, which
holds the interpreter's lock (the GIL) nearly all the time; the fold networks run in
TensorFlow, but tokenising their input and tracing their graphs needs the lock too. In one
process the two take turns; in two, each has a core of its own, and the first process never
imports TensorFlow at all (three of `submit`'s seconds). `lstm-spooky submit` and `predict`
score this way (README, Results); `SpookyClassifier.load` keeps everything in one process
unless asked.

The second process is started with "spawn", a fresh interpreter: forking a process that
may already run threads (TensorFlow's, scikit-learn's) is unsafe. It ignores Ctrl-C, which
the first process handles, and ends when it is closed or the first process exits.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

_networks: dict[str, list] = {}  # in the second process: each network model's fold members


class NetworkProcess:
    """The Keras base models `members` ({name: member directory names}) of `model_dir`, loaded in a second process."""

    def __init__(self, model_dir: str | Path, members: dict[str, list[str]]):
        self.names = list(members)
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_load, initargs=(str(model_dir), members)
        )
        self._pool.submit(int)  # start it now (the pool would wait for the first chunk): it loads while this process does

    def stack_blocks(self, texts: list[str]) -> Future:
        """A future of {name: stack features of `texts`, averaged over the fold members}, as the stack reads them."""
        return self._pool.submit(_stack_blocks, texts)

    def close(self) -> None:
        """Stop the second process now, dropping the work it has not started."""
        # shutdown(wait=False) lets a busy process finish its chunk (or its start, seconds of
        # importing TensorFlow) before it exits, and the interpreter waits for it at exit.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


def _load(model_dir: str, members: dict[str, list[str]]) -> None:
    """The second process's start: Ctrl-C left to the first process, the networks loaded."""
    from .classifier import backend_class
    from .model_dir import member_dir

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name, member_names in members.items():
        _networks[name] = [backend_class(name).load(member_dir(Path(model_dir), name, member)) for member in member_names]


def _stack_blocks(texts: list[str]) -> dict[str, np.ndarray]:
    """Each network model's stack features, its fold members run two at a time: TensorFlow lets go of
    the GIL, so they use the second core whenever the first process is not busy."""
    from .classifier import stack_features

    with ThreadPoolExecutor(max_workers=2) as threads:
        return {
            name: np.mean(list(threads.map(lambda member: stack_features(member, texts), members)), axis=0)
            for name, members in _networks.items()
        }
