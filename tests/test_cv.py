import numpy as np
import pytest

from lstm_spooky.cv import FoldCheckpoints, data_fingerprint, fold_splits

Y = np.array([0, 1, 2] * 20)


def test_every_row_is_held_out_exactly_once():
    held_out = np.concatenate([h for _, h in fold_splits(Y, 5, seed=0, validation_fraction=0.1)])
    assert sorted(held_out) == list(range(len(Y)))


def test_folds_keep_the_author_balance():
    for train, held_out in fold_splits(Y, 4, seed=0, validation_fraction=0.1):
        assert np.bincount(Y[held_out]).tolist() == [5, 5, 5]
        assert not set(train) & set(held_out)


def test_one_fold_is_a_single_validation_split():
    [(train, held_out)] = fold_splits(Y, 1, seed=0, validation_fraction=0.2)
    assert len(held_out) == 12 and len(train) == 48


def test_fingerprint_changes_with_a_label():
    texts = ["a", "b", "c"]
    assert data_fingerprint(texts, np.array([0, 1, 2])) != data_fingerprint(texts, np.array([0, 1, 1]))


def test_a_fresh_run_clears_an_old_checkpoint_directory(tmp_path):
    (tmp_path / "run" / "nblr" / "fold-0").mkdir(parents=True)
    checkpoints = FoldCheckpoints(tmp_path / "run", {"config": 1}, resume=False)
    assert not checkpoints.finished("nblr", "fold-0")


def test_resume_keeps_finished_folds_of_the_same_run(tmp_path):
    FoldCheckpoints(tmp_path / "run", {"config": 1}, resume=False).member_dir("nblr", "fold-0").mkdir(parents=True)
    assert FoldCheckpoints(tmp_path / "run", {"config": 1}, resume=True).finished("nblr", "fold-0")


def test_resume_refuses_another_run(tmp_path):
    FoldCheckpoints(tmp_path / "run", {"config": 1}, resume=False)
    with pytest.raises(ValueError, match="run without --resume"):
        FoldCheckpoints(tmp_path / "run", {"config": 2}, resume=True)
