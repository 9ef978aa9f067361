"""The model directory as the commands meet it: its description and the model read, and the paths
a command writes checked first (store/safe_paths.py); each refusal is one line naming the path."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .errors import os_error, reported


def load_meta(model_dir: Path, check_files: bool = True) -> dict:
    """The saved model's config.json (label set, column names), without loading any model.

    `check_files=False` leaves the manifest's checksums (0.1-0.2 s on the default model) to
    `load_model`, which checks them anyway, for commands that load the model next.
    """
    from ..store.model_dir import read_model_meta

    with reported(ValueError):
        return read_model_meta(model_dir, check_files=check_files)


def load_model(model_dir: Path):
    """The model, its networks in a second process (ensemble/network_process.py); it is closed when the command ends."""
    from ..ensemble.classifier import SpookyClassifier

    with reported(ValueError):
        model = SpookyClassifier.load(model_dir, networks_apart=True)
    click.get_current_context().call_on_close(model.close)
    return model


def fit_target(model_dir: Path) -> tuple[Path, Path]:
    """The directory `fit` saves to, named (`.` or `..` by the folder itself), and its checkpoint directory."""
    if model_dir.name in ("", ".."):  # `.` or `..`: name the checkpoints after the folder itself
        model_dir = Path(os.path.abspath(model_dir))
    if not model_dir.name:
        raise click.ClickException(f"{model_dir}: cannot be replaced by a model; choose another --model-dir")
    return model_dir, model_dir.with_name(model_dir.name + ".partial")


def lock_model_dir(model_dir: Path) -> None:
    """Hold the model directory's lock until the command ends, so a second `fit` aimed at it
    refuses at start instead of writing the same checkpoints (store/lock.py)."""
    from ..store.lock import LockedError, directory_lock

    with (
        reported(LockedError),
        reported(
            OSError,
            message=lambda error: f"cannot write beside {model_dir}: {os_error(error)}; choose another --model-dir",
        ),
    ):
        click.get_current_context().with_resource(directory_lock(model_dir))


def check_writable_model_dir(model_dir: Path, checkpoint_dir: Path) -> None:
    """Refuse a fit that would replace a directory of something else than a model or its checkpoints:
    refitting replaces a model, and starting over its checkpoints, but nothing more
    (store/safe_paths.py, store/checkpoints.py)."""
    from ..store.checkpoints import check_replaceable_checkpoints
    from ..store.safe_paths import check_model_dir_target

    with reported(ValueError):
        check_model_dir_target(model_dir)
        check_replaceable_checkpoints(checkpoint_dir)


def check_output(output: Path, inputs: list[tuple[Path, str]], model_dir: Path) -> None:
    """Refuse an output that would overwrite an input, the training file the model was fitted
    on, or one of the model's own files (store/safe_paths.py)."""
    from ..store.model_dir import model_files, saved_train_csv
    from ..store.safe_paths import check_output_file

    train_csv = saved_train_csv(model_dir)
    protected = [*inputs, *([(train_csv, f"the training file {train_csv}")] if train_csv else [])]
    protected += [(path, f"a file of the model in {model_dir}") for path in sorted(model_files(model_dir))]
    with reported(ValueError):
        check_output_file(output, protected)
