"""Write files and directories so that readers never see them half-written.

Everything is first written under a temporary name in the destination's own folder
(same filesystem, so the final rename is atomic) and only renamed into place once
complete. An exception or Ctrl-C leaves the previous version untouched. The temporary
names are private to their owner (mode 0600 and 0700); what is renamed into place gets the
mode an ordinary `open` or `mkdir` would give it under the user's umask, so a submission or
model can be shared like any other file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary directory to fill; on success it replaces `path`.

    A directory cannot be renamed over a non-empty one, so an existing `path` is first
    moved aside and deleted only after the new one is in place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, ordinary_mode(directory=True))
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
