"""A saved model's networks, run in a second process while this one scores the n-gram models.

Scoring a stacked model is two kinds of work. The n-gram models count in Python, which
holds the interpreter's lock (the GIL) nearly all the time; the fold networks run in
TensorFlow, but tokenising their input and tracing their graphs needs the lock too. In one
process the two take turns; in two, each has a core of its own, and the first process never
imports TensorFlow at all. `lstm-spooky submit` and `predict` score this way (docs/performance.md:
13.2-14.4 s with the networks in a thread, 11.6-11.9 s in their own process); `SpookyClassifier.load`
keeps everything in one process unless asked.

The second process is started with "spawn", a fresh interpreter: forking a process that
may already run threads (TensorFlow's, scikit-learn's) is unsafe. Ctrl-C and a closed
terminal are the first process's to handle (it then ends the second); the second also ends
on its own when the first is gone, even killed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

LEFT_TO_THE_FIRST_PROCESS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP") if hasattr(signal, name))

# In the second process: each network model's fold members, or why they could not be loaded.
_networks: dict[str, list] = {}
_load_error: Exception | None = None


class NetworkLoadError(ValueError):
    """The second process could not load the networks (the message says why)."""


class NetworkProcess:
    """The Keras base models `members` ({name: member directory names}) of `model_dir`, loaded in a second process."""

    def __init__(self, model_dir: str | Path, members: dict[str, list[str]]):
        self.names = list(members)
        # The processes started here (the pool's, and multiprocessing's resource tracker) inherit
        # this mask: a Ctrl-C or hang-up sent to the whole process group while they start is ours.
        with _signals_blocked(LEFT_TO_THE_FIRST_PROCESS), _tracker_warnings_off():
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            # Submitted now, not at the first chunk: it loads while this process does.
            self._pool.submit(_load, str(model_dir), members)

    def stack_blocks(self, texts: list[str]) -> Future:
        """A future of {name: stack features of `texts`, averaged over the fold members}, as the stack reads them.

        Raises NetworkLoadError (a ValueError) when the networks could not be loaded."""
        return self._pool.submit(_stack_blocks, texts)

    def close(self) -> None:
        """Stop the second process now; the chunks it has not scored fail with BrokenProcessPool.

        It is terminated: shutdown(wait=False) alone would let it finish its chunk (or its
        start, seconds of importing TensorFlow) while the interpreter waits for it at exit. A
        chunk may then be half-written to it, and the thread writing it blocked for good, so
        the pool is told not to wait for that thread at exit (without this, a Ctrl-C during
        `submit` hung the command). No future is cancelled: on Python 3.11 the pool's own
        clean-up then fails on the cancelled ones, with a traceback.
        """
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        call_queue = getattr(self._pool, "_call_queue", None)
        if call_queue is not None:
            call_queue.cancel_join_thread()
        for process in processes:
            process.terminate()
        self._pool.shutdown(wait=False)


def failure_message(error: Exception) -> str:
    """What to tell the user when the network process failed: it could not load the networks
    (NetworkLoadError), or it ended (BrokenProcessPool)."""
    if isinstance(error, NetworkLoadError):
        return str(error)
    return "the process running the networks ended unexpectedly (out of memory, or killed)"


@contextmanager
def _signals_blocked(signals: tuple):
    if not hasattr(signal, "pthread_sigmask"):  # Windows: the child ignores them once started
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a signal that came meanwhile is delivered here


@contextmanager
def _tracker_warnings_off():
    """Processes started inside inherit a filter that hides the resource tracker's warnings.

    When a stop ends both processes, the tracker may find a queue's semaphore that this
    process unlinked but had not yet unregistered as it exited; it then warns, after the
    "interrupted" line, that it could not unlink it (once in a CI run, on a hang-up). It
    cleans up what is left either way, so the warnings tell a user nothing.
    """
    previous = os.environ.get("PYTHONWARNINGS")
    own = "ignore::UserWarning:multiprocessing.resource_tracker"
    os.environ["PYTHONWARNINGS"] = f"{previous},{own}" if previous else own
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = previous


def _load(model_dir: str, members: dict[str, list[str]]) -> None:
    """The second process's first task: leave Ctrl-C and hang-ups to the first process, end
    when it is gone, and load the networks (or keep why not, for every chunk to report)."""
    global _load_error
    for number in LEFT_TO_THE_FIRST_PROCESS:
        signal.signal(number, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:  # its sentinel becomes ready when it exits, however it ends
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()
    try:
        from ..models import registry
        from ..store.model_dir import member_dir

        for name, member_names in members.items():
            model_class = registry.entry(name).model_class()
            _networks[name] = [model_class.load(member_dir(Path(model_dir), name, member)) for member in member_names]
    except Exception as error:
        _load_error = NetworkLoadError(
            f"{model_dir}: the networks could not be loaded ({type(error).__name__}: {error}); "
            "refit, or copy the whole directory again"
        )


def _stack_blocks(texts: list[str]) -> dict[str, np.ndarray]:
    """Each network model's stack features, its fold members run two at a time: TensorFlow lets go of
    the GIL, so they use the second core whenever the first process is not busy."""
    from .stack import stack_features

    if _load_error is not None:
        raise _load_error
    with ThreadPoolExecutor(max_workers=2) as threads:
        return {
            name: np.mean(list(threads.map(lambda member: stack_features(member, texts), members)), axis=0)
            for name, members in _networks.items()
        }
