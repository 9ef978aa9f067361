"""What the commands share: the context (-h, options from the environment), --model-dir, --quiet,
and the names of the CSV columns they read; and fit's inputs besides its training file or folder."""

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


UNLABELED = click.option(
    "--unlabeled",
    "unlabeled_csvs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="CSV of sentences without labels, from the same books (Kaggle's test.csv; read as submit reads it). "
    "The language models (any of --set pool_models=[...]) also learn from the model's confident guesses of "
    "their labels, cross-fitted: none of these sentences is ever scored by a model that learnt its guess. "
    "Repeatable; the fit takes longer (docs/performance.md).",
)
LABELS = click.option(
    "--labels",
    "labels_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For a CORPUS_DIR whose files are not named Label_Title.txt: a CSV with columns file,label "
    "(each .txt file's name in the folder, and its label).",
)
