"""What the commands share: the context (-h, options from the environment), --model-dir, --quiet,
and the names of the CSV columns they read."""

from __future__ import annotations

from pathlib import Path

import click

MODEL_DIR = click.option(
    "--model-dir",
    type=click.Path(path_type=Path),  # a file here is refused by our checks, with what to do instead
    default="spooky-model",
    show_default=True,
    envvar="LSTM_SPOOKY_MODEL_DIR",  # one variable for every command, rather than click's per-command names
    show_envvar=True,
    help="Directory that holds the trained model.",
)
QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress or other messages on standard error.")
# Every option can also come from the environment: LSTM_SPOOKY_<COMMAND>_<OPTION>, e.g.
# LSTM_SPOOKY_FIT_FOLDS=3 (click's auto_envvar_prefix); `--help` names them where shown.
CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "LSTM_SPOOKY"}


# The columns of Kaggle's files; `fit` saves the ones it read, and `submit` and `report` read those.
DEFAULT_COLUMNS = {"id": "id", "text": "text", "label": "author"}


def column_option(kind: str, what: str):
    """A --KIND-column option of `fit`, whose help names Kaggle's column."""
    return click.option(f"--{kind}-column", f"{kind}_column", help=f"{what}  [default: {DEFAULT_COLUMNS[kind]}]")


def saved_columns(meta: dict, **overrides: str | None) -> dict[str, str]:
    """The column names `fit` read (Kaggle's for older models), with any options given now on top."""
    columns = {**DEFAULT_COLUMNS, **meta.get("columns", {})}
    return {**columns, **{kind: name for kind, name in overrides.items() if name is not None}}
