"""Nothing a user had is lost: the everyday mistakes and interruptions, through the CLI,
with what is on disk afterwards checked byte for byte."""

import json
import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky.models.linear import LinearModel
from lstm_spooky.store.checkpoints import FoldCheckpoints
from lstm_spooky.store.lock import directory_lock
from lstm_spooky.ui.cli import main
from tests.conftest import TINY, default_stop_signals

FAST = ["--models", "mnb_words", "--quiet"]  # a real model directory in a second, no network to train


@pytest.fixture(scope="module")
def config_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(json.dumps(TINY.to_dict()))
    return path


def fit_args(train_csv, model_dir, config_json, *more):
    return ["fit", str(train_csv), "--model-dir", str(model_dir), "--config", str(config_json), *FAST, *more]


def snapshot(directory):
    """Every file under `directory` with its bytes."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def invoke(args, **kw):
    result = CliRunner().invoke(main, args, **kw)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def model_dir(tmp_path, train_csv, config_json):
    model_dir = tmp_path / "model"
    result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 0, result.output
    return model_dir


# fit: only our own directories are ever replaced


def test_fit_never_replaces_a_users_folder_that_holds_a_config_json(tmp_path, train_csv, config_json):
    project = tmp_path / "myproject"
    (project / "src").mkdir(parents=True)
    (project / "config.json").write_text('{"theme": "dark"}')
    (project / "src" / "app.py").write_text("print('mine')")
    before = snapshot(project)
    result = invoke(fit_args(train_csv, project, config_json))
    assert result.exit_code == 1
    assert "myproject: exists and is not an lstm-spooky model directory, so fit will not replace it" in result.output
    assert snapshot(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["myproject"]  # no .partial, no lock file left


def test_fit_never_deletes_files_a_user_put_in_a_model_directory(model_dir, train_csv, config_json):
    (model_dir / "submission.csv").write_text("id,EAP,HPL,MWS\n")
    before = snapshot(model_dir)
    result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 1
    assert "holds files that are not part of the model (submission.csv)" in result.output
    assert snapshot(model_dir) == before


def test_fit_replaces_its_own_model_and_report(model_dir, train_csv, config_json):
    (model_dir / "report.html").write_text("<html>")
    result = invoke(fit_args(train_csv, model_dir, config_json, "--seed", "3"))
    assert result.exit_code == 0, result.output
    assert json.loads((model_dir / "config.json").read_text())["config"]["seed"] == 3
    assert not (model_dir / "report.html").exists()


def test_fit_never_deletes_a_partial_folder_that_is_not_its_checkpoints(tmp_path, train_csv, config_json):
    partial = tmp_path / "model.partial"
    partial.mkdir()
    (partial / "notes.txt").write_text("mine")
    result = invoke(fit_args(train_csv, tmp_path / "model", config_json))
    assert result.exit_code == 1
    assert "model.partial: exists and is not an lstm-spooky checkpoint directory" in result.output
    assert snapshot(partial) == {"notes.txt": b"mine"} and not (tmp_path / "model").exists()


def test_fit_into_a_file_is_refused(tmp_path, train_csv, config_json):
    (tmp_path / "model").write_text("mine")
    result = invoke(fit_args(train_csv, tmp_path / "model", config_json))
    assert result.exit_code == 1 and "model: is a file, not a directory" in result.output
    assert (tmp_path / "model").read_text() == "mine"


@pytest.mark.parametrize("spelling", [".", ".."])
def test_fit_never_replaces_the_current_folder(tmp_path, train_csv, config_json, monkeypatch, spelling):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = invoke(fit_args(train_csv, spelling, config_json))
    assert result.exit_code == 1 and "is the current folder or one above it" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"] and list((tmp_path / "here").iterdir()) == []


# fit: one run per model directory


def test_a_second_fit_on_the_same_model_dir_refuses_at_start(model_dir, train_csv, config_json):
    before = snapshot(model_dir)
    with directory_lock(model_dir):  # a first fit, still running
        result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 1
    assert f"another lstm-spooky fit (pid {os.getpid()} on " in result.output
    assert snapshot(model_dir) == before
    assert not model_dir.with_name("model.partial").exists()


def test_the_lock_refusal_is_one_line_on_stderr_from_a_real_process(model_dir, train_csv, config_json):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [
        sys.executable,
        "-c",
        "from lstm_spooky.ui.cli import main; main()",
        *fit_args(train_csv, model_dir, config_json),
    ]
    with directory_lock(model_dir):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1 and done.stdout == ""
    assert (
        done.stderr.count("\n") == 1 and done.stderr.startswith("Error: ") and "another lstm-spooky fit" in done.stderr
    )


def test_a_fit_that_ended_leaves_no_lock_behind(model_dir, train_csv, config_json):
    assert sorted(p.name for p in model_dir.parent.iterdir()) == ["model"]
    assert invoke(fit_args(train_csv, model_dir, config_json)).exit_code == 0


# fit: interrupted


def interrupt_on_call(monkeypatch, n, exception=KeyboardInterrupt):
    """Make the n-th fit of a base model raise `exception` (Ctrl-C by default); count the calls."""
    real_fit, calls = LinearModel.fit, []

    def fit(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise exception()
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(LinearModel, "fit", fit)
    return calls


def test_ctrl_c_in_the_second_fold_keeps_the_model_and_the_first_fold(model_dir, train_csv, config_json, monkeypatch):
    before = snapshot(model_dir)
    calls = interrupt_on_call(monkeypatch, 2)
    result = invoke(fit_args(train_csv, model_dir, config_json, "--seed", "5"))
    assert result.exit_code == 130
    partial = model_dir.with_name("model.partial")
    assert result.output.strip().splitlines()[-1] == (
        f"interrupted; the previous model in {model_dir}, if any, is unchanged and finished folds are kept in "
        f"{partial}: run the same command with --resume to continue"
    )
    assert snapshot(model_dir) == before
    assert sorted(p.relative_to(partial).as_posix() for p in partial.glob("*/*")) == ["mnb_words/fold-0"]
    assert sorted(p.name for p in model_dir.parent.iterdir()) == [
        "model",
        "model.partial",
    ]  # no temporary or lock files

    resumed = invoke(fit_args(train_csv, model_dir, config_json, "--seed", "5", "--resume"))
    assert resumed.exit_code == 0, resumed.output
    assert len(calls) == 4  # fold 2 and the all-rows refit: fold 1 came from the checkpoint
    assert sorted(p.name for p in model_dir.parent.iterdir()) == ["model"]


def test_ctrl_c_while_saving_keeps_the_previous_model(model_dir, train_csv, config_json, monkeypatch):
    before = snapshot(model_dir)

    def interrupted(directory):
        raise KeyboardInterrupt

    monkeypatch.setattr("lstm_spooky.ensemble.saving.write_manifest", interrupted)
    result = invoke(fit_args(train_csv, model_dir, config_json, "--seed", "5"))
    assert result.exit_code == 130 and "--resume" in result.output
    assert snapshot(model_dir) == before
    assert sorted(p.name for p in model_dir.parent.iterdir()) == ["model", "model.partial"]


def saved_and_interrupted(model_dir):
    return f"interrupted; the model was saved to {model_dir} and is complete (`lstm-spooky report` shows its scores)"


def test_ctrl_c_while_the_scores_print_says_the_model_is_saved(tmp_path, train_csv, config_json, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("lstm_spooky.ui.fitting._print_scores", interrupted)
    model_dir = tmp_path / "model"
    result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == [saved_and_interrupted(model_dir)]  # no "Aborted!"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # the finished folds were removed
    assert invoke(["predict", "--model-dir", str(model_dir), "a raven"]).exit_code == 0


def test_a_stop_while_the_finished_folds_are_removed_waits_for_their_removal(
    tmp_path, train_csv, config_json, monkeypatch
):
    real_remove = FoldCheckpoints.remove

    def remove(self):
        shutil.rmtree(next(path for path in self.directory.iterdir() if path.is_dir()))
        os.kill(os.getpid(), signal.SIGTERM)  # handled here, halfway through the removal
        real_remove(self)

    monkeypatch.setattr(FoldCheckpoints, "remove", remove)
    model_dir = tmp_path / "model"
    result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == [saved_and_interrupted(model_dir)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no checkpoint folder half-removed


def test_a_full_disk_while_saving_is_one_line_and_keeps_everything(model_dir, train_csv, config_json, monkeypatch):
    before = snapshot(model_dir)

    def disk_full(directory):
        raise OSError(28, "No space left on device", str(directory / "manifest.json"))

    monkeypatch.setattr("lstm_spooky.ensemble.saving.write_manifest", disk_full)
    result = invoke(fit_args(train_csv, model_dir, config_json, "--seed", "5"))
    assert result.exit_code == 1
    assert (
        "manifest.json: No space left on device; the previous model in" in result.output and "--resume" in result.output
    )
    assert snapshot(model_dir) == before


def test_starting_over_says_it_discards_the_unfinished_run(model_dir, train_csv, config_json, monkeypatch):
    interrupt_on_call(monkeypatch, 2)
    assert invoke(fit_args(train_csv, model_dir, config_json)).exit_code == 130
    monkeypatch.undo()
    result = invoke(fit_args(train_csv, model_dir, config_json))
    assert result.exit_code == 0
    assert "starting over: discarding the unfinished run in" in result.output


# submit: never overwrites an input, never a directory


@pytest.fixture
def input_csv(tmp_path, test_csv):
    path = tmp_path / "test.csv"
    path.write_bytes(test_csv.read_bytes())
    return path


@pytest.mark.parametrize("spelling", ["same path", "./ spelling", "symlink", "hard link"])
def test_submit_never_overwrites_its_input(model_dir, input_csv, spelling, monkeypatch):
    before = input_csv.read_bytes()
    monkeypatch.chdir(input_csv.parent)
    output = {
        "same path": str(input_csv),
        "./ spelling": "./sub/../test.csv",
        "symlink": "link.csv",
        "hard link": "hard.csv",
    }[spelling]
    (input_csv.parent / "sub").mkdir()
    (input_csv.parent / "link.csv").symlink_to(input_csv)
    os.link(input_csv, input_csv.parent / "hard.csv")
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", output])
    assert result.exit_code == 1
    assert f"is the input file {input_csv}, which this would overwrite; choose another --output" in result.output
    assert input_csv.read_bytes() == before


def test_submit_never_overwrites_the_training_file_or_the_model(model_dir, train_csv, input_csv):
    before = snapshot(model_dir), train_csv.read_bytes()
    for output, what in [(train_csv, "the training file"), (model_dir / "config.json", "a file of the model")]:
        result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(output)])
        assert result.exit_code == 1 and what in result.output
    assert (snapshot(model_dir), train_csv.read_bytes()) == before


def test_submit_to_a_directory_is_refused(model_dir, input_csv, tmp_path):
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{tmp_path}: is a directory; give a file name for --output, such as {tmp_path / 'submission.csv'}"
        in result.output
    )


def test_submit_creates_missing_folders_for_its_output(model_dir, input_csv, tmp_path):
    output = tmp_path / "out" / "day1" / "submission.csv"
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(output)) == len(pd.read_csv(input_csv))


@pytest.mark.parametrize("when", ["predicting", "writing"])
def test_ctrl_c_during_submit_keeps_the_previous_submission(model_dir, input_csv, tmp_path, monkeypatch, when):
    output = tmp_path / "submission.csv"
    output.write_text("previous")
    if when == "predicting":
        monkeypatch.setattr(
            "lstm_spooky.data.submission.make_submission", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())
        )
    else:

        def half_then_interrupt(frame, out, **kw):
            out.write("id,EA")
            raise KeyboardInterrupt

        monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_interrupt)
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 130
    assert f"interrupted; no submission was written ({output} is as it was)" in result.output
    assert output.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "submission.csv", "test.csv"]


def test_a_write_error_during_submit_is_one_line(model_dir, input_csv, tmp_path, monkeypatch):
    def denied(frame, path, **kw):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", denied)
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and "Permission denied; no submission was written" in result.output
    assert not (tmp_path / "s.csv").exists()


# a damaged model: one line naming the file, never a traceback


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda d: (d / "mnb_words" / "all-rows" / "weights.npz").unlink(),
            "weights.npz: missing from the model directory",
        ),
        (lambda d: (d / "oof.csv").write_text("id\n"), "oof.csv: 3 bytes where"),
        (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
        (
            lambda d: [p.unlink() for p in sorted(d.rglob("*"), reverse=True) if p.is_file()],
            "not an lstm-spooky model directory",
        ),
    ],
    ids=["member file deleted", "file truncated", "manifest not copied", "files deleted"],
)
@pytest.mark.parametrize("command", ["submit", "predict"])
def test_a_damaged_model_is_reported_in_one_line(model_dir, input_csv, damage, message, command):
    damage(model_dir)
    args = (
        ["submit", str(input_csv), "--output", str(input_csv.with_name("s.csv"))]
        if command == "submit"
        else ["predict", "A sentence."]
    )
    result = invoke([*args, "--model-dir", str(model_dir)])
    assert result.exit_code == 1
    assert message in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_real_ctrl_c_or_kill_during_training_exits_130_with_one_line(model_dir, train_csv, config_json, signal_name):
    # A real process and a real signal, sent once the first fold of the BiLSTM is on disk.
    import signal
    import time

    before = snapshot(model_dir)
    partial = model_dir.with_name("model.partial")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [
        "fit",
        str(train_csv),
        "--model-dir",
        str(model_dir),
        "--config",
        str(config_json),
        "--models",
        "bilstm",
        "--quiet",
    ]
    process = subprocess.Popen(
        [sys.executable, "-c", "from lstm_spooky.ui.cli import main; main()", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=default_stop_signals,
    )
    deadline = time.monotonic() + 240
    while not (partial / "bilstm" / "fold-0").is_dir() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(getattr(signal, signal_name))
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 130, stderr
    assert (
        stderr.strip().splitlines()[-1].startswith("interrupted; the previous model in") and "Traceback" not in stderr
    )
    assert snapshot(model_dir) == before
    assert (partial / "bilstm" / "fold-0").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_fit_into_a_read_only_folder_is_refused_at_start(tmp_path, train_csv, config_json):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = invoke(fit_args(train_csv, folder / "model", config_json))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1 and "Permission denied; choose another --model-dir" in result.output
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_submit_over_a_read_only_file_is_refused(model_dir, input_csv, tmp_path):
    output = tmp_path / "submission.csv"
    output.write_text("previous")
    output.chmod(0o444)
    result = invoke(["submit", str(input_csv), "--model-dir", str(model_dir), "--output", str(output)])
    assert result.exit_code == 1 and "submission.csv: is read-only; choose another --output" in result.output
    assert output.read_text() == "previous"


def test_report_never_overwrites_the_training_file(model_dir, train_csv):
    pytest.importorskip("matplotlib")
    before = train_csv.read_bytes()
    result = invoke(["report", "--model-dir", str(model_dir), "--output", str(train_csv)])
    assert result.exit_code == 1 and "is the training file" in result.output
    assert train_csv.read_bytes() == before


def test_a_stop_signal_swallowed_by_a_finaliser_still_stops_at_the_next_safe_point():
    # Python ignores an exception raised in __del__; TensorFlow frees traced functions there,
    # so a SIGTERM landing in one must still stop the fit at its next progress callback.
    from lstm_spooky.ui.stopping import Stop

    stop, calls = Stop(), []
    checked = stop.checked(calls.append)
    checked("before")
    with pytest.raises(KeyboardInterrupt):
        stop.request(signal.SIGTERM, None)  # the handler's own raise, which a finaliser would swallow
    with pytest.raises(KeyboardInterrupt):
        checked("after")
    with pytest.raises(KeyboardInterrupt):
        list(stop.until_stopped([1, 2]))
    assert calls == ["before"]
