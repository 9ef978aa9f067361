import numpy as np
import pytest

from lstm_spooky.ensemble.folds import fold_splits

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


@pytest.mark.parametrize(
    "y, folds, message",
    [
        (
            np.array([0, 1, 2, 0, 1, 2]),
            5,
            r"an author has only 2 training sentence\(s\), fewer than the 5 folds; add sentences or use --folds 2",
        ),
        (np.array([0, 1, 2, 0, 1, 2]), 1, r"6 sentences are too few to hold out 0.1 of them"),
    ],
)
def test_too_few_sentences_for_the_folds_are_explained(y, folds, message):
    with pytest.raises(ValueError, match=message):
        fold_splits(y, folds, seed=0, validation_fraction=0.1)
