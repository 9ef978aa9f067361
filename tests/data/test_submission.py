import numpy as np
import pandas as pd
import pytest

from lstm_spooky.data.errors import DataError
from lstm_spooky.data.labels import AUTHORS
from lstm_spooky.data.submission import check_submission, make_submission, read_sample_submission, write_submission

IDS = ["b", "a", "c"]
PROBA = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.1, 0.8, 0.1]])


def test_columns_and_row_order_follow_the_input():
    frame = make_submission(IDS, PROBA, AUTHORS)
    assert list(frame.columns) == ["id", "EAP", "HPL", "MWS"]
    assert frame["id"].tolist() == IDS


def test_probabilities_are_clipped_away_from_zero_and_one_and_sum_to_one():
    proba = make_submission(IDS, PROBA, AUTHORS)[["EAP", "HPL", "MWS"]].to_numpy()
    assert (proba > 0).all() and (proba < 1).all()
    assert np.allclose(proba.sum(axis=1), 1)


def test_check_accepts_a_made_submission():
    check_submission(make_submission(IDS, PROBA, AUTHORS), IDS, AUTHORS)


@pytest.mark.parametrize(
    "broken, message",
    [
        (lambda f: f[["id", "HPL", "EAP"]], "columns"),
        (lambda f: f.assign(POE=0.1), "columns"),
        (lambda f: f.iloc[::-1], "ids differ"),
        (lambda f: f.assign(EAP=0.0), "strictly between 0 and 1"),
        (lambda f: f.assign(EAP=0.9), "sum to 1"),
        (lambda f: f.assign(EAP=np.nan), "non-finite"),
    ],
)
def test_check_rejects_broken_submissions(broken, message):
    with pytest.raises(ValueError, match=message):
        check_submission(broken(make_submission(IDS, PROBA, AUTHORS)), IDS, AUTHORS)


def test_written_file_reads_back_as_the_same_submission(tmp_path):
    write_submission(IDS, [PROBA], AUTHORS, tmp_path / "sub.csv")
    back = pd.read_csv(tmp_path / "sub.csv")
    check_submission(back, IDS, AUTHORS)
    pd.testing.assert_frame_equal(back, make_submission(IDS, PROBA, AUTHORS), check_exact=False, rtol=1e-14)
    assert [p.name for p in tmp_path.iterdir()] == ["sub.csv"]


def test_a_submission_written_in_chunks_is_the_one_written_at_once(tmp_path):
    header = write_submission(
        IDS, [PROBA[:1], PROBA[1:]], AUTHORS, tmp_path / "chunks.csv", columns=["key", "MWS", "EAP", "HPL"]
    )
    write_submission(IDS, [PROBA], AUTHORS, tmp_path / "once.csv", columns=["key", "MWS", "EAP", "HPL"])
    assert header == ["key", "MWS", "EAP", "HPL"]
    assert (tmp_path / "chunks.csv").read_text() == (tmp_path / "once.csv").read_text()


def test_a_submission_appears_only_once_every_chunk_is_written(tmp_path):
    def chunks():
        yield PROBA[:1]
        assert not (tmp_path / "sub.csv").exists()  # the first chunk went to a temporary file
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_submission(IDS, chunks(), AUTHORS, tmp_path / "sub.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_model_that_scores_too_few_rows_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="scored 1 rows of"):
        write_submission(IDS, [PROBA[:1]], AUTHORS, tmp_path / "sub.csv")
    assert list(tmp_path.iterdir()) == []


def test_any_label_set_gets_one_column_per_label_in_the_given_order():
    proba = np.array([[0.7, 0.3], [0.1, 0.9]])
    frame = make_submission(["x", "y"], proba, ["neg", "pos"])
    assert list(frame.columns) == ["id", "neg", "pos"]
    reordered = make_submission(["x", "y"], proba, ["neg", "pos"], columns=["key", "pos", "neg"])
    assert list(reordered.columns) == ["key", "pos", "neg"]
    np.testing.assert_allclose(reordered[["neg", "pos"]].to_numpy(), frame[["neg", "pos"]].to_numpy())
    check_submission(reordered, ["x", "y"], ["neg", "pos"])


def test_sample_submission_gives_the_header_after_checking_labels_and_ids(tmp_path):
    sample = tmp_path / "sample.csv"
    sample.write_text("id,MWS,EAP,HPL\nc,0.3,0.3,0.4\nb,0.3,0.3,0.4\na,0.3,0.3,0.4\n")
    assert read_sample_submission(sample, IDS, AUTHORS) == ["id", "MWS", "EAP", "HPL"]


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "id,EAP,HPL\nb,1,0\na,1,0\nc,1,0\n",
            r"sample\.csv: its label columns EAP,HPL are not the model's EAP,HPL,MWS \(missing MWS\)",
        ),
        ("id,EAP,HPL,MWS,POE\nb,1,0,0,0\n", r"\(unknown POE\)"),
        ("id,EAP,HPL,MWS\nb,1,0,0\na,1,0,0\n", r"its ids are not the test file's \(1 test id\(s\) missing, e.g. 'c'\)"),
        ("id,EAP,HPL,MWS\nb,1,0,0\na,1,0,0\nc,1,0,0\nz,1,0,0\n", r"1 id\(s\) not in the test file, e.g. 'z'"),
        ("", r"sample\.csv: the file is empty"),
    ],
)
def test_sample_submission_that_does_not_fit_is_a_data_error(tmp_path, content, message):
    sample = tmp_path / "sample.csv"
    sample.write_text(content)
    with pytest.raises(DataError, match=message):
        read_sample_submission(sample, IDS, AUTHORS)
