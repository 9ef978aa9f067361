import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_spooky.ensemble.folds import fold_splits
from lstm_spooky.ensemble.groups import blocked_groups, single_group_labels


@st.composite
def works(draw):
    """(y, groups, folds): 2-4 labels, each with 2-5 works of 1-12 sentences, and 2 to 5 folds (at most the
    fewest works a label has, so a split always exists)."""
    y, groups = [], []
    n_labels = draw(st.integers(2, 4))
    shortest = 5
    for label in range(n_labels):
        n_works = draw(st.integers(2, 5))
        shortest = min(shortest, n_works)
        for work in range(n_works):
            size = draw(st.integers(1, 12))
            y += [label] * size
            groups += [f"L{label}_W{work}"] * size
    order = draw(st.permutations(range(len(y))))
    folds = draw(st.integers(2, max(2, shortest)))
    return np.array(y)[order], np.array(groups)[order], folds


@settings(max_examples=60, deadline=None)
@given(works(), st.integers(0, 1000))
def test_grouped_folds_never_split_a_work(layout, seed):
    y, groups, folds = layout
    for train, held_out in fold_splits(y, folds, seed, 0.1, groups=groups):
        assert not set(groups[train]) & set(groups[held_out])


@settings(max_examples=60, deadline=None)
@given(works(), st.integers(0, 1000))
def test_grouped_folds_hold_out_every_row_exactly_once(layout, seed):
    y, groups, folds = layout
    held_out = np.concatenate([held for _, held in fold_splits(y, folds, seed, 0.1, groups=groups)])
    assert sorted(held_out) == list(range(len(y)))


@settings(max_examples=60, deadline=None)
@given(works(), st.integers(0, 1000))
def test_grouped_folds_train_on_every_label_in_every_fold(layout, seed):
    y, groups, folds = layout
    for train, _ in fold_splits(y, folds, seed, 0.1, groups=groups):
        assert set(y[train]) == set(y)


@settings(max_examples=60, deadline=None)
@given(works(), st.integers(0, 1000), st.sampled_from([0.1, 0.2, 0.5]))
def test_a_grouped_validation_split_keeps_works_whole_and_every_label_on_both_sides(layout, seed, fraction):
    y, groups, _ = layout
    [(train, held_out)] = fold_splits(y, 1, seed, fraction, groups=groups)
    assert not set(groups[train]) & set(groups[held_out])
    assert set(y[train]) == set(y[held_out]) == set(y)


def test_a_label_of_a_single_work_is_cut_into_contiguous_blocks_one_per_fold():
    y = np.array([0] * 9 + [1] * 4)
    groups = ["one"] * 9 + ["a", "a", "b", "b"]
    assert single_group_labels(y, groups) == [0]
    assert blocked_groups(y, groups, 3)[:9].tolist() == [3, 3, 3, 4, 4, 4, 5, 5, 5]


def test_more_folds_than_works_is_explained():
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"only 4 works, fewer than the 5 folds .* use --folds 4"):
        fold_splits(np.repeat(y, 5), 5, 0, 0.1, groups=np.repeat(["a", "b", "c", "d"], 5))
