"""A saved model's networks, run in a second process while this one scores the n-gram models.

Scoring a stacked model is two kinds of work. The n-gram models count in Python, which
holds the interpreter's lock (the GIL) nearly all the time; the fold networks run in
TensorFlow, but tokenising their input and tracing their graphs needs the lock too. In one
process the two take turns; in two, each has a core of its own, and the first process never
imports TensorFlow at all. `lstm-spooky submit` and `predict` score this way (docs/performance.md:
13.2-14.4 s with the networks in a thread, 11.6-11.9 s in their own process); `SpookyClassifier.load`
keeps everything in one process unless asked.

The second process leaves Ctrl-C and a closed terminal to the first, and ends on its own
when the first is gone (processes.py).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .processes import second_processes, starting, terminate

# In the second process: each network model's fold members, or why they could not be loaded.
_networks: dict[str, list] = {}
_load_error: Exception | None = None


class NetworkLoadError(ValueError):
    """The second process could not load the networks (the message says why)."""


class NetworkProcess:
    """The Keras base models `members` ({name: member directory names}) of `model_dir`, loaded in a second process."""

    def __init__(self, model_dir: str | Path, members: dict[str, list[str]]):
        self.names = list(members)
        with starting():
            self._pool = second_processes(max_workers=1)
        try:
            with starting():  # its process starts now, not at the first chunk: it loads while we do
                self._pool.submit(_load, str(model_dir), members)
        except BaseException:  # a stop that came as it started
            self.close()
            raise

    def stack_blocks(self, texts: list[str]) -> Future:
        """A future of {name: stack features of `texts`, averaged over the fold members}, as the stack reads them.

        Raises NetworkLoadError (a ValueError) when the networks could not be loaded."""
        return self._pool.submit(_stack_blocks, texts)

    def running(self) -> bool:
        """Whether the second process is there to score: False once it has ended (out of memory, killed)
        or been closed, when every chunk fails with BrokenProcessPool."""
        processes = self._pool._processes or {}  # None once the pool is shut down
        # The pool is marked broken before its manager reaps the dead process: is_alive() would race it.
        return not self._pool._broken and bool(processes) and all(process.is_alive() for process in processes.values())

    def close(self) -> None:
        """Stop the second process now; the chunks it has not scored fail with BrokenProcessPool."""
        terminate(self._pool)


def failure_message(error: Exception) -> str:
    """What to tell the user when the network process failed: it could not load the networks
    (NetworkLoadError), or it ended (BrokenProcessPool)."""
    if isinstance(error, NetworkLoadError):
        return str(error)
    return "the process running the networks ended unexpectedly (out of memory, or killed)"


def _load(model_dir: str, members: dict[str, list[str]]) -> None:
    """The second process's first task: load the networks (or keep why not, for every chunk to report)."""
    global _load_error
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
