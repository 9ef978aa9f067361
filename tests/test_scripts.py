"""The benchmark scripts run end to end on a small synthetic corpus (their numbers are for real data)."""

import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run_script(name: str, *args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


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
