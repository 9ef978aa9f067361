"""Write files and directories so that readers never see them half-written, and no crash loses them.

Everything is first written under a temporary name in the destination's own folder (same
filesystem, so the final rename is atomic), flushed to disk with the folder that names it
(as git and SQLite do: a rename can reach the disk before the data it names), and only then
renamed into place. An exception or Ctrl-C before that leaves the previous version untouched.

A file is simply renamed over the old one. A directory cannot be renamed over a non-empty
one, so the new directory and the old one are swapped in one step where the system can
(Linux's `renameat2` with RENAME_EXCHANGE): a reader sees the old model or the new one, never
none. Elsewhere the old one is first renamed aside to `.<name>.old`, then the new one into
place; an exception between the two puts the old one back, and after a crash between them
the next write or read of that path does (`recover_aside`).

The temporary names are private to their owner (mode 0600 and 0700); what is renamed into
place gets the mode an ordinary `open` or `mkdir` would give it under the user's umask, so a
submission or model can be shared like any other file.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

AT_FDCWD, RENAME_EXCHANGE = -100, 2  # <fcntl.h>, <linux/fs.h>


def ordinary_mode(directory: bool = False) -> int:
    """The permission bits a new file (or directory) gets from the process's umask, e.g. 0o644."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, ordinary_mode())
        flush_to_disk(Path(tmp))
        os.replace(tmp, path)
        flush_to_disk(path.parent)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary directory to fill; on success it replaces `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover_aside(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, ordinary_mode(directory=True))
        flush_tree(tmp)
        if not path.exists():
            os.replace(tmp, path)
        elif not exchange(tmp, path):  # the old directory is now at tmp, deleted below
            _replace_through_aside(tmp, path)
        flush_to_disk(path.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system or filesystem cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def aside_path(path: Path) -> Path:
    """Where a directory is kept while its replacement is renamed into place, without an exchange."""
    return path.with_name(f".{path.name}.old")


def recover_aside(path: Path) -> None:
    """Finish what a crash interrupted between the two renames of `_replace_through_aside`: with nothing at
    `path`, the directory left aside goes back there; beside a complete replacement, it is deleted."""
    aside = aside_path(path)
    if not aside.is_dir():
        return
    if path.exists():
        shutil.rmtree(aside)
    else:
        os.replace(aside, path)


def _replace_through_aside(new: Path, path: Path) -> None:
    """Replace the directory `path` by `new` in two renames; an exception between them puts the old one back."""
    aside = aside_path(path)
    os.replace(path, aside)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(aside, path)
        raise
    shutil.rmtree(aside)


def flush_tree(directory: Path) -> None:
    """Flush every file and folder under `directory`, and the directory itself, to disk."""
    for folder, _, files in os.walk(directory):
        for name in files:
            flush_to_disk(Path(folder) / name)
        flush_to_disk(Path(folder))


def flush_to_disk(path: Path) -> None:
    """fsync a file, or a directory (its entries: what it names); a system that cannot sync a directory is let be."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        if not path.is_dir() or error.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
