"""`fit CORPUS_DIR`: a folder of whole texts, cut into sentences, fitted on folds that hold out whole works."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky import SpookyConfig
from lstm_spooky.ui.cli import main
from lstm_spooky.ui.fit_options import fit_config
from tests.conftest import make_corpus

FAST = ["--models", "nblr", "--folds", "2"]


def write_corpus(folder, works_per_label=(2, 2, 2), sentences=24):
    """Texts of make_corpus's three labels, `works_per_label` of each, hard-wrapped paragraphs of sentences."""
    folder.mkdir()
    corpus = make_corpus(3 * sentences * max(*works_per_label, 1), seed=1)
    for label, n_works in zip(("EAP", "HPL", "MWS"), works_per_label):
        rows = corpus.loc[corpus["author"] == label, "text"].tolist()
        for work in range(n_works):
            mine = rows[work * sentences : (work + 1) * sentences]
            paragraphs = [" ".join(mine[start : start + 4]) for start in range(0, len(mine), 4)]
            (folder / f"{label}_Work{work}.txt").write_text(f"WORK {work}\n\n" + "\n\n".join(paragraphs) + "\n")
    return folder


def fit(folder, model_dir, *options):
    return CliRunner().invoke(main, ["fit", str(folder), "--model-dir", str(model_dir), *FAST, *options])


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    result = fit(write_corpus(root / "texts"), root / "model")
    assert result.exit_code == 0, result.output
    return root / "model", result


def test_fit_on_a_folder_says_its_works_and_that_the_folds_are_grouped(fitted):
    _, result = fitted
    assert "Read 6 texts of 3 labels from" in result.stderr
    assert "(6 works, grouped folds; labels EAP, HPL, MWS; seed" in result.stderr
    assert "final  2-fold out-of-fold log loss" in result.stdout


def test_a_model_fitted_on_a_folder_keeps_its_sentence_splitter_in_the_manifest(fitted):
    model_dir, _ = fitted
    assert json.loads((model_dir / "config.json").read_text())["sentence_splitter"] == "sentences.json"
    assert "sentences.json" in json.loads((model_dir / "manifest.json").read_text())["files"]


def test_a_model_fitted_on_a_folder_predicts_and_submits_sentences(fitted, tmp_path):
    model_dir, _ = fitted
    predicted = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "The raven in the abyss ; end."])
    assert predicted.exit_code == 0, predicted.output
    test_csv = tmp_path / "test.csv"
    make_corpus(9, seed=3)[["id", "text"]].to_csv(test_csv, index=False)
    output = tmp_path / "submission.csv"
    submitted = CliRunner().invoke(main, ["submit", str(test_csv), "--model-dir", str(model_dir), "-o", str(output)])
    assert submitted.exit_code == 0, submitted.output
    assert list(pd.read_csv(output).columns) == ["id", "EAP", "HPL", "MWS"]


def test_a_label_of_a_single_work_is_warned_of_even_when_quiet(tmp_path):
    result = fit(write_corpus(tmp_path / "texts", (1, 2, 2)), tmp_path / "model", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: label 'EAP' has a single work;")


def test_labels_csv_labels_files_of_any_name(tmp_path):
    folder = write_corpus(tmp_path / "texts")
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\n" + "".join(f"{path.name},{path.name[:3]}\n" for path in sorted(folder.iterdir())))
    for path in folder.iterdir():
        path.rename(folder / path.name.replace("_", "-"))
    labels.write_text(labels.read_text().replace("_", "-"))
    result = fit(folder, tmp_path / "model", "--labels", str(labels), "--quiet")
    assert result.exit_code == 0, result.output


def test_labels_for_a_csv_is_a_usage_error(tmp_path, train_csv):
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\n")
    result = fit(train_csv, tmp_path / "model", "--labels", str(labels))
    assert result.exit_code == 2 and "--labels labels the texts of a corpus folder" in result.output


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("EAP-Work9.txt", b"A text.", "EAP-Work9.txt: its name has no label before a _"),
        ("EAP_Work9.txt", b"  \n", "EAP_Work9.txt: the file is empty"),
        ("EAP_Work9.txt", b"caf\xe9 au lait.", "EAP_Work9.txt: byte 3 (0xe9) is not UTF-8"),
    ],
)
def test_a_bad_file_in_the_folder_is_one_line_naming_it(tmp_path, name, content, message):
    folder = write_corpus(tmp_path / "texts")
    (folder / name).write_bytes(content)
    result = fit(folder, tmp_path / "model")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "works, message", [((2, 0, 0), "every text's label is 'EAP'"), ((0, 0, 0), "holds no .txt files")]
)
def test_a_folder_of_one_label_or_no_texts_is_one_line_naming_it(tmp_path, works, message):
    result = fit(write_corpus(tmp_path / "texts", works), tmp_path / "model")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_corpus_folder_defaults_to_the_language_models_on_three_folds(tmp_path):
    folder = write_corpus(tmp_path / "texts", works_per_label=(2, 2, 2), sentences=12)
    result = CliRunner().invoke(main, ["fit", str(folder), "--model-dir", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "model" / "config.json").read_text())["config"]
    assert (saved["models"], saved["folds"]) == (["lm"], 3)


def test_a_config_file_for_a_corpus_changes_only_the_settings_it_names(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"seed": 5}))
    config = fit_config(path, None, (), None, corpus=True)
    assert (config.models, config.folds, config.seed) == (("lm",), 3, 5)
    assert fit_config(path, None, (), None).models == SpookyConfig().models
