"""The `lstm-spooky` command: a thin click layer over SpookyClassifier and the data helpers.

Each command reads its options and hands the work on: fit's settings to fit_options.py, its run to
fitting.py, stop signals to stopping.py, user errors (one line each) to errors.py, the model
directory and output paths to model_access.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import click

from .._version import __version__
from ..config import SpookyConfig
from ..data.corpus import STDIN, read_test, read_train, validate_texts
from ..data.errors import DataError
from ..ensemble.network_process import NetworkLoadError, failure_message
from ..models import registry
from .bert_conversion import convert_checkpoint
from .errors import could_not_write, os_error, reported
from .fit_options import ModelsOption, bert_models, complete_models, fit_config
from .fitting import FitRun, fit_and_save, read_training
from .model_access import check_output, check_writable_model_dir, fit_target, load_meta, load_model, lock_model_dir
from .options import CONTEXT, LABELS, MODEL_DIR, QUIET, UNLABELED, column_option, saved_columns
from .predictions import prediction_rows, print_explained, print_table
from .stopping import stop_on_termination
from .terminal import say

# The network process's failures (it ended, or could not load the networks), each one line for the user.
NETWORK_FAILURES = (BrokenProcessPool, NetworkLoadError)


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


@main.command()
@click.argument("train_csv", metavar="TRAIN_CSV|CORPUS_DIR", type=click.Path(path_type=Path, allow_dash=True))
@MODEL_DIR
@click.option("--models", "--backend", "models", cls=ModelsOption, shell_complete=complete_models)
@click.option(
    "--bert-preset",
    help=f"For {' or '.join(bert_models())}: a KerasHub preset name, or a local folder (KerasHub preset, or "
    f"Hugging Face BERT made loadable by `convert-bert`).  [default: {SpookyConfig().bert.preset}]",
)
@click.option(
    "--folds",
    type=click.IntRange(min=1),
    help="Train each base model on this many stratified folds (the stack learns from their held-out predictions); "
    f"1 trains one of each with a validation split.  "
    f"[default: {SpookyConfig.folds}; for a CORPUS_DIR: {SpookyConfig.for_corpus().folds}]",
)
@UNLABELED
@LABELS
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
@column_option("text", "Column of TRAIN_CSV that holds the sentences.")
@column_option(
    "label", "Column of TRAIN_CSV that holds the labels: two or more distinct values (authors, or anything)."
)
@column_option("id", "Column of TRAIN_CSV that holds unique row ids.")
def fit(
    train_csv: Path,
    model_dir: Path,
    models: str | None,
    bert_preset: str | None,
    folds: int | None,
    unlabeled_csvs: tuple[Path, ...],
    labels_csv: Path | None,
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
    or on CORPUS_DIR (a folder of whole texts named Label_Title.txt, cut into sentences; the folds then hold
    out whole texts, and the defaults are the language models alone on 3 folds, which fit a corpus of novels
    in minutes where the defaults for sentences take hours) and save the model to --model-dir.

    The labels are learned from the file or folder; the column names and label set are saved
    with the model. Progress goes to standard error; finished folds are kept in
    MODEL_DIR.partial until the whole model is saved, so `--resume` can pick up after
    an interruption.
    """
    config = fit_config(
        config_path,
        models,
        settings,
        bert_preset,
        corpus=train_csv.is_dir(),
        folds=folds,
        seed=seed,
        max_epochs=epochs,
        batch_size=batch_size,
        validation_fraction=validation_fraction,
    )
    columns = saved_columns({}, text=text_column, label=label_column, id=id_column)
    training = read_training(train_csv, unlabeled_csvs, columns, labels_csv, quiet)
    model_dir, checkpoint_dir = fit_target(model_dir)
    lock_model_dir(model_dir)
    stop = stop_on_termination()
    check_writable_model_dir(model_dir, checkpoint_dir)
    fit_and_save(config, training, FitRun(train_csv, model_dir, checkpoint_dir, columns, resume, quiet), stop)


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

    meta = load_meta(model_dir, check_files=False)
    columns = saved_columns(meta, text=text_column, id=id_column)
    with reported(DataError):
        frame = read_test(test_csv, text_column=columns["text"], id_column=columns["id"])
    inputs = [(test_csv, f"the input file {test_csv}")] if test_csv != STDIN else []
    if sample_submission:
        inputs.append((sample_submission, f"the sample submission {sample_submission}"))
    if output != STDIN:
        check_output(output, inputs, model_dir)
    with reported(DataError):
        header = read_sample_submission(sample_submission, frame["id"], meta["classes"]) if sample_submission else None
    stop = stop_on_termination()
    model = load_model(model_dir)
    kept = f"no submission was written ({output} is as it was)"
    # A stop is told first: one sent to the whole process group also ends the network process.
    with (
        reported(OSError, message=could_not_write(kept)),
        reported(*NETWORK_FAILURES, message=lambda error: f"{failure_message(error)}; {kept}"),
        stop.ends_command(f"interrupted; {kept}"),
    ):
        destination = sys.stdout if output == STDIN else output
        written = write_submission(
            frame["id"], stop.until_stopped(model.iter_proba(frame["text"])), model.classes_, destination, header
        )
    if output == STDIN:
        say(quiet)(f"wrote {len(frame)} rows to standard output ({','.join(written)})")
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
    with reported(DataError):
        texts = validate_texts(texts, source="predict")
    if not texts:
        raise click.UsageError("give at least one sentence, as an argument or on standard input")
    meta = load_meta(model_dir, check_files=False)
    if explain:
        with reported(ValueError):  # refused before the model is loaded, for a model with no reasons to give
            registry.explaining_model(meta["config"]["models"])
    model = load_model(model_dir)
    with reported(*NETWORK_FAILURES, message=failure_message):
        if as_json:
            click.echo(json.dumps(prediction_rows(model, texts, explain, top), indent=2, ensure_ascii=False))
            return
        proba = model.predict_proba(texts)
        explanations = model.explain(texts) if explain else None
    if explanations is not None:
        print_explained(explanations, proba, top, quiet)
    else:
        print_table(texts, proba, [str(label) for label in model.classes_], saved_columns(meta)["label"])


@main.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@MODEL_DIR
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a CSV: document (the file name, or -), then one probability column per label, in the model's "
    "label order.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON rows (document, label, probabilities, length, and windows)."
)
@click.option(
    "--rolling",
    "window",
    type=click.IntRange(min=0),
    is_flag=False,
    flag_value=0,
    help="Also map each text: the verdict of each window of N sentences along it. Without N (or with 0), windows "
    "of about a twentieth of the text, at most 50 sentences (about 1,000 words of a novel); without N, put it "
    "after the PATHs.",
    metavar="[N]",
)
@click.option(
    "--step",
    type=click.IntRange(min=1),
    metavar="K",
    help="With --rolling: sentences from one window's start to the next's.  [default: N, windows that tile the text]",
)
@click.option(
    "--html",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the map of the one text as a page (needs no internet): each label's probability along the text, "
    "the winning label of each window, and the text, each sentence with the words that decided it.",
)
@QUIET
def attribute(
    paths: tuple[Path, ...],
    model_dir: Path,
    output: Path | None,
    as_json: bool,
    window: int | None,
    step: int | None,
    html: Path | None,
    quiet: bool,
) -> None:
    """Say who wrote each whole text: a PATH is a text file, a folder of .txt files, or - (standard input).

    Each text is cut into sentences (by the splitter of the corpus the model was fitted on) and weighed
    as a whole, its confidence learnt on works the model never saw: a line or two stays near the prior,
    a chapter or a novel gets a sure answer when its evidence agrees. With --rolling, each window of
    sentences along the text is weighed the same way, as a passage of its length: where in the text
    each label's evidence lies.
    """
    from ..data.documents import read_texts_to_attribute
    from .attribution import Rolling, print_verdicts, verdict_rows, verdicts, write_verdicts
    from .map_page import write_map_page

    with reported(DataError):
        documents = read_texts_to_attribute(paths, sys.stdin.read)
    if html is not None and len(documents) != 1:
        raise click.UsageError(f"--html maps one text; {len(documents)} were given")
    for written in (output, html):
        if written is not None:
            check_output(written, [(path, f"the input {path}") for path in paths if str(path) != "-"], model_dir)
    rolling = Rolling(window or None, step) if window is not None or step is not None or html is not None else None
    stop = stop_on_termination()
    model = load_model(model_dir)
    labels = [str(label) for label in model.classes_]
    written = [str(path) for path in (output, html) if path is not None]
    kept = "nothing was written" + (f" ({' and '.join(written)} left as it was)" if written else "")
    with (
        reported(ValueError),
        reported(OSError, message=could_not_write(kept)),
        reported(*NETWORK_FAILURES, message=lambda error: f"{failure_message(error)}; {kept}"),
        stop.ends_command(f"interrupted; {kept}"),
    ):
        found = list(stop.until_stopped(verdicts(model, documents, say(quiet), rolling)))
        if output is not None:
            write_verdicts(found, labels, output)
        if html is not None:
            write_map_page(model, found[0], documents[0][1], html)
    if as_json:
        click.echo(json.dumps(verdict_rows(found, labels), indent=2, ensure_ascii=False))
    else:
        print_verdicts(found, labels)
    if output is not None:
        say(quiet)(f"wrote {len(found)} rows to {output} (document,{','.join(labels)})")
    if html is not None:
        say(quiet)(f"wrote the map of {found[0].document} to {html}")


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

    meta = load_meta(model_dir)
    source = train_csv or (Path(meta["train_csv"]) if meta.get("train_csv") else None)
    texts = labels_by_id = None
    if source is not None and source.exists():
        columns = saved_columns(meta)
        with reported(DataError):
            frame = read_train(
                source, text_column=columns["text"], label_column=columns["label"], id_column=columns["id"]
            )
        texts, labels_by_id = dict(zip(frame["id"], frame["text"])), dict(zip(frame["id"], frame["author"]))
    else:
        say(quiet)(f"training CSV {source} not found; the error table shows ids only (use --train-csv)")
    output = output or model_dir / "report.html"
    check_output(output, [(source, f"the training file {source}")] if source is not None else [], model_dir)
    page = build_report(model_dir, texts, labels_by_id)
    with reported(OSError, message=could_not_write("no report was written")), atomic_file(output) as tmp:
        tmp.write_text(page, encoding="utf-8")
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
@click.option(
    "--max-document-chars",
    type=click.IntRange(min=1),
    default=3_000_000,
    show_default=True,
    help="Most characters in one /attribute text; more get status 413 (a long novel, such as Bleak House, has "
    "about 1,900,000; its map takes some 20 s).",
)
@QUIET
def serve(
    model_dir: Path, host: str, port: int, max_texts: int, max_chars: int, max_document_chars: int, quiet: bool
) -> None:
    """Serve a web page and a JSON API over the model until Ctrl-C: POST /predict, POST /attribute, GET /model,
    GET /health.

    The model is loaded once. Open the printed address in a browser to try sentences and see
    the words that pushed each towards a label, or paste or drop a whole text (a letter, a chapter, a novel)
    for its verdict and its passage map. Needs the serve extra: pip install 'lstm-spooky[serve]'.
    """
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        raise click.ClickException("serving needs the serve extra: pip install 'lstm-spooky[serve]'")
    from .serve import Limits, create_app, is_loopback, listening_socket, server, warm_up

    if not is_loopback(host):  # a warning, so never silenced by --quiet
        click.echo(
            f"warning: listening on {host}, other machines can reach the server, and it has no authentication",
            err=True,
        )
    with reported(
        OSError,
        message=lambda error: (
            f"cannot listen on {host} port {port}: {os_error(error)}; choose another --host or --port"
        ),
    ):
        sock = listening_socket(host, port)
    stop = stop_on_termination()
    with sock, reported(*NETWORK_FAILURES, message=failure_message), stop.ends_command("stopped serving"):
        model = load_model(model_dir)
        warm_up(model)
        app = create_app(model, model_dir, Limits(max_texts, max_chars, max_document_chars))
        address = f"[{host}]" if ":" in host else host
        if not quiet:  # on standard output: where to point a browser or a program
            click.echo(f"serving {model_dir} at http://{address}:{sock.getsockname()[1]}/ (Ctrl-C stops)")
        server(app).run(sockets=[sock])


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
    weights and no tokenizer config. Then: lstm-spooky fit train.csv --models tinybert
    --bert-preset DESTINATION.
    """
    click.echo(convert_checkpoint(source, destination, lowercase))
