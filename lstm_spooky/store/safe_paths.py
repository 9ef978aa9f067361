"""Which paths a command may write or replace, checked before any work is done.

A slip of the keyboard must never cost a user a file: an output that is the command's own
input, a model's file, a directory, or read-only is refused, and `fit` replaces only a
directory that it can prove is one of its models (model_dir.py) holding nothing else.
Every refusal is a ValueError with a one-line message that says what to do instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .model_dir import foreign_entries, is_model_dir


def check_output_file(output: Path, protected: Iterable[tuple[Path, str]], option: str = "--output") -> None:
    """Raise ValueError unless `output` may be (re)written: not a directory, none of the
    `protected` (path, what it is) files under another spelling, link or hard link, and
    in a writable place."""
    if output.is_dir():
        raise ValueError(
            f"{output}: is a directory; give a file name for {option}, such as {output / 'submission.csv'}"
        )
    if output.exists():
        for path, what in protected:
            if path.exists() and os.path.samefile(output, path):
                raise ValueError(f"{output}: is {what}, which this would overwrite; choose another {option}")
        if not os.access(output, os.W_OK):
            raise ValueError(f"{output}: is read-only; choose another {option} or make the file writable")
    _check_writable_parent(output, option)


def check_model_dir_target(model_dir: Path) -> None:
    """Raise ValueError unless `fit` may write `model_dir`: absent, empty, or an lstm-spooky
    model directory that holds nothing but the model (and its report)."""
    if not model_dir.exists():
        _check_writable_parent(model_dir, "--model-dir")
        return
    here = Path.cwd().resolve()
    if model_dir.resolve() in (here, *here.parents):  # replacing it would pull the folder from under the shell
        raise ValueError(
            f"{model_dir}: is the current folder or one above it; choose a folder inside it, such as spooky-model"
        )
    if not model_dir.is_dir():
        raise ValueError(f"{model_dir}: is a file, not a directory; choose another --model-dir")
    if any(model_dir.iterdir()):
        if not is_model_dir(model_dir):
            raise ValueError(
                f"{model_dir}: exists and is not an lstm-spooky model directory, so fit will not replace it; "
                "choose another --model-dir (a new or empty folder)"
            )
        foreign = foreign_entries(model_dir)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise ValueError(
                f"{model_dir}: holds files that are not part of the model ({shown}), which replacing it would delete; "
                "move them out or choose another --model-dir"
            )
    if not os.access(model_dir, os.W_OK):
        raise ValueError(f"{model_dir}: is read-only; choose another --model-dir or make it writable")
    _check_writable_parent(model_dir, "--model-dir")


def _check_writable_parent(path: Path, option: str) -> None:
    """The nearest existing folder above `path` must be a folder we may write in (missing
    folders below it are created when writing)."""
    parent = Path(os.path.abspath(path)).parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{path}: {parent} is a file, not a folder; choose another {option}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{path}: cannot write in {parent} (read-only); choose another {option}")
