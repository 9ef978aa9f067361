"""Trains briefly on a slice of Kaggle's real train.csv and submits its real test.csv.

The files are never copied into the project: they are found through $LSTM_SPOOKY_DATA
or ../shared/data/spooky beside the checkout, and the test is skipped without them.
"""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky.ui.cli import main
from tests.conftest import real_data_dir

DATA = real_data_dir()
pytestmark = pytest.mark.skipif(
    DATA is None, reason="Kaggle spooky data not found: set LSTM_SPOOKY_DATA or put it in ../shared/data/spooky"
)


def test_brief_training_on_real_data_submits_a_valid_test_file(tmp_path):
    pd.read_csv(DATA / "train.csv").sample(4000, random_state=0).to_csv(tmp_path / "slice.csv", index=False)
    runner = CliRunner()
    fit = runner.invoke(
        main,
        [
            "fit",
            str(tmp_path / "slice.csv"),
            "--model-dir",
            str(tmp_path / "m"),
            "--folds",
            "2",
            "--epochs",
            "3",
            "--quiet",
        ],
    )
    assert fit.exit_code == 0, fit.output
    output = tmp_path / "submission.csv"
    submit = runner.invoke(
        main, ["submit", str(DATA / "test.csv"), "--model-dir", str(tmp_path / "m"), "--output", str(output)]
    )
    assert submit.exit_code == 0, submit.output
    submission = pd.read_csv(output)
    test = pd.read_csv(DATA / "test.csv")
    assert list(submission.columns) == ["id", "EAP", "HPL", "MWS"]
    assert submission["id"].tolist() == test["id"].tolist()
    proba = submission[["EAP", "HPL", "MWS"]]
    assert ((proba > 0) & (proba < 1)).all().all()
    assert ((proba.sum(axis=1) - 1).abs() < 1e-6).all()
    # Three epochs on 4,000 sentences already beat the class priors (log loss about 1.09).
    assert json.loads((tmp_path / "m" / "config.json").read_text())["cv"]["log_loss"] < 1.0
