"""User errors as click reports them: one line on standard error, exit status 1, no traceback.

The layers below raise ValueError (a bad file, a damaged model), OSError (a full disk) and the
network process's errors, each with a message meant for a person; `reported` turns the ones a
command expects into that one line, and `os_error` words an OSError of any origin in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def reported(*errors: type[Exception], message: Callable[[Exception], str] = str) -> Iterator[None]:
    """Inside: any of `errors` ends the command as a user error, in one line: `message(error)`,
    the error's own text unless told otherwise."""
    try:
        yield
    except errors as error:
        raise click.ClickException(message(error)) from None


def os_error(error: OSError) -> str:
    """'PATH: reason' in one line, from an OSError of any origin (Python, h5py, Keras)."""
    reason = error.strerror or " ".join(str(error).split())
    return f"{error.filename}: {reason}" if error.filename else reason


def could_not_write(consequence: str) -> Callable[[OSError], str]:
    """The message for a failed write: the file and why, then `consequence` (what was kept)."""
    return lambda error: f"could not write {os_error(error)}; {consequence}"
