"""`attribute PATH...`: whole texts (files, folders, standard input), one verdict each, as a table, JSON or CSV."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky.ui.cli import main
from tests.conftest import make_corpus


@pytest.fixture(scope="module")
def model_dir(corpus_model_dir):
    return corpus_model_dir


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    """Two new texts, one of HPL and one of MWS, in a folder, and a third beside it."""
    folder = tmp_path_factory.mktemp("new") / "texts"
    folder.mkdir()
    corpus = make_corpus(300, seed=11)
    for label in ("HPL", "MWS"):
        sentences = corpus.loc[corpus["author"] == label, "text"].tolist()[:60]
        (folder / f"unknown_{label}.txt").write_text("\n\n".join(sentences) + "\n")
    letter = folder.parent / "letter.txt"
    letter.write_text(corpus.loc[corpus["author"] == "EAP", "text"].iloc[0] + "\n")
    return folder, letter


def attribute(model_dir, *args, **kwargs):
    return CliRunner().invoke(main, ["attribute", "--model-dir", str(model_dir), *args], **kwargs)


def test_attribute_prints_each_texts_label_and_probabilities(model_dir, texts):
    folder, _ = texts
    result = attribute(model_dir, str(folder))
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["label", "EAP", "HPL", "MWS", "words", "document"]
    assert [row.split()[0] for row in rows] == ["HPL", "MWS"]
    assert [row.split()[-1] for row in rows] == ["unknown_HPL.txt", "unknown_MWS.txt"]


def test_attribute_json_gives_probabilities_that_sum_to_one(model_dir, texts):
    folder, letter = texts
    result = attribute(model_dir, str(letter), str(folder), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["document"] for row in rows] == ["letter.txt", "unknown_HPL.txt", "unknown_MWS.txt"]
    for row in rows:
        assert sum(row["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    assert rows[0]["sentences"] == 1 and rows[1]["sentences"] == 60


def test_attribute_output_writes_a_row_per_document_in_label_order(model_dir, texts, tmp_path):
    folder, letter = texts
    output = tmp_path / "verdicts.csv"
    result = attribute(model_dir, str(folder), str(letter), "--output", str(output), "--json")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(output)
    assert list(frame.columns) == ["document", "EAP", "HPL", "MWS"]
    assert list(frame["document"]) == ["unknown_HPL.txt", "unknown_MWS.txt", "letter.txt"]
    rows = json.loads(result.stdout)
    np.testing.assert_allclose(
        frame[["EAP", "HPL", "MWS"]], [list(r["probabilities"].values()) for r in rows], atol=1e-6
    )


def test_attribute_reads_standard_input_as_the_document_dash(model_dir, texts, tmp_path):
    folder, _ = texts
    text = (folder / "unknown_HPL.txt").read_text()
    output = tmp_path / "stdin.csv"
    result = attribute(model_dir, "-", "--output", str(output), input=text)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(output)["document"].tolist() == ["-"]
    assert result.stdout.splitlines()[1].split()[0] == "HPL"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "missing.txt: no such file or folder"),
        (lambda tmp: (tmp / "empty.txt").write_text("  \n") and tmp / "empty.txt", "empty.txt: the file is empty"),
        (
            lambda tmp: (tmp / "bad.txt").write_bytes(b"caf\xe9") and tmp / "bad.txt",
            "bad.txt: byte 3 (0xe9) is not UTF-8",
        ),
        (lambda tmp: (tmp / "none").mkdir() or tmp / "none", "none: holds no .txt files"),
    ],
)
def test_a_bad_input_is_one_line_naming_it(model_dir, tmp_path, make, message):
    result = attribute(model_dir, str(make(tmp_path)))
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_empty_standard_input_is_refused(model_dir):
    result = attribute(model_dir, "-", input="")
    assert result.exit_code != 0
    assert "standard input is empty" in result.stderr


def test_attribute_never_writes_over_an_input(model_dir, texts):
    _, letter = texts
    before = letter.read_text()
    result = attribute(model_dir, str(letter), "--output", str(letter))
    assert result.exit_code != 0
    assert letter.read_text() == before


def test_a_model_without_document_calibration_is_told_to_refit(tmp_path, texts):
    from lstm_spooky import SpookyClassifier, SpookyConfig

    corpus = make_corpus(60)
    model = SpookyClassifier(SpookyConfig(models=("nblr",), folds=2)).fit(corpus["text"], corpus["author"])
    model.documents_ = None  # as a model saved by an earlier version reads
    model.save(tmp_path / "old")
    result = attribute(tmp_path / "old", str(texts[1]))
    assert result.exit_code == 1
    assert "has no document calibration" in result.stderr and "fit it again" in result.stderr


def test_attribute_says_each_text_it_has_read(model_dir, texts):
    folder, _ = texts
    result = attribute(model_dir, str(folder))
    assert "1/2  unknown_HPL.txt: 60 sentences" in result.stderr
    assert "words" not in attribute(model_dir, str(folder), "--quiet").stderr
