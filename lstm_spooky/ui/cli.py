"""The `lstm-spooky` command: a thin click layer over SpookyClassifier and the data helpers."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .._version import __version__
from ..config import SpookyConfig
from ..data.corpus import STDIN, DataError, check_unlabeled, read_test, read_train, validate_texts
from ..ensemble.network_process import NetworkLoadError, failure_message
from ..models import registry
from .predictions import prediction_rows

if TYPE_CHECKING:
    import pandas as pd

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


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="lstm-spooky")
def main() -> None:
    """Tell who wrote a sentence: Edgar Allan Poe (EAP), H. P. Lovecraft (HPL) or Mary Shelley (MWS),
    or any labels of your own CSV.

    Train with `fit`, write a Kaggle submission with `submit`, try sentences with `predict`, or in a
    browser with `serve`. A file
    named `-` is standard input (or output). Every option may come from an environment variable,
    LSTM_SPOOKY_<COMMAND>_<OPTION> (LSTM_SPOOKY_FIT_FOLDS=3), and --model-dir from
    LSTM_SPOOKY_MODEL_DIR. Shell completion: eval "$(_LSTM_SPOOKY_COMPLETE=bash_source lstm-spooky)"
    (zsh_source, fish_source for those shells).
    """


def _say(quiet: bool) -> Callable[[str], None]:
    """Messages for a person, on standard error; none with --quiet."""
    return (lambda message: None) if quiet else (lambda message: click.echo(message, err=True))


def _colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


# The columns of Kaggle's files; `fit` saves the ones it read, and `submit` and `report` read those.
DEFAULT_COLUMNS = {"id": "id", "text": "text", "label": "author"}


def _column_option(kind: str, what: str):
    return click.option(f"--{kind}-column", f"{kind}_column", help=f"{what}  [default: {DEFAULT_COLUMNS[kind]}]")


def _saved_columns(meta: dict, **overrides: str | None) -> dict[str, str]:
    """The column names `fit` read (Kaggle's for older models), with any options given now on top."""
    columns = {**DEFAULT_COLUMNS, **meta.get("columns", {})}
    return {**columns, **{kind: name for kind, name in overrides.items() if name is not None}}


class _ModelsOption(click.Option):
    """`--models`, whose help lists the registry's models as they are when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        models = "; ".join(f"{entry.name} ({entry.summary})" for entry in registry.MODELS.values())
        default = ",".join(SpookyConfig().models)
        self.help = f"Comma-separated base models to train; several are stacked. {models}.  [default: {default}]"
        return super().get_help_record(ctx)


def _complete_models(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of the model name being typed after any already given: "nblr,l" -> "nblr,lm"."""
    given, _, last = incomplete.rpartition(",")
    prefix = f"{given}," if given else ""
    return [prefix + name for name in registry.MODELS if name.startswith(last)]


@main.command()
@click.argument("train_csv", type=click.Path(path_type=Path, allow_dash=True))
@MODEL_DIR
@click.option("--models", "--backend", "models", cls=_ModelsOption, shell_complete=_complete_models)
@click.option(
    "--bert-preset",
    help="For tinybert: a KerasHub preset name, or a local folder (KerasHub preset, or Hugging Face BERT made "
    f"loadable by `convert-bert`).  [default: {SpookyConfig().bert.preset}]",
)
@click.option(
    "--folds",
    type=click.IntRange(min=1),
    help="Train each base model on this many stratified folds (the stack learns from their held-out predictions); "
    f"1 trains one of each with a validation split.  [default: {SpookyConfig.folds}]",
)
@click.option(
    "--unlabeled",
    "unlabeled_csvs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="CSV of sentences without labels, from the same books (Kaggle's test.csv; read as submit reads it). "
    "The language models (any of --set pool_models=[...]) also learn from the model's confident guesses of "
    "their labels, cross-fitted: none of these sentences is ever scored by a model that learnt its guess. "
    "Repeatable; the fit takes longer (docs/performance.md).",
)
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted fit: reuse the folds it finished (same data and settings)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file of hyperparameters (any SpookyConfig field); the options here override it.",
)
@click.option(
    "--seed", type=int, help=f"Random seed; the same seed gives the same model.  [default: {SpookyConfig.seed}]"
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    help=f"Most epochs per BiLSTM; early stopping usually ends sooner.  [default: {SpookyConfig.max_epochs}]",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help=f"BiLSTM training batch size.  [default: {SpookyConfig.batch_size}]",
)
@click.option(
    "--validation-fraction",
    type=click.FloatRange(0.01, 0.5),
    help="With --folds 1: share of rows held out for early stopping and calibration.  "
    f"[default: {SpookyConfig.validation_fraction}]",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Any setting of SpookyConfig, checked as a --config file is; VALUE is JSON (else text), a nested "
    "field is dotted: --set nb_orders=[1,2,3] --set nblr.c=10. It overrides the options above and --config.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress (the live bar on a terminal, lines elsewhere).")
@_column_option("text", "Column of TRAIN_CSV that holds the sentences.")
@_column_option(
    "label", "Column of TRAIN_CSV that holds the labels: two or more distinct values (authors, or anything)."
)
@_column_option("id", "Column of TRAIN_CSV that holds unique row ids.")
def fit(
    train_csv: Path,
    model_dir: Path,
    models: str | None,
    bert_preset: str | None,
    folds: int | None,
    unlabeled_csvs: tuple[Path, ...],
    resume: bool,
    config_path: Path | None,
    seed: int | None,
    epochs: int | None,
    batch_size: int | None,
    validation_fraction: float | None,
    settings: tuple[str, ...],
    quiet: bool,
    text_column: str | None,
    label_column: str | None,
    id_column: str | None,
) -> None:
    """Train on TRAIN_CSV (Kaggle's train.csv: id,text,author, or any labelled CSV; - for standard input)
    and save the model to --model-dir.

    The labels are learned from the file; the column names and label set are saved
    with the model. Progress goes to standard error; finished folds are kept in
    MODEL_DIR.partial until the whole model is saved, so `--resume` can pick up after
    an interruption.
    """
    options = {
        "models": _parse_models(models),
        "folds": folds,
        "seed": seed,
        "max_epochs": epochs,
        "batch_size": batch_size,
        "validation_fraction": validation_fraction,
    }
    config = _fit_config(config_path, options, settings, bert_preset)
    columns = _saved_columns({}, text=text_column, label=label_column, id=id_column)
    if [train_csv, *unlabeled_csvs].count(STDIN) > 1:
        raise click.UsageError("standard input (-) can be read only once: give the other files by name")
    frame = _load(
        read_train, train_csv, text_column=columns["text"], label_column=columns["label"], id_column=columns["id"]
    )
    unlabeled = _read_unlabeled(unlabeled_csvs, frame, columns) if unlabeled_csvs else None
    if model_dir.name in ("", ".."):  # `.` or `..`: name the checkpoints after the folder itself
        model_dir = Path(os.path.abspath(model_dir))
    if not model_dir.name:
        raise click.ClickException(f"{model_dir}: cannot be replaced by a model; choose another --model-dir")
    checkpoint_dir = model_dir.with_name(model_dir.name + ".partial")
    _lock_model_dir(model_dir)
    _stop_on_termination()
    _check_writable_model_dir(model_dir, checkpoint_dir)
    say = _say(quiet)
    if checkpoint_dir.is_dir() and any(checkpoint_dir.iterdir()) and not resume:
        # A warning, shown even with --quiet: finished folds are about to be deleted.
        click.echo(
            f"starting over: discarding the unfinished run in {checkpoint_dir} (--resume would continue it)", err=True
        )
    from ..ensemble.classifier import SpookyClassifier  # scikit-learn, pandas; TensorFlow only if a network is fitted
    from ..ensemble.cross_fit import PoolWorkersError

    view = _progress_view(quiet)
    say(
        f"Training {', '.join(config.models)} on {config.folds} fold(s) of {len(frame)} sentences from {train_csv} "
        f"(labels {', '.join(sorted(frame['author'].unique()))}; seed {config.seed})"
        + (f", and {len(unlabeled)} unlabelled sentences" if unlabeled else "")
    )
    start = time.perf_counter()
    resume_hint = f"finished folds are kept in {checkpoint_dir}: run the same command with --resume to continue"
    try:
        with view:
            model = SpookyClassifier(config).fit(
                frame["text"],
                frame["author"],
                ids=frame["id"],
                log=_checked(view.print),
                status=_checked(view.update),
                checkpoint_dir=checkpoint_dir,
                resume=resume,
                unlabeled=unlabeled,
            )
        _stop_if_requested()
        source = None if train_csv == STDIN else str(train_csv.resolve())  # the report quotes its sentences
        model.save(model_dir, extra={"train_csv": source, "columns": columns})
    except (ValueError, PoolWorkersError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # disk full, permissions changed mid-run: the folds done so far are safe
        raise click.ClickException(
            f"could not write {_os_error(error)}; the previous model in {model_dir} is unchanged and {resume_hint}"
        ) from None
    except (KeyboardInterrupt, Exception) as error:
        if not _is_stop(error):
            raise
        _interrupted(f"interrupted; the previous model in {model_dir}, if any, is unchanged and {resume_hint}")
    model.checkpoints_.remove()
    _print_scores(model, f"{time.perf_counter() - start:.0f}s; model saved to {model_dir}")


def _read_unlabeled(paths: tuple[Path, ...], training: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """The sentences of every --unlabeled file, in order, each file checked against the training rows
    (a note, shown even with --quiet, when some repeat them; an error when most do)."""
    texts: list[str] = []
    for path in paths:
        frame = _load(read_test, path, text_column=columns["text"], id_column=columns["id"])
        try:
            note = check_unlabeled(frame, training, path)
        except DataError as error:
            raise click.ClickException(str(error)) from None
        if note:
            click.echo(note, err=True)
        texts += frame["text"].tolist()
    return texts


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
    pool = getattr(model, "pool_", None)
    if pool is not None:
        summary = pool.summary()
        click.echo(
            f"Unlabelled pool: {summary['sentences']} sentences, {summary['pseudo_labelled']} pseudo-labelled; "
            f"{', '.join(summary['models'])} learnt from them (the scores above are the labelled rows' alone)"
        )


def _progress_view(quiet: bool):
    """One progress view for the whole fit: a live bar on a terminal, plain lines elsewhere, nothing with --quiet."""
    from .progress import LiveBar, PlainLines

    if quiet:
        return PlainLines(None)
    return LiveBar() if LiveBar.wanted() else PlainLines(lambda line: click.echo(line, err=True))


def _parse_models(models: str | None) -> tuple[str, ...] | None:
    if models is None:
        return None
    names = tuple(dict.fromkeys(m.strip() for m in models.split(",") if m.strip()))
    unknown = [m for m in names if m not in registry.MODELS]
    if unknown or not names:
        raise click.BadParameter(f"{models!r}: choose from {', '.join(registry.MODELS)}", param_hint="--models")
    return names


def _fit_config(
    config_path: Path | None, options: dict, settings: tuple[str, ...], bert_preset: str | None
) -> SpookyConfig:
    """fit's settings: the --config file's (else the defaults), then the options given, then each --set."""
    config = _read_config(config_path)
    config = config.replace(**{name: value for name, value in options.items() if value is not None})
    if settings:
        config = _with_settings(config, settings)
    if bert_preset is not None:
        if "tinybert" not in config.models:
            raise click.UsageError(
                "--bert-preset only applies to the tinybert model; add it with --models ...,tinybert"
            )
        config = config.replace(bert=config.bert.replace(preset=bert_preset))
    return config


def _with_settings(config: SpookyConfig, settings: tuple[str, ...]) -> SpookyConfig:
    """`config` with each FIELD=VALUE of --set (VALUE read as JSON, else as text), checked as a --config file is."""
    from ..config_check import check_config

    values = {}
    for setting in settings:
        field, equals, text = setting.partition("=")
        if not equals or not field.strip():
            raise click.BadParameter(f"{setting!r}: expected FIELD=VALUE, e.g. folds=3", param_hint="--set")
        try:
            values[field.strip()] = json.loads(text)
        except json.JSONDecodeError:
            values[field.strip()] = text
    try:
        config = config.with_values(values)
        check_config(config)
        registry.check_names(config.models)
    except (ValueError, TypeError) as error:
        raise click.BadParameter(str(error), param_hint="--set") from None
    return config


@main.command()
@click.argument("test_csv", type=click.Path(path_type=Path, allow_dash=True))
@MODEL_DIR
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, allow_dash=True),
    default="submission.csv",
    show_default=True,
    help="Where to write the submission CSV (never the input, nor a file of the model); - for standard output.",
)
@click.option(
    "--sample-submission",
    type=click.Path(path_type=Path),
    help="A sample submission (Kaggle's sample_submission.csv) whose header gives the column order; "
    "its ids and labels must match.",
)
@click.option("--text-column", help="Column of TEST_CSV that holds the sentences.  [default: the one `fit` read]")
@click.option("--id-column", help="Column of TEST_CSV that holds the row ids.  [default: the one `fit` read]")
@QUIET
def submit(
    test_csv: Path,
    model_dir: Path,
    output: Path,
    sample_submission: Path | None,
    text_column: str | None,
    id_column: str | None,
    quiet: bool,
) -> None:
    """Write a submission for TEST_CSV (- for standard input): id, then one probability column per label
    (Kaggle's: id,EAP,HPL,MWS).

    Labels come in sorted order, or in the order of --sample-submission.
    """
    from ..data.submission import read_sample_submission, write_submission

    meta = _load_meta(model_dir, check_files=False)
    columns = _saved_columns(meta, text=text_column, id=id_column)
    frame = _load(read_test, test_csv, text_column=columns["text"], id_column=columns["id"])
    inputs = [(test_csv, f"the input file {test_csv}")] if test_csv != STDIN else []
    if sample_submission:
        inputs.append((sample_submission, f"the sample submission {sample_submission}"))
    if output != STDIN:
        _check_output(output, inputs, model_dir)
    header = (
        _load(read_sample_submission, sample_submission, frame["id"], meta["classes"]) if sample_submission else None
    )
    _stop_on_termination()
    model = _load_model(model_dir)
    try:
        destination = sys.stdout if output == STDIN else output
        written = write_submission(
            frame["id"], _until_stopped(model.iter_proba(frame["text"])), model.classes_, destination, header
        )
    except (KeyboardInterrupt, Exception) as error:
        if _is_stop(error):  # first: a stop sent to the whole process group also ends the network process
            _interrupted(f"interrupted; no submission was written ({output} is as it was)")
        if isinstance(error, OSError):
            raise click.ClickException(
                f"could not write {_os_error(error)}; no submission was written ({output} is as it was)"
            ) from None
        if isinstance(error, (BrokenProcessPool, NetworkLoadError)):
            raise click.ClickException(
                f"{failure_message(error)}; no submission was written ({output} is as it was)"
            ) from None
        raise
    if output == STDIN:
        _say(quiet)(f"wrote {len(frame)} rows to standard output ({','.join(written)})")
    elif not quiet:
        click.echo(f"wrote {len(frame)} rows to {output} ({','.join(written)})")


@main.command()
@click.argument("texts", nargs=-1)
@MODEL_DIR
@click.option(
    "--explain",
    is_flag=True,
    help="Also show, per label, the words that pushed each sentence towards it "
    "(from the NB-LR model, or the language models without it).",
)
@click.option(
    "--top", type=click.IntRange(min=1), default=3, show_default=True, help="With --explain: words shown per label."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON for programs: a list with each sentence's label, probabilities (and reasons with --explain).",
)
@QUIET
def predict(texts: tuple[str, ...], model_dir: Path, explain: bool, top: int, as_json: bool, quiet: bool) -> None:
    """Print label probabilities for each TEXT (or, with none, each line piped to standard input)."""
    if not texts:
        if sys.stdin.isatty():  # nobody is piping sentences in: say how, rather than wait
            raise click.UsageError("give sentences as arguments, or pipe them in, one a line")
        texts = tuple(line for line in sys.stdin.read().splitlines() if line.strip())
    try:
        texts = validate_texts(texts, source="predict")
    except DataError as error:
        raise click.ClickException(str(error)) from None
    if not texts:
        raise click.UsageError("give at least one sentence, as an argument or on standard input")
    meta = _load_meta(model_dir, check_files=False)
    if explain:
        _check_explainable(meta["config"]["models"])
    model = _load_model(model_dir)
    try:
        if as_json:
            click.echo(json.dumps(prediction_rows(model, texts, explain, top), indent=2, ensure_ascii=False))
            return
        proba = model.predict_proba(texts)
        explanations = model.explain(texts) if explain else None
    except (BrokenProcessPool, NetworkLoadError) as error:
        raise click.ClickException(failure_message(error)) from None
    if explanations is not None:
        _print_explained(explanations, proba, top, quiet)
        return
    header = _saved_columns(meta)["label"]
    labels = [str(label) for label in model.classes_]
    width = max(6, len(header), *map(len, labels))
    click.echo(f"{header:<{width}}  " + "  ".join(f"{label:>5}" for label in labels) + "  text")
    for text, row in zip(texts, proba):
        best = labels[int(row.argmax())]
        click.echo(
            f"{best:<{width}}  "
            + "  ".join(f"{p:>{max(5, len(label))}.3f}" for label, p in zip(labels, row))
            + f"  {text}"
        )


def _check_explainable(models: list[str]) -> None:
    """Refuse --explain for a model that has no reasons to give, before loading it."""
    try:
        registry.explaining_model(models)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _print_explained(explanations: list, proba, top: int, quiet: bool) -> None:
    """predict --explain's lines: each sentence's label, and the words that pushed it towards each;
    colour only on a terminal."""
    from ..ensemble.explanation import source_description
    from .highlight import terminal_lines

    colour = _colour()
    _say(quiet)(f"Reasons: {source_description(explanations[0].source)}; scores add up per label.")
    for explanation, row in zip(explanations, proba):
        click.echo("\n".join(terminal_lines(explanation, row, top, colour)), color=colour)


@main.command()
@MODEL_DIR
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the HTML report.  [default: MODEL_DIR/report.html]",
)
@click.option(
    "--train-csv",
    type=click.Path(path_type=Path),
    help="Training CSV to quote sentences from.  [default: the one `fit` read]",
)
@QUIET
def report(model_dir: Path, output: Path | None, train_csv: Path | None, quiet: bool) -> None:
    """Write an HTML report: learning curves, confusion matrix, calibration, worst errors."""
    if importlib.util.find_spec("matplotlib") is None:
        raise click.ClickException("the report needs matplotlib: pip install 'lstm-spooky[report]'")
    from ..store.atomic import atomic_file
    from .report import build_report

    meta = _load_meta(model_dir)
    source = train_csv or (Path(meta["train_csv"]) if meta.get("train_csv") else None)
    texts = labels_by_id = None
    if source is not None and source.exists():
        columns = _saved_columns(meta)
        frame = _load(
            read_train, source, text_column=columns["text"], label_column=columns["label"], id_column=columns["id"]
        )
        texts, labels_by_id = dict(zip(frame["id"], frame["text"])), dict(zip(frame["id"], frame["author"]))
    else:
        _say(quiet)(f"training CSV {source} not found; the error table shows ids only (use --train-csv)")
    output = output or model_dir / "report.html"
    _check_output(output, [(source, f"the training file {source}")] if source is not None else [], model_dir)
    page = build_report(model_dir, texts, labels_by_id)
    try:
        with atomic_file(output) as tmp:
            tmp.write_text(page, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"could not write {_os_error(error)}; no report was written") from None
    if not quiet:
        click.echo(f"wrote {output}")


@main.command()
@MODEL_DIR
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The server has no authentication: any other than a loopback address lets other "
    "machines use it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--max-texts",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Most sentences in one /predict request; more get status 413.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Most characters in one sentence; more get status 413 (Kaggle's longest has 4,663).",
)
@QUIET
def serve(model_dir: Path, host: str, port: int, max_texts: int, max_chars: int, quiet: bool) -> None:
    """Serve a web page and a JSON API over the model until Ctrl-C: POST /predict, GET /model, GET /health.

    The model is loaded once. Open the printed address in a browser to try sentences and see
    the words that pushed each towards a label. Needs the serve extra: pip install 'lstm-spooky[serve]'.
    """
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        raise click.ClickException("serving needs the serve extra: pip install 'lstm-spooky[serve]'")
    from .serve import Limits, create_app, is_loopback, listening_socket, server, warm_up

    if not is_loopback(host):  # a warning, so never silenced by --quiet
        click.echo(
            f"warning: listening on {host}, other machines can reach the server, and it has no authentication",
            err=True,
        )
    try:
        sock = listening_socket(host, port)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host} port {port}: {_os_error(error)}; choose another --host or --port"
        ) from None
    _stop_on_termination()
    try:
        model = _load_model(model_dir)
        warm_up(model)
        app = create_app(model, model_dir, Limits(max_texts, max_chars))
        address = f"[{host}]" if ":" in host else host
        if not quiet:  # on standard output: where to point a browser or a program
            click.echo(f"serving {model_dir} at http://{address}:{sock.getsockname()[1]}/ (Ctrl-C stops)")
        server(app).run(sockets=[sock])
    except (KeyboardInterrupt, Exception) as error:
        if _is_stop(error):
            _interrupted("stopped serving")
        if isinstance(error, (BrokenProcessPool, NetworkLoadError)):
            raise click.ClickException(failure_message(error)) from None
        raise
    finally:
        sock.close()


@main.command("convert-bert")
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lowercase/--cased",
    default=None,
    help="Whether the tokenizer lowercases text.  [default: guessed from vocab.txt]",
)
def convert_bert(source: Path, destination: Path, lowercase: bool | None) -> None:
    """Make the Hugging Face BERT folder SOURCE loadable by KerasHub, as DESTINATION.

    For checkpoints such as huawei-noah/TinyBERT_General_4L_312D that ship PyTorch or Flax
    weights and no tokenizer config. Then: lstm-spooky fit train.csv --backend tinybert
    --bert-preset DESTINATION.
    """
    from ..models.convert_bert import convert_bert_checkpoint

    if importlib.util.find_spec("keras_hub") is None:
        raise click.ClickException("converting BERT checkpoints needs the bert extra: pip install 'lstm-spooky[bert]'")
    if destination.exists() and any(destination.iterdir()):
        raise click.ClickException(f"{destination} exists and is not empty; choose a new folder")
    try:
        summary = convert_bert_checkpoint(source, destination, lowercase)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    from ..models.tensorflow_start import start_tensorflow_quietly

    start_tensorflow_quietly()
    from ..models.tinybert import check_preset

    try:
        parameters = check_preset(str(destination))
    except ValueError as error:
        shutil.rmtree(destination)
        raise click.ClickException(f"{error}; removed {destination}") from None
    click.echo(
        f"converted {summary['tensors']} tensors from {source / summary['weights']} "
        f"({'lowercasing' if summary['lowercase'] else 'cased'} tokenizer); KerasHub loads the "
        f"{parameters:,}-parameter backbone from {destination}"
    )


def _load(reader, path: Path, *args, **kwargs):
    try:
        return reader(path, *args, **kwargs)
    except DataError as error:
        raise click.ClickException(str(error)) from None


def _read_config(path: Path | None) -> SpookyConfig:
    if path is None:
        return SpookyConfig()
    from ..config_check import check_config

    try:
        values = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError('expected a JSON object such as {"folds": 5}')
        config = SpookyConfig.from_dict(values)
        check_config(config)
        registry.check_names(config.models)
        return config
    except (ValueError, TypeError) as error:
        raise click.ClickException(f"{path}: not a valid config ({error})") from None


def _load_meta(model_dir: Path, check_files: bool = True) -> dict:
    """The saved model's config.json (label set, column names), without loading any model.

    `check_files=False` leaves the manifest's checksums (0.1-0.2 s on the default model) to
    `_load_model`, which checks them anyway, for commands that load the model next.
    """
    from ..store.model_dir import read_model_meta

    try:
        return read_model_meta(model_dir, check_files=check_files)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _load_model(model_dir: Path):
    """The model, its networks in a second process (ensemble/network_process.py); it is closed when the command ends."""
    from ..ensemble.classifier import SpookyClassifier

    try:
        model = SpookyClassifier.load(model_dir, networks_apart=True)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.get_current_context().call_on_close(model.close)
    return model


def _check_writable_model_dir(model_dir: Path, checkpoint_dir: Path) -> None:
    # Refitting replaces a model, and starting over replaces its checkpoints, but neither
    # ever replaces a directory of something else (store/safe_paths.py, store/checkpoints.py).
    from ..store.checkpoints import check_replaceable_checkpoints
    from ..store.safe_paths import check_model_dir_target

    try:
        check_model_dir_target(model_dir)
        check_replaceable_checkpoints(checkpoint_dir)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _lock_model_dir(model_dir: Path) -> None:
    """Hold the model directory's lock until the command ends, so a second `fit` aimed at it
    refuses at start instead of writing the same checkpoints (store/lock.py)."""
    from ..store.lock import LockedError, directory_lock

    try:
        click.get_current_context().with_resource(directory_lock(model_dir))
    except LockedError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(
            f"cannot write beside {model_dir}: {_os_error(error)}; choose another --model-dir"
        ) from None


def _check_output(output: Path, inputs: list[tuple[Path, str]], model_dir: Path) -> None:
    """Refuse an output that would overwrite an input, the training file the model was fitted
    on, or one of the model's own files (store/safe_paths.py)."""
    from ..store.model_dir import model_files, saved_train_csv
    from ..store.safe_paths import check_output_file

    train_csv = saved_train_csv(model_dir)
    protected = [*inputs, *([(train_csv, f"the training file {train_csv}")] if train_csv else [])]
    protected += [(path, f"a file of the model in {model_dir}") for path in sorted(model_files(model_dir))]
    try:
        check_output_file(output, protected)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _os_error(error: OSError) -> str:
    """'PATH: reason' in one line, from an OSError of any origin (Python, h5py, Keras)."""
    reason = error.strerror or " ".join(str(error).split())
    return f"{error.filename}: {reason}" if error.filename else reason


def _stop_on_termination() -> None:
    """Until the command ends, let SIGTERM and SIGHUP (`kill`, a closed terminal, a job
    scheduler's time limit) stop it as Ctrl-C does, so that its clean-up runs: temporary
    files removed, the previous model or output kept, the message on what to do next.
    Ctrl-C itself gets the same handler, so that it too sets the flag `_stop_if_requested` reads."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers
    context = click.get_current_context()
    _STOP_REQUESTED.clear()
    for name, default in (
        ("SIGINT", signal.default_int_handler),
        ("SIGTERM", signal.SIG_DFL),
        ("SIGHUP", signal.SIG_DFL),
    ):
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is not None and signal.getsignal(number) == default:  # `nohup` ignores SIGHUP: keep that
            previous = signal.signal(number, _raise_interrupt)
            context.call_on_close(lambda number=number, previous=previous: signal.signal(number, previous))
    previous_hook = sys.unraisablehook

    def report_unraisable(unraisable) -> None:
        # Python reports an exception it had to ignore; our own stop is not lost (the flag is
        # set, `_stop_if_requested` acts on it) and its traceback would only alarm the user.
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and _STOP_REQUESTED.is_set()):
            previous_hook(unraisable)

    sys.unraisablehook = report_unraisable
    context.call_on_close(lambda: setattr(sys, "unraisablehook", previous_hook))


# Set by a stop signal. Python raises the handler's KeyboardInterrupt wherever the main thread
# is, and one raised inside a finaliser (TensorFlow frees traced functions in `__del__`) is
# printed and ignored, so long loops also check this flag at their safe points.
_STOP_REQUESTED = threading.Event()


def _raise_interrupt(signum, frame) -> None:
    _STOP_REQUESTED.set()
    raise KeyboardInterrupt


def _is_stop(error: BaseException) -> bool:
    """Whether `error` ends a command as a stop: Ctrl-C, or any error raised once a stop signal
    came (one landing inside TensorFlow's graph tracing can surface there as another error)."""
    return isinstance(error, KeyboardInterrupt) or _STOP_REQUESTED.is_set()


def _stop_if_requested() -> None:
    """Raise KeyboardInterrupt if a stop signal came, even one whose first raise was swallowed."""
    if _STOP_REQUESTED.is_set():
        raise KeyboardInterrupt


def _checked(function: Callable) -> Callable:
    """`function`, after a check for a pending stop: for the callbacks a long fit calls often."""

    def checked(*args, **kwargs):
        _stop_if_requested()
        return function(*args, **kwargs)

    return checked


def _until_stopped(chunks: Iterable) -> Iterator:
    """`chunks`, with a check for a pending stop before each."""
    for chunk in chunks:
        _stop_if_requested()
        yield chunk


def _interrupted(message: str) -> None:
    """Ctrl-C: one line saying what is kept, and the shell's exit status for SIGINT."""
    click.echo(message, err=True)
    sys.exit(130)
