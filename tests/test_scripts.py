"""The benchmark scripts run end to end on a small synthetic corpus (their numbers are for real data)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import make_corpus

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run_script(name: str, *args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def tables(out: str) -> list[list[list[str]]]:
    """The Markdown tables printed, each a list of rows of cells (the header first, the rule left out)."""
    found, rows = [], []
    for line in out.splitlines() + [""]:
        if line.startswith("| ") and "---" not in line:
            rows.append([cell.strip() for cell in line.strip("| ").split(" | ")])
        elif not line.startswith("|") and rows:
            found, rows = found + [rows], []
    return found


def write_novels(folder: Path, sentences: int = 300) -> Path:
    """Two works of each of make_corpus's three labels, `sentences` of its sentences each, in paragraphs of four."""
    folder.mkdir()
    corpus = make_corpus(3 * 2 * sentences, seed=2)
    for label, texts in corpus.groupby("author")["text"]:
        for work in range(2):
            mine = texts.iloc[work * sentences : (work + 1) * sentences].tolist()
            paragraphs = [" ".join(mine[start : start + 4]) for start in range(0, len(mine), 4)]
            (folder / f"{label}_Work{work}.txt").write_text(f"WORK {work}\n\n" + "\n\n".join(paragraphs) + "\n")
    return folder


def test_benchmark_documents_prints_each_method_by_passage_size_and_each_held_out_work(tmp_path):
    novels = write_novels(tmp_path / "novels")
    options = ["--models", "nblr", "--folds", "2", "--passages", "3", "--rounds", "1", "--output", "passages.csv"]
    out = run_script("benchmark_documents.py", str(novels), *options, cwd=tmp_path)
    accuracy, log_loss, whole = tables(out)
    sizes = ["1 sentence", "50", "200", "500", "1000", "2000", "5000", "whole"]
    assert accuracy[0] == log_loss[0] == ["method", *sizes]
    methods = ["lstm-spooky", "lstm-spooky summed", "Burrows's Delta", "Cosine Delta"]
    assert [row[0] for row in accuracy[1:]] == methods
    assert [row[0] for row in log_loss[1:]] == [*methods, "prior"]
    assert log_loss[3][1:] == ["—"] * len(sizes)  # a Delta has no probabilities
    # round 1 holds out each label's first work; on these label-specific words Cosine Delta knows each one
    assert [(row[1], row[2], row[5]) for row in whole[1:]] == [
        (f"{label}_Work0", label, label) for label in ("EAP", "HPL", "MWS")
    ]
    passages = pd.read_csv(tmp_path / "passages.csv")
    assert list(passages.columns) == ["round", "work", "label", "size", "words", "method", "predicted", "p_true"]
    assert "peak memory" in out


def test_benchmark_maps_finds_the_splice_of_every_pair_of_held_out_works_by_window_size(tmp_path):
    novels = write_novels(tmp_path / "novels")
    options = ["--models", "nblr", "--folds", "2", "--sentences", "40", "--windows", "5,10"]
    out = run_script("benchmark_maps.py", str(novels), *options, cwd=tmp_path)
    (table,) = tables(out)
    header = ["window (sentences)", "windows", "window accuracy", "found", "median error (sentences)", "changes"]
    assert table[0] == header
    assert [row[0] for row in table[1:]] == ["5", "10"]
    # these labels' words tell them apart in every window: each map changes label once, near the splice
    assert [row[3] for row in table[1:]] == ["1.000", "1.000"] and [row[5] for row in table[1:]] == ["1.00", "1.00"]
    assert "6 spliced texts of 20-60 + 40 sentences from 3 held-out works" in out


def test_benchmark_prints_a_row_per_base_model_the_final_model_and_each_ablation(train_csv, tmp_path):
    out = run_script(
        "benchmark.py",
        str(train_csv),
        "--models",
        "nblr,mnb_words,svm_words",
        "--folds",
        "2",
        "--ablate",
        "mnb_words",
        cwd=tmp_path,
    )
    rows = [
        line.split(" | ")[0].strip("| ") for line in out.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert rows == ["model", "nblr", "mnb_words", "svm_words", "final", "final without mnb_words"]
    assert "peak memory" in out


def test_benchmark_with_a_pool_scores_every_row_again_with_it(train_csv, test_csv, tmp_path):
    out = run_script(
        "benchmark.py",
        str(train_csv),
        "--models",
        "nblr,svm_words",
        "--folds",
        "2",
        "--pool",
        str(test_csv),
        cwd=tmp_path,
    )
    rows = [
        line.split(" | ")[0].strip("| ") for line in out.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert rows == ["model", "nblr", "svm_words", "final", "nblr +pool", "svm_words +pool", "final +pool"]


def test_compare_models_writes_its_table_and_chart(train_csv, tmp_path):
    out = run_script(
        "compare_models.py",
        str(train_csv),
        "--models",
        "nblr,svm_words",
        "--outer-folds",
        "3",
        "--output-dir",
        "cmp",
        cwd=tmp_path,
    )
    rows = [
        line
        for line in (tmp_path / "cmp" / "comparison.md").read_text().splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    assert [row.split(" | ")[0] for row in rows] == ["| model", "| nblr", "| svm_words"]
    assert all(row in out for row in rows)
    assert (tmp_path / "cmp" / "comparison.png").stat().st_size > 10_000


def test_profile_submit_prints_the_phases_and_the_whole_runs_at_each_scale(train_csv, test_csv, tmp_path):
    model_dir = tmp_path / "model"
    fit = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lstm_spooky.ui.cli import main; main()",
            "fit",
            str(train_csv),
            "--model-dir",
            str(model_dir),
            "--models",
            "nblr,mnb_words",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fit.returncode == 0, fit.stderr[-2000:]
    out = run_script("profile_submit.py", str(model_dir), str(test_csv), "--scale", "1,2", cwd=tmp_path)
    phases = [
        line.split(" | ")[0].strip("| ") for line in out.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert phases[:6] == [
        "phase",
        "starting Python",
        "imports (scikit-learn, pandas; TensorFlow only in the network process)",
        "reading the model's config",
        "reading the CSV",
        "loading the model (manifest checked; the network process starts)",
    ]
    assert {"scoring (wall clock; the networks run beside the n-gram models)", "writing", "nblr", "mnb_words"} <= set(
        phases
    )
    assert "| 30 | " in out and "| 60 | " in out  # the test file once and twice
