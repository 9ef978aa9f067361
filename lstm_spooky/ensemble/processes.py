"""Second processes that leave every stop to the first: a saved model's networks (network_process.py), and
the fits of an unlabelled pool run side by side (cross_fit.py).

They are started with "spawn", a fresh interpreter: forking a process that may already run
threads (TensorFlow's, scikit-learn's) is unsafe. Ctrl-C and a closed terminal are the first
process's to handle (it then ends the others, `terminate`); the others ignore them, and end on
their own when the first is gone, even killed. A stop that comes while they start is acted on once
they have started, when they are the workers' to end.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker

LEFT_TO_THE_FIRST_PROCESS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP") if hasattr(signal, name))
# The stops whose handlers wait while processes start: those, and SIGTERM (`kill`), which the second processes
# do not ignore (`terminate` sends it).
STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP", "SIGTERM") if hasattr(signal, name))


def second_processes(max_workers: int) -> ProcessPoolExecutor:
    """Workers: up to `max_workers` spawned processes that leave stops to this one. Make them, and submit their first
    tasks, inside `starting()`: it starts multiprocessing's resource tracker as it is made, and a process per
    task as it needs them. A stop that came meanwhile is raised as `starting()` ends: `terminate` the executor then."""
    return ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"), initializer=leave_stops_to_the_first
    )


@contextmanager
def starting() -> Iterator[None]:
    """Around making an executor and the submits that start its processes: they inherit a mask under which a
    Ctrl-C or hang-up sent to the whole process group while they start is this process's alone, and a
    filter that hides the resource tracker's warnings. This process handles a stop that comes meanwhile
    as the block ends, when the processes started are the workers': raised halfway through a start, it
    left a process that the executor did not know of, or one that never got its task's data (a traceback)."""
    with _stops_deferred(STOPS), _signals_blocked(LEFT_TO_THE_FIRST_PROCESS), _tracker_warnings_off():
        # Started first: as it starts, the resource tracker unblocks SIGINT in this thread, which would
        # leave the workers' processes without the mask for the second or so of their start.
        resource_tracker.ensure_running()
        with _signals_blocked(LEFT_TO_THE_FIRST_PROCESS):
            yield


def leave_stops_to_the_first() -> None:
    """In a second process, first: ignore Ctrl-C and hang-ups, and end when the first process is gone."""
    for number in LEFT_TO_THE_FIRST_PROCESS:
        signal.signal(number, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:  # its sentinel becomes ready when it exits, however it ends
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()


def terminate(workers: ProcessPoolExecutor) -> None:
    """Stop an executor's processes now; the tasks they have not finished fail with BrokenProcessPool.

    They are terminated: shutdown alone would let each finish its task (or its start,
    seconds of importing TensorFlow) first. A task may then be half-written to one, and
    the thread writing it blocked for good, so the executor is told not to wait for that
    thread (without this, a Ctrl-C during `submit` hung the command). No future is
    cancelled: on Python 3.11 the executor's own clean-up then fails on the cancelled ones,
    with a traceback. Then it waits for the executor's manager thread to see the processes
    gone (milliseconds): left running while the interpreter exits, the thread closes a
    pipe that Python 3.11's exit handler for executors writes to without a lock, and a stop
    that landed as the executor shut down ended on "OSError: [Errno 9] Bad file descriptor".
    """
    processes = list((getattr(workers, "_processes", None) or {}).values())
    call_queue = getattr(workers, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()
    for process in processes:
        process.terminate()
    workers.shutdown(wait=True)


@contextmanager
def _stops_deferred(signals: tuple) -> Iterator[None]:
    """Until the block ends, the Python handlers of `signals` only note that one came; then the first noted is
    handled as it would have been. Python runs a handler in the main thread at its next instruction, whichever
    thread the signal reached (BLAS's, TensorFlow's): a mask in this thread alone does not delay it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # a handler runs in the main thread only, never in this one
        return
    handlers = {number: signal.getsignal(number) for number in signals}
    handlers = {number: handler for number, handler in handlers.items() if callable(handler)}
    noted = []
    for number in handlers:
        signal.signal(number, lambda *came: noted.append(came))
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        if noted:
            number, frame = noted[0]
            handlers[number](number, frame)


@contextmanager
def _signals_blocked(signals: tuple) -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):  # Windows: the child ignores them once started
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a signal that came meanwhile is delivered here


@contextmanager
def _tracker_warnings_off() -> Iterator[None]:
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
