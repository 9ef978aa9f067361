"""Checkpoints of finished folds: what `fit --resume` continues from.

A fold's model is written to `<checkpoint_dir>/<model>/fold-<k>` (a model refitted on all rows
to `<model>/all-rows`, a fit with an unlabelled pool to `<model>/pool-...`; fit_steps.py names
them) as soon as it is trained, so a crash in fold 3 keeps folds 1-2 on disk and `fit --resume`
skips them. The checkpoint directory also records which config and data it belongs to, so a
resume never mixes folds of different runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .atomic import atomic_directory
from .manifest import ManifestError, check_manifest, write_manifest
from .model_dir import member_dir

STATE_FILE = "run.json"


def data_fingerprint(texts: Sequence[str], y: np.ndarray) -> str:
    """A short hash of the training texts and labels, to recognise the same data on resume."""
    digest = hashlib.sha256()
    for text, label in zip(texts, y):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def is_checkpoint_dir(directory: Path) -> bool:
    """Whether `directory` holds only what FoldCheckpoints writes: run.json (a JSON object,
    written first) and one folder per base model its config names. Anything else is someone's data."""
    try:
        run = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    config = run.get("config") if isinstance(run, dict) else None
    models = config.get("models") if isinstance(config, dict) else None
    if not isinstance(models, list):
        return False
    return all(path.name == STATE_FILE or (path.is_dir() and path.name in models) for path in directory.iterdir())


def check_replaceable_checkpoints(directory: Path) -> None:
    """Raise ValueError unless `directory` is absent, empty or our own checkpoints, the only
    things a fit may delete to start over."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise ValueError(
            f"{directory}: a file is in the way of the fit's checkpoints; move it away or choose another --model-dir"
        )
    if any(directory.iterdir()) and not is_checkpoint_dir(directory):
        raise ValueError(
            f"{directory}: exists and is not an lstm-spooky checkpoint directory, so fit will not replace it; "
            "move it away or choose another --model-dir"
        )


def save_member(directory: Path, fitted) -> None:
    """A fitted base model written to `directory` atomically, with a manifest that `finished` checks."""
    with atomic_directory(directory) as tmp:
        fitted.save(tmp)
        write_manifest(tmp)


class FoldCheckpoints:
    """Finished fold models of one run, kept until the whole model is saved."""

    def __init__(self, directory: str | Path, run: dict, resume: bool):
        """`run` describes the run (config, data fingerprint); resuming requires it to match."""
        self.directory = Path(directory)
        run = json.loads(json.dumps(run))  # compare as saved: tuples become lists
        state_file = self.directory / STATE_FILE
        check_replaceable_checkpoints(self.directory)
        if resume and state_file.is_file():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            if saved != run:
                raise ValueError(
                    f"{self.directory} holds an unfinished run with other settings or data; "
                    "run without --resume to start over"
                )
        elif self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(run, indent=2), encoding="utf-8")

    def member_dir(self, model: str, member: str) -> Path:
        return member_dir(self.directory, model, member)

    def finished(self, model: str, member: str) -> bool:
        """Whether the member was saved and is intact: one damaged since (a copy cut short, a
        deleted file) is trained again rather than loaded."""
        try:
            check_manifest(self.member_dir(model, member))
        except (ManifestError, OSError):
            return False
        return True

    def save(self, model: str, member: str, fitted) -> None:
        save_member(self.member_dir(model, member), fitted)

    def remove(self) -> None:
        # run.json goes last, so that a removal cut short still leaves a recognisable checkpoint
        # directory, which the next fit may replace (anything else it refuses to touch).
        for path in self.directory.iterdir() if self.directory.is_dir() else []:
            if path.name != STATE_FILE:
                shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(self.directory, ignore_errors=True)
