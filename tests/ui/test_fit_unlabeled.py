"""`fit --unlabeled`: the pool files are checked against the training file, and `submit` scores the pool's
sentences as the fit cross-fitted them and any other sentence with the models fitted with the whole pool."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky import SpookyClassifier
from lstm_spooky.ui.cli import main
from tests.conftest import default_stop_signals, is_running, make_corpus

NGRAMS = ["--models", "nblr,lm,svm_words", "--folds", "2", "--quiet"]


def fit(train_csv, model_dir, *unlabeled, runner=None):
    args = ["fit", str(train_csv), "--model-dir", str(model_dir), *NGRAMS]
    for path in unlabeled:
        args += ["--unlabeled", str(path)]
    return (runner or CliRunner()).invoke(main, args)


@pytest.fixture(scope="module")
def pooled_dir(tmp_path_factory, train_csv, test_csv):
    model_dir = tmp_path_factory.mktemp("pooled") / "model"
    result = fit(train_csv, model_dir, test_csv)
    assert result.exit_code == 0, result.output
    assert "Unlabelled pool: 30 sentences" in result.output
    return model_dir


def test_submit_scores_pool_sentences_and_new_ones_as_the_model_does(pooled_dir, test_csv, tmp_path):
    rows = pd.read_csv(test_csv).head(5)
    new = pd.DataFrame({"id": ["new1", "new2"], "text": ["A raven in the abyss ; end.", "Arkham , nameless ! end."]})
    mixed = pd.concat([new.head(1), rows, new.tail(1)])
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    result = CliRunner().invoke(
        main, ["submit", str(tmp_path / "mixed.csv"), "--model-dir", str(pooled_dir), "-o", str(tmp_path / "s.csv")]
    )
    assert result.exit_code == 0, result.output
    submission = pd.read_csv(tmp_path / "s.csv")
    model = SpookyClassifier.load(pooled_dir)
    assert submission["id"].tolist() == mixed["id"].tolist()
    np.testing.assert_allclose(submission[["EAP", "HPL", "MWS"]], model.predict_proba(mixed["text"]), atol=1e-12)
    positions, _ = model.pool_.find(mixed["text"].tolist())
    assert positions.tolist() == [1, 2, 3, 4, 5]  # the pool's sentences are known by their text


def test_an_unlabeled_file_that_is_the_training_file_is_refused(train_csv, tmp_path):
    result = fit(train_csv, tmp_path / "model", train_csv)
    assert result.exit_code == 1
    assert f"{train_csv}: 240 of its 240 rows repeat training rows (row 1, id 'id00000', by its id and text)" in (
        result.output
    )
    assert "is it the training file?" in result.output and not (tmp_path / "model").exists()


def test_an_unlabeled_file_repeating_a_few_training_rows_is_noted_and_used(train_csv, corpus, tmp_path):
    pool = make_corpus(20, seed=9).assign(id=lambda f: "p" + f["id"]).drop(columns="author")
    pool = pd.concat([pool, corpus.drop(columns="author").iloc[[3]].assign(id="p-repeat")])
    pool.to_csv(tmp_path / "pool.csv", index=False)
    result = fit(train_csv, tmp_path / "model", tmp_path / "pool.csv", runner=CliRunner())
    assert result.exit_code == 0, result.output
    assert "1 of its 21 rows repeat training rows (row 21, id 'p-repeat', by its text)" in result.stderr
    assert SpookyClassifier.load(tmp_path / "model").pool_.summary()["sentences"] == 20


def test_an_empty_unlabeled_file_is_refused(train_csv, tmp_path):
    (tmp_path / "empty.csv").write_text("id,text\n")
    result = fit(train_csv, tmp_path / "model", tmp_path / "empty.csv")
    assert result.exit_code == 1 and "empty.csv: has a header but no rows" in result.output


def test_standard_input_is_read_once(tmp_path):
    result = CliRunner().invoke(main, ["fit", "-", "--unlabeled", "-", "--model-dir", str(tmp_path / "m")], input="")
    assert result.exit_code == 2 and "standard input (-) can be read only once" in result.output


def test_fit_help_explains_unlabeled():
    result = CliRunner().invoke(main, ["fit", "--help"])
    text = " ".join(result.output.split())  # as wrapped for any terminal's width
    assert "--unlabeled" in text and "none of these sentences is ever scored by a model that learnt its guess" in text


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGHUP"])
def test_a_stop_sent_to_the_whole_process_group_while_the_pool_is_fitted_exits_130_and_leaves_no_process(
    train_csv, test_csv, tmp_path, signal_name
):
    # As a terminal's Ctrl-C or hang-up does: the pool's worker processes get it too, and leave it to fit.
    model_dir = tmp_path / "model"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = ["fit", str(train_csv), "--unlabeled", str(test_csv), "--model-dir", str(model_dir), *NGRAMS]
    args.remove("--quiet")  # its progress lines say when the pool's fits run
    process = subprocess.Popen(
        [sys.executable, "-c", "from lstm_spooky.ui.cli import main; main()", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=default_stop_signals,
    )
    watchdog = threading.Timer(120, process.kill)  # a fit that never gets there ends the wait below
    watchdog.start()
    lines = []
    for line in process.stderr:
        lines.append(line)
        if " pool part " in line:  # the first of the pool's fits is in; its workers fit the others
            break
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    os.killpg(process.pid, getattr(signal, signal_name))
    stderr = "".join(lines) + process.communicate(timeout=60)[1]
    watchdog.cancel()
    assert children and process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted;") and "Traceback" not in stderr
    assert not model_dir.exists() and (tmp_path / "model.partial" / "nblr" / "fold-0").is_dir()
    deadline = time.monotonic() + 10
    while any(is_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [child for child in children if is_running(child)]


def test_a_script_without_the_main_guard_is_told_what_multiprocessing_needs(train_csv, test_csv, tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import pandas as pd\n"
        "from lstm_spooky import SpookyClassifier, SpookyConfig\n"
        f"train, pool = pd.read_csv({str(train_csv)!r}), pd.read_csv({str(test_csv)!r})\n"
        "SpookyClassifier(SpookyConfig(models=('lm',), folds=2)).fit(\n"
        "    train['text'], train['author'], unlabeled=pool['text'])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert 'without the `if __name__ == "__main__":` guard' in result.stderr.strip().splitlines()[-1]
