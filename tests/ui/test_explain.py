"""Explanations drawn: on the terminal, as JSON for programs, and in the report."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_spooky.data.labels import AUTHORS, encode_labels
from lstm_spooky.ensemble.explanation import explain
from lstm_spooky.models.nblr import NBLRModel
from lstm_spooky.ui.cli import main
from lstm_spooky.ui.highlight import terminal_lines
from tests.conftest import MARKER, PROBE, make_corpus, planted_corpus

CORPUS = planted_corpus()
Y = encode_labels(CORPUS["author"])


def test_terminal_lines_give_the_sentence_then_each_label_with_its_reasons():
    (explanation,) = explain(NBLRModel().fit(CORPUS["text"].tolist(), Y), [PROBE], AUTHORS, "nblr")
    lines = terminal_lines(explanation, np.array([0.1, 0.8, 0.1]), top=2)
    assert lines[0] == f"HPL 0.800  {PROBE}"
    assert lines[2].split()[:3] == ["HPL", "0.800", MARKER] and lines[2].split()[3].startswith("+")
    coloured = terminal_lines(explanation, np.array([0.1, 0.8, 0.1]), top=2, colour=True)
    assert "\x1b[" in coloured[0] and "\x1b[" not in "".join(lines)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("explain")
    CORPUS.to_csv(directory / "train.csv", index=False)
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(directory / "train.csv"),
            "--model-dir",
            str(directory / "model"),
            "--models",
            "nblr,mnb_words",
            "--folds",
            "2",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return directory / "model"


def test_predict_explain_prints_the_reasons_per_label_without_colour_off_a_terminal(model_dir):
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "--explain", PROBE])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("HPL ") and lines[0].endswith(PROBE)
    assert [line.split()[0] for line in lines[1:]] == list(AUTHORS)
    assert lines[2].split()[2] == MARKER
    assert "\x1b[" not in result.stdout
    assert "Reasons: word n-grams of the NB-LR model" in result.stderr


def test_predict_explain_json_is_machine_readable(model_dir):
    result = CliRunner().invoke(
        main, ["predict", "--model-dir", str(model_dir), "--explain", "--json", "--top", "1", PROBE, "The raven ; end."]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["label"] for row in rows] == ["HPL", "EAP"]
    assert rows[0]["source"] == "nblr"
    assert rows[0]["reasons"]["HPL"] == [
        {"token": MARKER, "score": pytest.approx(rows[0]["reasons"]["HPL"][0]["score"])}
    ]
    marker = next(t for t in rows[0]["tokens"] if t["token"] == MARKER)
    assert PROBE[marker["start"] : marker["end"]] == MARKER
    assert max(marker["scores"], key=marker["scores"].get) == "HPL"
    assert set(rows[1]["probabilities"]) == set(AUTHORS)


def test_predict_json_without_explain_gives_probabilities_only(model_dir):
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "--json", PROBE])
    (row,) = json.loads(result.stdout)
    assert set(row) == {"text", "label", "probabilities"}


def test_report_marks_what_misled_the_model_in_its_worst_errors(tmp_path):
    pytest.importorskip("matplotlib")
    corpus = make_corpus()
    corpus.loc[:5, "author"] = corpus.loc[:5, "author"].map(
        {"EAP": "MWS", "HPL": "EAP", "MWS": "HPL"}
    )  # mislabelled rows
    corpus.to_csv(tmp_path / "train.csv", index=False)
    fit = CliRunner().invoke(
        main,
        [
            "fit",
            str(tmp_path / "train.csv"),
            "--model-dir",
            str(tmp_path / "model"),
            "--models",
            "nblr,lm",
            "--folds",
            "2",
            "--quiet",
        ],
    )
    assert fit.exit_code == 0, fit.output
    result = CliRunner().invoke(
        main, ["report", "--model-dir", str(tmp_path / "model"), "--output", str(tmp_path / "report.html")]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    table = page[page.index("confidently wrong") :]
    assert "word language models fitted on the other training rows" in table
    assert "<mark style='background:" in table and "what pushed it" in table
