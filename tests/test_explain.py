"""Explanations: the words a model really weighs, per label, for the terminal, JSON and the report."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_spooky.cli import main
from lstm_spooky.data import AUTHORS, encode_labels
from lstm_spooky.explain import explain, held_out_word_models, nblr_token_scores, source_of, terminal_lines, token_spans
from lstm_spooky.lm import LMBackend
from lstm_spooky.nblr import NBLRBackend
from tests.conftest import make_corpus

MARKER = "zanzibar"  # planted in HPL's sentences only
PROBE = "I saw zanzibar in the night"  # no mark of any author's punctuation, one marker


def planted_corpus():
    corpus = make_corpus()
    hpl = np.flatnonzero(corpus["author"] == "HPL")[::2]
    corpus.loc[hpl, "text"] = corpus.loc[hpl, "text"].str.replace(" end.", f" {MARKER} end.", regex=False)
    return corpus


CORPUS = planted_corpus()
Y = encode_labels(CORPUS["author"])


@pytest.mark.parametrize(
    "fit",
    [
        lambda: NBLRBackend().fit(CORPUS["text"].tolist(), Y),
        lambda: LMBackend().fit(CORPUS["text"].tolist(), Y),
        lambda: held_out_word_models(CORPUS["text"].tolist(), Y, 3),
    ],
    ids=["nblr", "lm", "held-out lm"],
)
def test_a_planted_marker_word_is_the_top_reason_for_its_label(fit):
    (explanation,) = explain(fit(), [PROBE], AUTHORS)
    assert explanation.reasons(AUTHORS.index("HPL"))[0][0] == MARKER
    for other in ("EAP", "MWS"):
        assert MARKER not in dict(explanation.reasons(AUTHORS.index(other)))


def test_nblr_word_scores_add_up_to_the_word_ngrams_part_of_each_label_score():
    backend = NBLRBackend().fit(CORPUS["text"].tolist(), Y)
    texts = [PROBE, "The raven ; the raven ; end.", "Zyzzyva!"]
    words = backend.vectorizers_[0]
    part = np.asarray(words.transform(texts) @ backend.weights_[:, : len(words.vocabulary_)].T)
    sums = np.array([scores.sum(axis=0) for scores in nblr_token_scores(backend, texts)])
    np.testing.assert_allclose(sums, part, atol=1e-12)


def test_token_spans_point_into_the_original_text():
    text = "The Raven -- it's nevermore; ÆNEAS."
    tokens, spans = token_spans(text)
    assert [text[a:b].lower() for a, b in spans] == tokens


def test_terminal_lines_give_the_sentence_then_each_label_with_its_reasons():
    (explanation,) = explain(NBLRBackend().fit(CORPUS["text"].tolist(), Y), [PROBE], AUTHORS)
    lines = terminal_lines(explanation, np.array([0.1, 0.8, 0.1]), top=2)
    assert lines[0] == f"HPL 0.800  {PROBE}"
    assert lines[2].split()[:3] == ["HPL", "0.800", MARKER] and lines[2].split()[3].startswith("+")
    coloured = terminal_lines(explanation, np.array([0.1, 0.8, 0.1]), top=2, colour=True)
    assert "\x1b[" in coloured[0] and "\x1b[" not in "".join(lines)


def test_the_source_is_nblr_then_lm_and_otherwise_an_error():
    assert source_of(["bilstm", "lm", "nblr"]) == "nblr"
    assert source_of(["bilstm", "lm"]) == "lm"
    with pytest.raises(ValueError, match="explanations need the nblr or lm model"):
        source_of(["bilstm"])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("explain")
    CORPUS.to_csv(directory / "train.csv", index=False)
    result = CliRunner().invoke(main, ["fit", str(directory / "train.csv"), "--model-dir", str(directory / "model"), "--models", "nblr,mnb_words", "--folds", "2", "--quiet"])
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
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "--explain", "--json", "--top", "1", PROBE, "The raven ; end."])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["label"] for row in rows] == ["HPL", "EAP"]
    assert rows[0]["source"] == "nblr"
    assert rows[0]["reasons"]["HPL"] == [{"token": MARKER, "score": pytest.approx(rows[0]["reasons"]["HPL"][0]["score"])}]
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
    corpus.loc[:5, "author"] = corpus.loc[:5, "author"].map({"EAP": "MWS", "HPL": "EAP", "MWS": "HPL"})  # mislabelled rows
    corpus.to_csv(tmp_path / "train.csv", index=False)
    fit = CliRunner().invoke(main, ["fit", str(tmp_path / "train.csv"), "--model-dir", str(tmp_path / "model"), "--models", "nblr,lm", "--folds", "2", "--quiet"])
    assert fit.exit_code == 0, fit.output
    result = CliRunner().invoke(main, ["report", "--model-dir", str(tmp_path / "model"), "--output", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    table = page[page.index("confidently wrong") :]
    assert "word language models fitted on the other training rows" in table
    assert "<mark style='background:" in table and "what pushed it" in table
