import numpy as np
import pandas as pd
import pytest

from lstm_spooky.submission import check_submission, make_submission, write_submission

IDS = ["b", "a", "c"]
PROBA = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.1, 0.8, 0.1]])


def test_columns_and_row_order_follow_the_input():
    frame = make_submission(IDS, PROBA)
    assert list(frame.columns) == ["id", "EAP", "HPL", "MWS"]
    assert frame["id"].tolist() == IDS


def test_probabilities_are_clipped_away_from_zero_and_one_and_sum_to_one():
    proba = make_submission(IDS, PROBA)[["EAP", "HPL", "MWS"]].to_numpy()
    assert (proba > 0).all() and (proba < 1).all()
    assert np.allclose(proba.sum(axis=1), 1)


def test_check_accepts_a_made_submission():
    check_submission(make_submission(IDS, PROBA), IDS)


@pytest.mark.parametrize(
    "broken, message",
    [
        (lambda f: f[["id", "HPL", "EAP", "MWS"]], "columns"),
        (lambda f: f.iloc[::-1], "ids differ"),
        (lambda f: f.assign(EAP=0.0), "strictly between 0 and 1"),
        (lambda f: f.assign(EAP=0.9), "sum to 1"),
        (lambda f: f.assign(EAP=np.nan), "non-finite"),
    ],
)
def test_check_rejects_broken_submissions(broken, message):
    with pytest.raises(ValueError, match=message):
        check_submission(broken(make_submission(IDS, PROBA)), IDS)


def test_written_file_reads_back_as_the_same_submission(tmp_path):
    frame = make_submission(IDS, PROBA)
    write_submission(frame, tmp_path / "sub.csv")
    back = pd.read_csv(tmp_path / "sub.csv")
    check_submission(back, IDS)
    assert [p.name for p in tmp_path.iterdir()] == ["sub.csv"]
