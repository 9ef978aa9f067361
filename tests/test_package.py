"""The package as installed: its version, `python -m lstm_spooky`, the version saved in each model."""

import json
import subprocess
import sys

from lstm_spooky import __version__


def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "lstm_spooky", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == f"lstm-spooky, version {__version__}"


def test_each_saved_model_records_the_version_that_wrote_it(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "config.json").read_text())["lstm_spooky_version"] == __version__
