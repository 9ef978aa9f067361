"""Stopping a command cleanly: Ctrl-C, `kill` (SIGTERM) or a closed terminal (SIGHUP) end it with
its clean-up run (temporary files removed, the previous model or output kept) and one line saying
what is kept, with the shell's exit status for SIGINT, 130.

Python raises a signal handler's KeyboardInterrupt wherever the main thread is, and one raised
inside a finaliser (TensorFlow frees traced functions in `__del__`) is printed and ignored; so the
handler also sets a flag, and long loops check it at their safe points (`Stop.checked`,
`Stop.until_stopped`). A short step that a stop must not cut in half runs inside `Stop.deferred`.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import click

# The signals that stop a command, each with the handler it has by default: one set otherwise
# (`nohup` ignores SIGHUP) is kept. Windows has no SIGHUP.
_SIGNALS = (("SIGINT", signal.default_int_handler), ("SIGTERM", signal.SIG_DFL), ("SIGHUP", signal.SIG_DFL))


class Stop:
    """Whether a stop signal came during this command, and the checks that act on it."""

    def __init__(self) -> None:
        self._requested = threading.Event()
        self._deferring = False

    def request(self, signum: int, frame: object) -> None:
        """The signal handler: note the stop, and interrupt the main thread as Ctrl-C does (inside
        `deferred`, only note it)."""
        self._requested.set()
        if not self._deferring:
            raise KeyboardInterrupt

    @property
    def requested(self) -> bool:
        """Whether a stop signal came."""
        return self._requested.is_set()

    def raise_if_requested(self) -> None:
        """Raise KeyboardInterrupt if a stop signal came, even one whose first raise was swallowed."""
        if self.requested:
            raise KeyboardInterrupt

    def is_stop(self, error: BaseException) -> bool:
        """Whether `error` ends the command as a stop: Ctrl-C, or any error raised once a stop signal
        came (one landing inside TensorFlow's graph tracing can surface there as another error)."""
        return isinstance(error, KeyboardInterrupt) or self.requested

    def checked(self, function: Callable) -> Callable:
        """`function`, after a check for a pending stop: for the callbacks a long fit calls often."""

        def checked(*args, **kwargs):
            self.raise_if_requested()
            return function(*args, **kwargs)

        return checked

    def until_stopped(self, chunks: Iterable) -> Iterator:
        """`chunks`, with a check for a pending stop before each."""
        for chunk in chunks:
            self.raise_if_requested()
            yield chunk

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside: a stop signal is only noted, and raised as the block ends: for a short step that a stop
        must not cut in half (removing a folder that should then be gone)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        self.raise_if_requested()

    @contextmanager
    def ends_command(self, kept: str) -> Iterator[None]:
        """Inside: a stop ends the command with the line `kept` (what is kept, what to do next) on
        standard error and exit status 130; any other error passes on."""
        try:
            yield
        except (KeyboardInterrupt, Exception) as error:
            if not self.is_stop(error):
                raise
            click.echo(kept, err=True)
            sys.exit(130)


def stop_on_termination() -> Stop:
    """Until the command ends, let SIGTERM and SIGHUP (`kill`, a closed terminal, a job scheduler's
    time limit) stop it as Ctrl-C does, so that its clean-up runs. Ctrl-C itself gets the same
    handler, so that it too sets the flag the returned `Stop` reads."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        return stop  # only the main thread may set signal handlers
    context = click.get_current_context()
    for name, default in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == default:
            previous = signal.signal(number, stop.request)
            context.call_on_close(lambda number=number, previous=previous: signal.signal(number, previous))
    previous_hook = sys.unraisablehook

    def report_unraisable(unraisable) -> None:
        # Python reports an exception it had to ignore; our own stop is not lost (the flag is
        # set, the next safe point acts on it) and its traceback would only alarm the user.
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and stop.requested):
            previous_hook(unraisable)

    sys.unraisablehook = report_unraisable
    context.call_on_close(lambda: setattr(sys, "unraisablehook", previous_hook))
    return stop
