"""One writer per model directory: a lock that two `fit` runs cannot both hold.

The lock is `fcntl.flock` on a small file beside the model directory (`.NAME.lock`),
not a pid file: the kernel releases a flock when its process ends, however it ends
(crash, kill -9, power cut of the process), so a dead run never leaves it stuck, and no
guess about whether a recorded pid is still alive (or reused, or on another host) is
needed. The file holds the owner's pid and host only to say who holds it. On release it
is deleted while still locked; a process that locked the file just before that deletion
notices that the path now names another file (or none) and tries again. flock is
advisory and reliable on local filesystems; on NFS it depends on the server. On systems
without fcntl (Windows) the directory is not locked.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class LockedError(RuntimeError):
    """Another process holds the lock; the message says which and where."""


def lock_path(directory: str | Path) -> Path:
    """The lock file of `directory`: hidden, beside it, named after it (resolved, so that two
    spellings of one directory share one lock)."""
    directory = Path(os.path.abspath(directory)).resolve()
    return directory.with_name(f".{directory.name}.lock")


@contextmanager
def directory_lock(directory: str | Path) -> Iterator[Path]:
    """Hold the lock of `directory` for the `with` block, or raise LockedError at once."""
    path = lock_path(directory)
    if fcntl is None:
        yield path
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, directory)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        yield path
    finally:
        os.unlink(path)  # while still locked, so no other process can hold this file
        os.close(fd)


def _acquire(path: Path, directory: str | Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            raise LockedError(
                f"{directory}: another lstm-spooky fit{owner} is writing this model directory; "
                f"wait for it to finish, or choose another --model-dir"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder released and deleted it between our open and flock


def _read_owner(fd: int) -> str:
    try:
        pid, host = os.pread(fd, 200, 0).decode().split()
    except (OSError, ValueError, UnicodeDecodeError):
        return ""
    return f" (pid {pid} on {host})"
