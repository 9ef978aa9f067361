import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky.models.bilstm import BiLSTMModel
from lstm_spooky.ui.cli import main
from tests.conftest import TINY, default_stop_signals, is_running


@pytest.fixture(scope="module")
def config_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(json.dumps(TINY.to_dict()))
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, train_csv, config_json):
    model_dir = tmp_path_factory.mktemp("cli") / "model"
    result = CliRunner().invoke(
        main, ["fit", str(train_csv), "--model-dir", str(model_dir), "--config", str(config_json), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "final   2-fold out-of-fold log loss" in result.output  # aligned with "bilstm"
    assert not model_dir.with_name("model.partial").exists()
    return model_dir


def test_fit_saves_a_self_describing_model_directory(model_dir):
    assert sorted(p.name for p in model_dir.iterdir()) == [
        "bilstm",
        "config.json",
        "documents.json",
        "manifest.json",
        "oof-bilstm.csv.gz",
        "oof.csv",
    ]
    assert sorted(p.name for p in (model_dir / "bilstm").iterdir()) == ["fold-0", "fold-1"]
    assert json.loads((model_dir / "config.json").read_text())["config"]["lstm_units"] == TINY.lstm_units


def test_options_override_the_config_file(tmp_path, train_csv, config_json):
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--model-dir",
            str(tmp_path / "m"),
            "--config",
            str(config_json),
            "--epochs",
            "1",
            "--seed",
            "3",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "m" / "config.json").read_text())["config"]
    assert (saved["max_epochs"], saved["seed"], saved["lstm_units"]) == (1, 3, TINY.lstm_units)


def test_submit_writes_a_valid_kaggle_submission(model_dir, test_csv, tmp_path):
    output = tmp_path / "submission.csv"
    result = CliRunner().invoke(main, ["submit", str(test_csv), "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 0, result.output
    submission = pd.read_csv(output)
    assert list(submission.columns) == ["id", "EAP", "HPL", "MWS"]
    assert submission["id"].tolist() == pd.read_csv(test_csv)["id"].tolist()
    assert ((submission[["EAP", "HPL", "MWS"]].sum(axis=1) - 1).abs() < 1e-6).all()


def test_predict_prints_probabilities_for_each_sentence(model_dir):
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "The raven ; end.", "Arkham ! end."])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:4] == ["author", "EAP", "HPL", "MWS"]
    assert len(lines) == 3 and lines[1].split()[0] in {"EAP", "HPL", "MWS"}


def test_predict_reads_standard_input_when_given_no_text(model_dir):
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir)], input="One line.\n\nAnother line.\n")
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 3


def test_malformed_test_csv_fails_cleanly_and_keeps_the_old_submission(model_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text('"id","words"\n"a","b"\n')
    output = tmp_path / "submission.csv"
    output.write_text("previous")
    result = CliRunner().invoke(main, ["submit", str(bad), "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 1
    assert "bad.csv: missing column(s) text" in result.output
    assert "Traceback" not in result.output
    assert output.read_text() == "previous"


def test_malformed_train_csv_fails_before_touching_the_model(model_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'"id","text","author"\n"a","caf\xe9","EAP"\n')
    before = (model_dir / "bilstm" / "fold-0" / "model.weights.h5").read_bytes()
    result = CliRunner().invoke(main, ["fit", str(bad), "--model-dir", str(model_dir)])
    assert result.exit_code == 1
    assert "line 2 is not valid UTF-8" in result.output
    assert (model_dir / "bilstm" / "fold-0" / "model.weights.h5").read_bytes() == before


def test_missing_model_directory_says_to_fit_first(test_csv, tmp_path):
    result = CliRunner().invoke(main, ["submit", str(test_csv), "--model-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "run `lstm-spooky fit` first" in result.output


def test_fit_refuses_to_replace_a_directory_that_is_no_model(train_csv, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["fit", str(train_csv), "--model-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "not an lstm-spooky model directory" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_bad_config_file_is_reported(train_csv, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lstm_unitz": 3}))
    result = CliRunner().invoke(
        main, ["fit", str(train_csv), "--config", str(config), "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "not a valid config" in result.output


def test_crash_in_a_fold_keeps_the_previous_model_and_finished_folds(tmp_path, train_csv, config_json, monkeypatch):
    model_dir = tmp_path / "model"
    args = [
        "fit",
        str(train_csv),
        "--model-dir",
        str(model_dir),
        "--config",
        str(config_json),
        "--epochs",
        "1",
        "--quiet",
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = (model_dir / "config.json").read_text()
    real_fit = BiLSTMModel.fit
    calls = []

    def crash_on_second_fold(self, *a, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_fit(self, *a, **kw)

    monkeypatch.setattr(BiLSTMModel, "fit", crash_on_second_fold)
    crashed = CliRunner().invoke(main, [*args, "--seed", "5"])
    assert crashed.exit_code != 0
    assert (model_dir / "config.json").read_text() == before
    assert (tmp_path / "model.partial" / "bilstm" / "fold-0").is_dir()

    resumed = CliRunner().invoke(main, [*args, "--seed", "5", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert len(calls) == 3  # two before the crash, then only fold 2: fold 1 came from the checkpoint
    assert json.loads((model_dir / "config.json").read_text())["config"]["seed"] == 5
    assert not (tmp_path / "model.partial").exists()


def test_report_writes_a_page_with_plots_and_the_worst_sentences(model_dir, tmp_path):
    pytest.importorskip("matplotlib")
    output = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 0, result.output
    page = output.read_text()
    assert page.count("data:image/png;base64,") == 3
    for heading in (
        "Cross-validated scores",
        "learning curves",
        "Confusion matrix",
        "Reliability",
        "precision and recall",
        "confidently wrong",
        "Whole texts",
    ):
        assert heading in page
    assert "no book to map" in page  # a CSV's sentences have no works
    assert "sentence not available" not in page  # fit recorded where the training CSV is


def test_models_option_trains_and_stacks_the_named_models(tmp_path, train_csv, test_csv, config_json):
    model_dir = tmp_path / "model"
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--model-dir",
            str(model_dir),
            "--config",
            str(config_json),
            "--models",
            "nblr,lm",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "nblr" in result.output and "final" in result.output and "stacked" in result.output
    assert json.loads((model_dir / "config.json").read_text())["config"]["models"] == ["nblr", "lm"]
    submit = CliRunner().invoke(
        main, ["submit", str(test_csv), "--model-dir", str(model_dir), "--output", str(tmp_path / "s.csv")]
    )
    assert submit.exit_code == 0, submit.output


def test_unknown_model_name_is_a_usage_error(tmp_path, train_csv):
    result = CliRunner().invoke(
        main, ["fit", str(train_csv), "--models", "bilstm,svm", "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 2
    assert "choose from bilstm, nblr, lm" in result.output


def test_bert_preset_without_the_tinybert_model_is_a_usage_error(tmp_path, train_csv):
    result = CliRunner().invoke(
        main,
        ["fit", str(train_csv), "--models", "nblr", "--bert-preset", "some-bert", "--model-dir", str(tmp_path / "m")],
    )
    assert result.exit_code == 2
    assert "--bert-preset only applies to the tinybert model" in result.output
    assert not (tmp_path / "m").exists()


def test_fit_progress_is_plain_lines_with_the_whole_runs_time_left_when_stderr_is_no_terminal(tmp_path, train_csv):
    result = CliRunner().invoke(
        main,
        ["fit", str(train_csv), "--model-dir", str(tmp_path / "m"), "--models", "mnb_words,svm_words", "--folds", "2"],
    )
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.endswith(" left]")]
    assert progress[0].startswith("6 fits planned")  # an estimate before the first fold
    assert any(line.startswith("svm_words  fold 2/2  log loss") for line in progress)
    assert "\x1b[" not in result.stderr and "\r" not in result.stderr


def test_fit_draws_one_live_bar_on_a_terminal_and_quiet_silences_it(tmp_path, train_csv, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws as on a terminal
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("CI", raising=False)
    args = [
        "fit",
        str(train_csv),
        "--model-dir",
        str(tmp_path / "m"),
        "--models",
        "mnb_words,svm_words",
        "--folds",
        "2",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "\x1b[" in result.stderr and "left" in result.stderr
    quiet = CliRunner().invoke(main, [*args, "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert "left" not in quiet.stderr


@pytest.fixture(scope="module")
def stacked_model_dir(tmp_path_factory, train_csv, config_json):
    model_dir = tmp_path_factory.mktemp("stacked") / "model"
    fit = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--model-dir",
            str(model_dir),
            "--config",
            str(config_json),
            "--models",
            "bilstm,svm_chars",
            "--quiet",
        ],
    )
    assert fit.exit_code == 0, fit.output
    return model_dir


def test_submit_runs_the_networks_in_a_second_process_and_never_imports_tensorflow_itself(
    stacked_model_dir, test_csv, tmp_path
):
    output = tmp_path / "s.csv"
    assert not imports_tensorflow(
        ["submit", str(test_csv), "--model-dir", str(stacked_model_dir), "--output", str(output)]
    )
    assert len(pd.read_csv(output)) == len(pd.read_csv(test_csv))


def test_a_network_process_that_dies_is_one_line_and_no_submission(stacked_model_dir, test_csv, tmp_path, monkeypatch):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from lstm_spooky.ensemble.network_process import NetworkProcess

    def died(self, texts):
        future = Future()
        future.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
        return future

    monkeypatch.setattr(NetworkProcess, "stack_blocks", died)
    output = tmp_path / "s.csv"
    result = CliRunner().invoke(
        main, ["submit", str(test_csv), "--model-dir", str(stacked_model_dir), "--output", str(output)]
    )
    assert result.exit_code == 1 and "the process running the networks ended unexpectedly" in result.output
    assert "Traceback" not in result.output and not output.exists()


def test_networks_that_fail_to_load_in_their_process_are_one_line_and_no_submission(
    stacked_model_dir, test_csv, tmp_path
):
    import shutil

    from lstm_spooky.store.manifest import MANIFEST_FILE, write_manifest

    broken = tmp_path / "broken"
    shutil.copytree(stacked_model_dir, broken)
    (broken / "bilstm" / "fold-0" / "model.weights.h5").write_bytes(b"not an HDF5 file")
    (broken / MANIFEST_FILE).unlink()
    write_manifest(broken)  # so that only loading the network finds the damage, in the second process
    output = tmp_path / "s.csv"
    result = CliRunner().invoke(main, ["submit", str(test_csv), "--model-dir", str(broken), "--output", str(output)])
    assert (
        result.exit_code == 1
        and "the networks could not be loaded" in result.output
        and "no submission was written" in result.output
    )
    assert "Traceback" not in result.output and not output.exists()


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_sent_to_the_whole_process_group_during_a_stacked_submit_exits_130_and_leaves_no_process(
    stacked_model_dir, test_csv, tmp_path, signal_name
):
    # As a terminal's Ctrl-C or hang-up, or `timeout`, does: every process of the group gets it,
    # the network process included (sent once it runs).
    import signal
    import subprocess
    import sys
    import time

    output = tmp_path / "s.csv"
    output.write_text("previous")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [
        sys.executable,
        "-c",
        "from lstm_spooky.ui.cli import main; main()",
        "submit",
        str(test_csv),
        "--model-dir",
        str(stacked_model_dir),
        "--output",
        str(output),
    ]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True, preexec_fn=default_stop_signals
    )
    deadline = time.monotonic() + 120
    children = []  # the network process and multiprocessing's resource tracker
    # Sent inside scoring, once the network process is loading TensorFlow to load the networks.
    while not any(map(has_tensorflow_loaded, children)) and process.poll() is None and time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        time.sleep(0.05)
    os.killpg(process.pid, getattr(signal, signal_name))
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130, stderr
    assert (
        stderr.strip().splitlines()[-1].startswith("interrupted; no submission was written")
        and "Traceback" not in stderr
    )
    assert output.read_text() == "previous"
    deadline = time.monotonic() + 10
    while any(is_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [child for child in children if is_running(child)]


def has_tensorflow_loaded(pid: str) -> bool:
    """Whether process `pid` has mapped TensorFlow's libraries (read in /proc, as `is_running` reads it)."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return "/libtensorflow" in maps.read()
    except OSError:  # it has ended
        return False


def test_serve_without_the_serve_extra_says_how_to_install_it(model_dir, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "fastapi" else find_spec(name, *args)
    )
    result = CliRunner().invoke(main, ["serve", "--model-dir", str(model_dir)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: serving needs the serve extra: pip install 'lstm-spooky[serve]'"
    ]


def test_fitting_n_gram_models_never_imports_tensorflow(train_csv, tmp_path):
    args = [
        "fit",
        str(train_csv),
        "--model-dir",
        str(tmp_path / "m"),
        "--models",
        "nblr,mnb_words",
        "--folds",
        "2",
        "-q",
    ]
    assert not imports_tensorflow(args)


def imports_tensorflow(args: list[str]) -> bool:
    """Whether `lstm-spooky ARGS`, run in a fresh interpreter, imported TensorFlow into its own process."""
    import subprocess
    import sys

    code = (
        f"import sys\nfrom lstm_spooky.ui.cli import main\ntry:\n    main({args!r}, standalone_mode=False)\n"
        "finally:\n    print('tensorflow' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[-1] == "True"
