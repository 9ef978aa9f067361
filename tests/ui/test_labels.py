"""Any label set: files with two labels and with five, under other column names, end to end.

Kaggle's three authors are one label set among others: `fit` learns the labels from the
file, saves them and the column names, and `submit`, `predict` and `report` follow them.
"""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky import SpookyClassifier
from lstm_spooky.data.submission import make_submission
from lstm_spooky.ui.cli import main
from tests.conftest import FIVE_STYLES, TINY, TWO_STYLES, make_corpus

COLUMNS = ["--text-column", "sentence", "--label-column", "writer", "--id-column", "key"]
# Two labels exercise the binary special cases (one SVM, one-row logistic regressions);
# five labels a network with five outputs.
CASES = {"two": (TWO_STYLES, "nblr,svm_words,lm"), "five": (FIVE_STYLES, "bilstm,nblr,mnb_words")}


def as_other_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"id": "key", "text": "sentence", "author": "writer"}).assign(source="synthetic")


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    styles, models = CASES[request.param]
    directory = tmp_path_factory.mktemp(request.param)
    as_other_columns(make_corpus(200, styles=styles)).to_csv(directory / "train.csv", index=False)
    test = make_corpus(20, seed=1, styles=styles).assign(id=lambda f: "t" + f["id"])
    as_other_columns(test.drop(columns="author")).to_csv(directory / "test.csv", index=False)
    (directory / "config.json").write_text(json.dumps(TINY.replace(max_epochs=3).to_dict()))
    fit = CliRunner().invoke(
        main,
        [
            "fit",
            str(directory / "train.csv"),
            "--model-dir",
            str(directory / "model"),
            "--config",
            str(directory / "config.json"),
            "--models",
            models,
            "--quiet",
            *COLUMNS,
        ],
    )
    assert fit.exit_code == 0, fit.output
    return {"dir": directory, "labels": sorted(styles), "styles": styles, "test_ids": test["id"].tolist(), "fit": fit}


def test_fit_learns_and_saves_the_label_set_and_column_names(case):
    meta = json.loads((case["dir"] / "model" / "config.json").read_text())
    assert meta["classes"] == case["labels"]
    assert meta["columns"] == {"id": "key", "text": "sentence", "label": "writer"}
    oof = pd.read_csv(case["dir"] / "model" / "oof.csv")
    assert list(oof.columns) == ["id", *case["labels"], "author"]
    assert meta["cv"]["accuracy"] > 0.8


def test_submit_writes_id_and_one_column_per_label_in_sorted_order(case, tmp_path):
    output = tmp_path / "submission.csv"
    # The test file is read with the column names fit saved: no options needed.
    result = CliRunner().invoke(
        main,
        ["submit", str(case["dir"] / "test.csv"), "--model-dir", str(case["dir"] / "model"), "--output", str(output)],
    )
    assert result.exit_code == 0, result.output
    submission = pd.read_csv(output)
    assert list(submission.columns) == ["id", *case["labels"]]
    assert submission["id"].tolist() == case["test_ids"]
    np.testing.assert_allclose(submission[case["labels"]].sum(axis=1), 1.0, atol=1e-6)


def test_submit_follows_the_column_order_of_a_sample_submission(case, tmp_path):
    order = case["labels"][::-1]
    sample = tmp_path / "sample.csv"
    pd.DataFrame({"key": case["test_ids"][::-1], **{label: 0.5 for label in order}}).to_csv(sample, index=False)
    output = tmp_path / "submission.csv"
    args = ["submit", str(case["dir"] / "test.csv"), "--model-dir", str(case["dir"] / "model"), "--output", str(output)]
    result = CliRunner().invoke(main, [*args, "--sample-submission", str(sample)])
    assert result.exit_code == 0, result.output
    with_sample = pd.read_csv(output)
    assert list(with_sample.columns) == ["key", *order]
    assert with_sample["key"].tolist() == case["test_ids"]
    assert CliRunner().invoke(main, args).exit_code == 0
    without = pd.read_csv(output)
    np.testing.assert_allclose(with_sample[case["labels"]].to_numpy(), without[case["labels"]].to_numpy())


def test_submit_refuses_a_sample_submission_of_other_labels_or_ids(case, tmp_path):
    sample = tmp_path / "sample.csv"
    pd.DataFrame({"id": case["test_ids"], **{label: 0.5 for label in [*case["labels"][1:], "stranger"]}}).to_csv(
        sample, index=False
    )
    output = tmp_path / "submission.csv"
    args = [
        "submit",
        str(case["dir"] / "test.csv"),
        "--model-dir",
        str(case["dir"] / "model"),
        "--output",
        str(output),
        "--sample-submission",
        str(sample),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "sample.csv: its label columns" in result.output and "(unknown stranger)" in result.output
    pd.DataFrame({"id": case["test_ids"][1:], **{label: 0.5 for label in case["labels"]}}).to_csv(sample, index=False)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"1 test id(s) missing, e.g. {case['test_ids'][0]!r}" in result.output
    assert not output.exists()


def test_predict_prints_label_names_under_the_label_column(case):
    texts = [" ".join(words[:3]) + f" {mark} end." for words, mark in case["styles"].values()]
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(case["dir"] / "model"), *texts])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    assert header.split()[: 1 + len(case["labels"])] == ["writer", *case["labels"]]
    assert [row.split()[0] for row in rows] == list(case["styles"])


def test_report_lists_every_label(case, tmp_path):
    pytest.importorskip("matplotlib")
    output = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--model-dir", str(case["dir"] / "model"), "--output", str(output)])
    assert result.exit_code == 0, result.output
    page = output.read_text()
    assert all(f"<tr><td>{label}</td>" in page for label in case["labels"])  # the per-label table
    assert "sentence not available" not in page  # the training CSV was read with its own column names


def test_fit_refuses_a_file_with_one_label(tmp_path):
    path = tmp_path / "one.csv"
    as_other_columns(make_corpus(20).assign(author="Poe")).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["fit", str(path), "--model-dir", str(tmp_path / "m"), *COLUMNS])
    assert result.exit_code == 1
    assert (
        "one.csv: every row of column 'writer' is 'Poe'; a classifier needs two or more distinct labels"
        in result.output
    )
    assert not (tmp_path / "m").exists()


def test_fit_names_the_option_for_a_missing_column(tmp_path):
    path = tmp_path / "train.csv"
    as_other_columns(make_corpus(20)).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["fit", str(path), "--model-dir", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "missing column(s) id, text, author" in result.output and "--text-column" in result.output


def test_the_python_api_learns_classes_like_scikit_learn():
    corpus = make_corpus(120, styles=TWO_STYLES)
    model = SpookyClassifier(TINY.replace(models=("bilstm",), max_epochs=3)).fit(corpus["text"], corpus["author"])
    assert model.classes_.tolist() == ["neg", "pos"]
    assert model.predict_proba(["awful dreadful . end."]).shape == (1, 2)
    assert set(model.predict(corpus["text"])) <= {"neg", "pos"}


def test_a_label_with_fewer_sentences_than_folds_is_refused():
    corpus = make_corpus(60, styles=TWO_STYLES)
    labels = [*corpus["author"][:-1], "rare"]
    with pytest.raises(
        ValueError, match="label 'rare' has 1 sentence\\(s\\); with 2 fold\\(s\\) every label needs at least 2"
    ):
        SpookyClassifier(TINY.replace(models=("nblr",))).fit(corpus["text"], labels)


def test_integer_labels_stay_integers_sorted_as_numbers_through_save_and_load(tmp_path):
    corpus = make_corpus(90)
    stars = corpus["author"].map({"EAP": 2, "HPL": 10, "MWS": 1}).tolist()  # as text "10" would sort first
    model = SpookyClassifier(TINY.replace(models=("nblr", "lm"))).fit(corpus["text"], stars)
    assert model.classes_.tolist() == [1, 2, 10]
    assert np.mean(model.predict(corpus["text"]) == np.array(stars)) > 0.8  # the training labels themselves
    model.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    assert loaded.classes_.tolist() == [1, 2, 10] and isinstance(loaded.predict(["raven"])[0], np.integer)
    np.testing.assert_allclose(loaded.predict_proba(corpus["text"]), model.predict_proba(corpus["text"]))
    np.testing.assert_array_equal(loaded.y_, model.y_)
    submission = make_submission(["a"], model.predict_proba(["raven"]), model.classes_)
    assert list(submission.columns) == ["id", "1", "2", "10"]


def test_labels_of_two_kinds_are_refused():
    corpus = make_corpus(60)
    with pytest.raises(ValueError, match="labels mix number and text; give labels of one kind"):
        SpookyClassifier(TINY.replace(models=("nblr",))).fit(corpus["text"], [1, "two", 3] * 20)
