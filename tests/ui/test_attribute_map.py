"""`attribute --rolling`: a passage map of each text, as JSON rows, a table and a page."""

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_spooky import SpookyClassifier
from lstm_spooky.ui.cli import main
from tests.conftest import make_corpus
from tests.ui.test_attribute import attribute

SPLICE = 60  # the sentence where the spliced text turns from HPL's to MWS's


@pytest.fixture(scope="module")
def model_dir(corpus_model_dir):
    return corpus_model_dir


@pytest.fixture(scope="module")
def spliced(tmp_path_factory):
    """60 sentences of HPL then 60 of MWS, none of them seen in training, in paragraphs of 4."""
    corpus = make_corpus(900, seed=23)
    sentences = [corpus.loc[corpus["author"] == label, "text"].tolist()[:SPLICE] for label in ("HPL", "MWS")]
    sentences = sentences[0] + sentences[1]
    path = tmp_path_factory.mktemp("spliced") / "spliced.txt"
    path.write_text("\n\n".join(" ".join(sentences[at : at + 4]) for at in range(0, len(sentences), 4)) + "\n")
    return path


def rows_of(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_maps_most_probable_label_changes_within_a_window_of_the_splice(model_dir, spliced):
    (row,) = rows_of(attribute(model_dir, str(spliced), "--rolling", "10", "--step", "5", "--json"))
    labels = [window["label"] for window in row["windows"]]
    starts = [window["sentences"][0] for window in row["windows"]]
    changes = [start for start, before, after in zip(starts[1:], labels, labels[1:]) if before != after]
    assert labels[0] == "HPL" and labels[-1] == "MWS"
    assert len(changes) == 1 and abs(changes[0] - SPLICE) <= 10


def test_the_map_rows_tile_the_text_in_sentences_and_characters(model_dir, spliced):
    (row,) = rows_of(attribute(model_dir, str(spliced), "--rolling", "7", "--json"))
    text = spliced.read_text()
    windows = row["windows"]
    assert (row["window"], row["step"], row["sentences"]) == (7, 7, 120)
    assert windows[0]["sentences"][0] == 0 and windows[-1]["sentences"][1] == 120
    assert windows[0]["characters"][0] == 0 and windows[-1]["characters"][1] == len(text)
    for before, after in zip(windows, windows[1:]):
        assert before["sentences"][1] == after["sentences"][0] and before["characters"][1] == after["characters"][0]
    assert sum(window["words"] for window in windows) == row["words"]
    assert len(row["sentence_spans"]) == 120
    for window in windows:
        assert sum(window["probabilities"].values()) == pytest.approx(1, abs=1e-5)


def test_the_whole_texts_verdict_is_the_same_with_or_without_a_map(model_dir, spliced):
    (plain,) = rows_of(attribute(model_dir, str(spliced), "--json"))
    (mapped,) = rows_of(attribute(model_dir, str(spliced), "--rolling", "--json"))
    assert mapped["probabilities"] == plain["probabilities"]
    assert mapped["window"] == 6  # the default: about 20 windows of a text of 120 sentences


def test_a_one_sentence_text_is_one_window_whose_verdict_is_the_texts(model_dir, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("\nThe raven spoke of the abyss ; end.\n")
    (row,) = rows_of(attribute(model_dir, str(letter), "--rolling", "5", "--json"))
    (window,) = row["windows"]
    assert window["sentences"] == [0, 1] and window["characters"] == [0, len(letter.read_text())]
    assert window["probabilities"] == row["probabilities"]


def test_an_empty_text_gets_no_window_and_the_prior(model_dir):
    model = SpookyClassifier.load(model_dir)
    found = model.passage_map("  \n\n ")
    assert found.windows.shape == (0, 2) and found.proba.shape == (0, 3)
    np.testing.assert_allclose(found.verdict, np.exp(model.documents_.log_prior))


def test_a_text_without_any_sentence_boundary_is_one_sentence_in_one_window(model_dir, tmp_path):
    run_on = tmp_path / "run_on.txt"
    run_on.write_text(" ".join(make_corpus(30, seed=5)["text"]).replace(".", ",") + "\n")
    (row,) = rows_of(attribute(model_dir, str(run_on), "--rolling", "3", "--json"))
    assert row["sentences"] == 1 and [w["sentences"] for w in row["windows"]] == [[0, 1]]


def test_the_map_table_prints_a_line_per_window(model_dir, spliced):
    result = attribute(model_dir, str(spliced), "--rolling", "40")
    assert result.exit_code == 0, result.output
    assert "spliced.txt: 3 windows of 40 sentences, one every 40" in result.stdout
    assert re.search(r"^\s+1-40\s+\d+\s+HPL", result.stdout, re.MULTILINE)
    assert re.search(r"^\s+81-120\s+\d+\s+MWS", result.stdout, re.MULTILINE)


def test_html_writes_one_page_that_needs_nothing_else(model_dir, spliced, tmp_path):
    page = tmp_path / "map.html"
    result = attribute(model_dir, str(spliced), "--rolling", "10", "--html", str(page))
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "<script src" not in html and "<link" not in html
    data = json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["row"]["windows"]) == 12 and data["text"] == spliced.read_text()
    assert len(data["reasons"]) == 120 and all(len(words) % 4 == 0 for words in data["reasons"])


def test_html_maps_without_rolling_and_refuses_several_texts(model_dir, spliced, tmp_path):
    page = tmp_path / "map.html"
    assert attribute(model_dir, str(spliced), "--html", str(page)).exit_code == 0 and page.is_file()
    result = attribute(model_dir, str(spliced), str(spliced.parent), "--html", str(tmp_path / "two.html"))
    assert result.exit_code == 2 and "--html maps one text; 2 were given" in result.output
    assert not (tmp_path / "two.html").exists()


def test_a_text_that_closes_a_script_element_stays_inside_the_page_data(model_dir, tmp_path):
    text = tmp_path / "tricky.txt"
    text.write_text("The raven said </script><script>alert(1)</script> in the abyss ; end.\n")
    page = tmp_path / "tricky.html"
    assert attribute(model_dir, str(text), "--html", str(page)).exit_code == 0
    assert page.read_text().count("</script>") == 2  # the data's and the drawing code's own


def test_the_report_of_a_corpus_fit_maps_every_held_out_work_beside_a_table_of_passage_lengths(model_dir, tmp_path):
    pytest.importorskip("matplotlib")
    output = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 0, result.output
    page = output.read_text()
    maps = re.findall(r"<h3>(\w+_Work\d): by (\w+), read as (\w+) ([\d.]+)</h3><img", page)
    assert sorted(name for name, *_ in maps) == [
        f"{label}_Work{w}" for label in ("EAP", "HPL", "MWS") for w in range(3)
    ]
    assert all(name.startswith(label) for name, label, *_ in maps)
    assert "<td>1 sentence</td>" in page and "<td>200 words</td>" in page


def test_the_held_out_maps_tile_each_work_and_their_verdicts_are_probabilities(model_dir):
    validation = json.loads((model_dir / "documents.json").read_text())["validation"]
    assert len(validation["works"]) == 9
    for work in validation["works"]:
        windows = np.asarray(work["windows"])
        assert windows[0, 0] == 0 and windows[-1, 1] == work["sentences"] == 40
        np.testing.assert_array_equal(windows[1:, 0], windows[:-1, 1])
        np.testing.assert_allclose(np.sum(work["proba"], axis=1), 1, atol=1e-3)
