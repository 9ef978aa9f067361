"""`fit`'s run: the training rows (a CSV of sentences, or a corpus folder of whole texts cut into
sentences, each keeping its work) and unlabelled sentences read, the classifier trained with a
progress view, saved, and its cross-validated scores printed. A stop or a failure keeps the
previous model and the finished folds (for --resume), and says so in one line; a stop once the model
is saved says that instead."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import SpookyConfig
from ..data.corpus import STDIN, check_unlabeled, read_test, read_train
from ..data.errors import DataError
from ..ensemble.groups import WARNING
from ..models import registry
from .errors import could_not_write, reported
from .stopping import Stop
from .terminal import say

if TYPE_CHECKING:
    import pandas as pd

    from ..text.sentences import Splitter


@dataclass(frozen=True)
class FitRun:
    """Where a fit reads and saves, and how it reports."""

    train_csv: Path
    model_dir: Path
    checkpoint_dir: Path  # finished folds, kept until the model is saved
    columns: dict[str, str]  # the column names read, saved with the model
    resume: bool
    quiet: bool


@dataclass(frozen=True)
class Training:
    """What a fit learns from: labelled rows (id, text, author), each row's work and the sentence splitter
    that cut them (a corpus folder's; None for a CSV), and the --unlabeled sentences (None without any)."""

    frame: pd.DataFrame
    works: pd.Series | None
    splitter: Splitter | None
    unlabeled: list[str] | None


def read_training(
    train: Path, unlabeled_csvs: tuple[Path, ...], columns: dict[str, str], labels_csv: Path | None, quiet: bool
) -> Training:
    """The labelled rows of `train` (a CSV, or a corpus folder labelled by its file names or `labels_csv`)
    and the sentences of the --unlabeled files."""
    if [train, *unlabeled_csvs].count(STDIN) > 1:
        raise click.UsageError("standard input (-) can be read only once: give the other files by name")
    if train.is_dir():
        frame, splitter = read_corpus(train, labels_csv, quiet)
    elif labels_csv is not None:
        raise click.UsageError(f"--labels labels the texts of a corpus folder; {train} is a file")
    else:
        with reported(DataError):
            frame = read_train(
                train, text_column=columns["text"], label_column=columns["label"], id_column=columns["id"]
            )
        splitter = None
    unlabeled = _read_unlabeled(unlabeled_csvs, frame, columns) if unlabeled_csvs else None
    works = frame.pop("work") if splitter is not None else None
    return Training(frame, works, splitter, unlabeled)


def read_corpus(folder: Path, labels_csv: Path | None, quiet: bool) -> tuple[pd.DataFrame, Splitter]:
    """The sentences of a corpus folder's texts, as rows id, text, author (the label), work, cut by a sentence
    splitter trained on the texts; that splitter."""
    from ..data.documents import read_documents, sentence_rows
    from ..text.sentences import train_splitter

    start = time.perf_counter()
    with reported(DataError):
        documents = read_documents(folder, labels_csv)
        splitter = train_splitter(document.text for document in documents)
        rows = sentence_rows(documents, splitter)
    say(quiet)(
        f"Read {len(documents)} texts of {rows['label'].nunique()} labels from {folder}: {len(rows)} sentences "
        f"(a sentence splitter trained on the texts; {time.perf_counter() - start:.0f}s)"
    )
    return rows.rename(columns={"label": "author"})[["id", "text", "author", "work"]], splitter


def _read_unlabeled(paths: tuple[Path, ...], training: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """The sentences of every --unlabeled file, in order, each file checked against the training rows
    (a note, shown even with --quiet, when some repeat them; an error when most do)."""
    texts: list[str] = []
    for path in paths:
        with reported(DataError):
            frame = read_test(path, text_column=columns["text"], id_column=columns["id"])
            note = check_unlabeled(frame, training, path)
        if note:
            click.echo(note, err=True)
        texts += frame["text"].tolist()
    return texts


def fit_and_save(config: SpookyConfig, training: Training, run: FitRun, stop: Stop) -> None:
    """Train `config`'s models on `training`, save the model to `run.model_dir`, print its scores."""
    if run.checkpoint_dir.is_dir() and any(run.checkpoint_dir.iterdir()) and not run.resume:
        # A warning, shown even with --quiet: finished folds are about to be deleted.
        click.echo(
            f"starting over: discarding the unfinished run in {run.checkpoint_dir} (--resume would continue it)",
            err=True,
        )
    from ..ensemble.classifier import SpookyClassifier  # scikit-learn, pandas; TensorFlow only if a network is fitted
    from ..ensemble.cross_fit import PoolWorkersError

    view = _progress_view(run.quiet)
    frame, unlabeled, works = training.frame, training.unlabeled, training.works
    grouped = f"{works.nunique()} works, grouped folds; " if works is not None else ""
    say(run.quiet)(
        f"Training {', '.join(config.models)} on {config.folds} fold(s) of {len(frame)} sentences from "
        f"{run.train_csv} ({grouped}labels {', '.join(sorted(frame['author'].unique()))}; seed {config.seed})"
        + (f", and {len(unlabeled)} unlabelled sentences" if unlabeled else "")
    )
    start = time.perf_counter()
    kept = f"finished folds are kept in {run.checkpoint_dir}: run the same command with --resume to continue"
    with (
        reported(ValueError, PoolWorkersError),
        # disk full, permissions changed mid-run: the folds done so far are safe
        reported(OSError, message=could_not_write(f"the previous model in {run.model_dir} is unchanged and {kept}")),
        stop.ends_command(f"interrupted; the previous model in {run.model_dir}, if any, is unchanged and {kept}"),
    ):
        with view:
            model = SpookyClassifier(config).fit(
                frame["text"],
                frame["author"],
                ids=frame["id"],
                log=stop.checked(_fit_log(view, run.quiet)),
                status=stop.checked(view.update),
                checkpoint_dir=run.checkpoint_dir,
                resume=run.resume,
                unlabeled=unlabeled,
                groups=works,
                splitter=training.splitter,
            )
        stop.raise_if_requested()
        source = None if run.train_csv == STDIN else str(run.train_csv.resolve())  # the report quotes its sentences
        read = {"corpus_dir": source, "train_csv": None} if training.splitter is not None else {"train_csv": source}
        model.save(run.model_dir, extra={**read, "columns": run.columns})
    _finish(model, run, stop, start)


def _finish(model, run: FitRun, stop: Stop, start: float) -> None:
    """After the save: the finished folds removed, then the scores printed. A stop here ends the command
    saying that the model is saved; one during the removal waits for its end, so no folder is left half-removed."""
    with stop.ends_command(
        f"interrupted; the model was saved to {run.model_dir} and is complete (`lstm-spooky report` shows its scores)"
    ):
        with stop.deferred():
            model.checkpoints_.remove()
        _print_scores(model, f"{time.perf_counter() - start:.0f}s; model saved to {run.model_dir}")


def _fit_log(view, quiet: bool):
    """Where the fit's log lines go: to the progress view, its warnings to standard error even with --quiet."""
    if not quiet:
        return view.print
    return lambda line: click.echo(line, err=True) if line.startswith(WARNING) else None


def _progress_view(quiet: bool):
    """One progress view for the whole fit: a live bar on a terminal, plain lines elsewhere, nothing with --quiet."""
    from .progress import LiveBar, PlainLines

    if quiet:
        return PlainLines(None)
    return LiveBar() if LiveBar.wanted() else PlainLines(lambda line: click.echo(line, err=True))


def _print_scores(model, ending: str) -> None:
    """fit's last lines: each base model's cross-validated log loss and accuracy, then the final model's,
    and `ending`."""
    cv = model.cv_
    scope = f"{cv['folds']}-fold out-of-fold" if cv["folds"] > 1 else "validation"
    width = max(len(name) for name in [*cv["models"], "final"])
    if any(registry.entry(name).raw_scores for name in cv["models"]):
        click.echo(
            "Base models, raw (the SVM and naive Bayes scores are not probabilities until the stack calibrates them):"
        )
    for name, scores in cv["models"].items():
        click.echo(f"{name:<{width}}  {scope} log loss {scores['log_loss']:.4f}  accuracy {scores['accuracy']:.4f}")
    how = "stacked" if model.config_.stacked else f"temperature {model.temperature_:.2f}"
    click.echo(
        f"{'final':<{width}}  {scope} log loss {cv['log_loss']:.4f}  accuracy {cv['accuracy']:.4f} "
        f"({how}; {cv['rows']} rows); {ending}"
    )
    pool = model.pool_
    if pool is not None:
        summary = pool.summary()
        click.echo(
            f"Unlabelled pool: {summary['sentences']} sentences, {summary['pseudo_labelled']} pseudo-labelled; "
            f"{', '.join(summary['models'])} learnt from them (the scores above are the labelled rows' alone)"
        )
