"""The command keeps the shell's conventions: -h, `-` for standard input and output, pipes,
compressed files, NO_COLOR, environment variables, completion, --quiet and --set."""

import bz2
import gzip
import io
import json
import lzma
import os
import pty
import subprocess
import sys
import zipfile

import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky.data.corpus import read_train
from lstm_spooky.data.errors import DataError
from lstm_spooky.ui import terminal
from lstm_spooky.ui.cli import main
from tests.conftest import make_corpus

FAST = ["--models", "nblr,mnb_words", "--folds", "2", "--quiet"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, train_csv):
    directory = tmp_path_factory.mktemp("shell") / "model"
    result = CliRunner().invoke(main, ["fit", str(train_csv), "--model-dir", str(directory), *FAST])
    assert result.exit_code == 0, result.output
    return directory


@pytest.mark.parametrize("args", [["-h"], ["fit", "-h"], ["submit", "-h"], ["predict", "-h"]])
def test_dash_h_is_help(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and result.output.startswith("Usage: ")


def test_fit_reads_the_training_csv_from_standard_input(train_csv, tmp_path):
    directory = tmp_path / "model"
    result = CliRunner().invoke(main, ["fit", "-", "--model-dir", str(directory), *FAST], input=train_csv.read_text())
    assert result.exit_code == 0, result.output
    assert json.loads((directory / "config.json").read_text())["train_csv"] is None  # no file to quote later


def test_submit_reads_standard_input_and_writes_standard_output(model_dir, test_csv):
    args = ["submit", "-", "--model-dir", str(model_dir), "--output", "-"]
    result = CliRunner().invoke(main, args, input=test_csv.read_text())
    assert result.exit_code == 0, result.output
    submission = pd.read_csv(io.StringIO(result.stdout))
    assert list(submission.columns) == ["id", "EAP", "HPL", "MWS"] and len(submission) == 30
    assert "wrote 30 rows to standard output" in result.stderr
    assert not (model_dir.parent / "-").exists()


def test_predict_reads_piped_lines(model_dir):
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir)], input="The raven ;\n\nEldritch !\n")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3  # the header and two sentences


def test_predict_without_sentences_on_a_terminal_says_how_instead_of_waiting(model_dir):
    terminal, other_end = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lstm_spooky", "predict", "--model-dir", str(model_dir)],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(other_end)
    assert result.returncode == 2
    assert "give sentences as arguments, or pipe them in, one a line" in result.stderr


def compress(kind: str, data: bytes) -> bytes:
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("train.csv", data)
        return buffer.getvalue()
    return {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](data)


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zip"])
def test_a_compressed_csv_reads_as_the_plain_one(kind, tmp_path):
    corpus = make_corpus(30)
    path = tmp_path / f"train.csv.{kind}"
    path.write_bytes(compress(kind, corpus.to_csv(index=False).encode()))
    pd.testing.assert_frame_equal(read_train(path), corpus)


def test_bytes_that_are_not_utf8_are_named_as_such_inside_a_compressed_file(tmp_path):
    path = tmp_path / "train.csv.gz"
    path.write_bytes(gzip.compress('id,text,author\n1,"Caf\xe9 noir",EAP\n'.encode("latin-1")))
    with pytest.raises(DataError, match="not valid UTF-8"):
        read_train(path)


def test_a_damaged_compressed_file_is_one_line(tmp_path):
    path = tmp_path / "train.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=r"train\.csv\.gz: not a readable \.gz file"):
        read_train(path)


def test_colour_follows_no_color(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal.colour()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.colour()


def test_options_come_from_the_environment(model_dir, train_csv, tmp_path):
    env = {"LSTM_SPOOKY_MODEL_DIR": str(model_dir)}
    result = CliRunner().invoke(main, ["predict", "The raven ;"], env=env)
    assert result.exit_code == 0, result.output
    assert "--model-dir" in CliRunner().invoke(main, ["predict", "-h"]).output
    assert "LSTM_SPOOKY_MODEL_DIR" in CliRunner().invoke(main, ["predict", "-h"]).output
    env = {"LSTM_SPOOKY_FIT_FOLDS": "3"}
    fit = CliRunner().invoke(
        main, ["fit", str(train_csv), "--model-dir", str(tmp_path / "m"), "--models", "mnb_words", "-q"], env=env
    )
    assert fit.exit_code == 0, fit.output
    assert json.loads((tmp_path / "m" / "config.json").read_text())["config"]["folds"] == 3


def test_model_names_complete_after_those_already_given():
    env = {
        "_LSTM_SPOOKY_COMPLETE": "bash_complete",
        "COMP_WORDS": "lstm-spooky fit --models nblr,svm_w",
        "COMP_CWORD": "3",
    }
    result = CliRunner().invoke(main, [], env=env, prog_name="lstm-spooky")
    assert "nblr,svm_words" in result.output and "nblr,svm_words_binary" in result.output
    assert "nblr,svm_chars" not in result.output


@pytest.mark.parametrize("command", [["submit", "TEST"], ["predict", "The raven ;"], ["report"]])
def test_quiet_leaves_nothing_on_standard_error(command, model_dir, test_csv, tmp_path):
    if command[0] == "report":
        pytest.importorskip("matplotlib")
        command = [*command, "--output", str(tmp_path / "report.html")]
    if command[0] == "submit":
        command = ["submit", str(test_csv), "--output", str(tmp_path / "submission.csv")]
    result = CliRunner().invoke(main, [*command, "--model-dir", str(model_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_set_takes_any_setting_nested_ones_too(train_csv, tmp_path):
    args = [
        "fit",
        str(train_csv),
        "--model-dir",
        str(tmp_path / "m"),
        *FAST,
        "--set",
        "nblr.c=5",
        "--set",
        "stack_c=0.5",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "m" / "config.json").read_text())["config"]
    assert saved["nblr"]["c"] == 5 and saved["stack_c"] == 0.5


@pytest.mark.parametrize(
    "setting, message",
    [
        ("folds=five", "folds: expected int, got 'five'"),
        ("nope=1", "'nope' is no setting of SpookyConfig"),
        ("folds", "expected FIELD=VALUE"),
    ],
)
def test_a_wrong_set_is_named_before_anything_is_trained(setting, message, train_csv, tmp_path):
    result = CliRunner().invoke(main, ["fit", str(train_csv), "--model-dir", str(tmp_path / "m"), "--set", setting])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "m").exists()
