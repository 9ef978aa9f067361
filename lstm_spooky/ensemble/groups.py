"""Folds grouped by work: no group (a novel, one text of a corpus) has rows on both sides of a split.

Sentences of one novel share its names, places and turns of phrase, so a fold that trains on some of
them and scores the others measures how well a model recognises the novel, not the author. Held out
as whole works, the out-of-fold scores (and the stack and calibrations fitted on them) say how the
models do on a work they never saw.

A label's groups are dealt to different folds, largest first, each to the fold holding fewest of the
label's groups, then fewest rows (a seeded order breaks ties): every label then keeps a group in every
fold's training part, and a label with fewer groups than folds is held out in fewer folds (each row
is still held out exactly once). A label with a single group cannot be held out as a whole and
trained on: its rows, in order, are cut into long contiguous blocks that serve as its groups
(`single_group_labels` names such labels, whose scores may not transfer to new works).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Splits = list[tuple[np.ndarray, np.ndarray]]
WARNING = "warning: "  # how a fit's log line that is a warning starts (the command shows those even with --quiet)


def group_codes(groups: Sequence) -> np.ndarray:
    """Each row's group as an integer code: shape (n_rows,)."""
    return np.unique(np.asarray(list(groups), dtype=str), return_inverse=True)[1].reshape(-1)


def single_group_labels(y: np.ndarray, groups: Sequence) -> list[int]:
    """The class ids in `y` whose rows all belong to one group."""
    codes = group_codes(groups)
    return [int(label) for label in np.unique(y) if len(np.unique(codes[y == label])) == 1]


def single_group_warning(label, blocks: int) -> str:
    """What a fit says of a label whose sentences all come from one work."""
    return (
        f"{WARNING}label {str(label)!r} has a single work; its sentences are cut into {blocks} contiguous blocks "
        "that stand for works in the folds, so its scores may not transfer to new works"
    )


def blocked_groups(y: np.ndarray, groups: Sequence, blocks: int) -> np.ndarray:
    """Group codes of the rows, each label of a single group cut into `blocks` contiguous blocks of its rows
    (fewer if it has fewer rows), in row order, each block a group of its own.

    >>> blocked_groups(np.array([0, 0, 0, 0, 1, 1]), ["a", "a", "a", "a", "b", "c"], 2).tolist()
    [3, 3, 4, 4, 1, 2]
    """
    codes = group_codes(groups)
    next_code = codes.max() + 1 if len(codes) else 0
    for label in single_group_labels(y, groups):
        for block in np.array_split(np.flatnonzero(y == label), min(blocks, int(np.sum(y == label)))):
            codes[block], next_code = next_code, next_code + 1
    return codes


def grouped_folds(y: np.ndarray, groups: Sequence, folds: int, seed: int) -> Splits:
    """(train_idx, held_out_idx) pairs over `folds` >= 2 folds of whole groups (single-group labels cut into
    `folds` blocks): every row held out once, every label in every fold's training part.

    Raises ValueError when there are fewer groups than folds, or a group holds rows of several labels in a way
    that leaves a fold's training part without one of them."""
    codes = blocked_groups(y, groups, folds)
    n_groups = len(np.unique(codes))
    if n_groups < folds:
        raise ValueError(
            f"the sentences come from only {n_groups} works, fewer than the {folds} folds (each fold holds out "
            f"whole works); add works or use --folds {n_groups}"
        )
    fold_of_group = _deal(y, codes, folds, seed)
    splits = [
        (np.flatnonzero(fold_of_group[codes] != k), np.flatnonzero(fold_of_group[codes] == k)) for k in range(folds)
    ]
    _check_labels_trained(y, splits)
    return splits


def grouped_parts(y: np.ndarray, groups: Sequence, parts: int, seed: int) -> Splits:
    """`grouped_folds` with at most `parts` folds, fewer when there are fewer groups (at least 2): to cross-validate
    a stack or a temperature on whole works."""
    return grouped_folds(y, groups, max(2, min(parts, len(np.unique(group_codes(groups))))), seed)


def grouped_validation(y: np.ndarray, groups: Sequence, fraction: float, seed: int) -> Splits:
    """One (train_idx, held_out_idx) pair holding out about `fraction` of each label's rows as whole groups, at
    least one group of every label on each side (a single-group label cut into blocks of about `fraction`)."""
    codes = blocked_groups(y, groups, max(2, round(1 / fraction)))
    rng = np.random.default_rng(seed)
    held = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        label_groups = rng.permutation(np.unique(codes[y == label]))
        target, held_rows = fraction * np.sum(y == label), 0
        for group in label_groups[:-1]:  # the last one always trains
            size = int(np.sum(codes == group))
            if held_rows == 0 or held_rows + size <= target:
                held[codes == group], held_rows = True, held_rows + size
    splits = [(np.flatnonzero(~held), np.flatnonzero(held))]
    _check_labels_trained(y, splits)
    return splits


def _deal(y: np.ndarray, codes: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The fold of each group: each label's groups, largest first, to the fold with fewest of the label's groups,
    then fewest rows, ties broken in a seeded order. A group is dealt with the label of most of its rows."""
    rng = np.random.default_rng(seed)
    n_groups = int(codes.max()) + 1
    sizes = np.bincount(codes, minlength=n_groups)
    label_of = np.array([np.bincount(y[codes == group]).argmax() if sizes[group] else -1 for group in range(n_groups)])
    tie_break, fold_order = rng.permutation(n_groups), rng.permutation(folds)
    fold_of_group = np.full(n_groups, -1)
    rows, label_count = np.zeros(folds, dtype=int), np.zeros((folds, int(y.max()) + 1), dtype=int)
    for label in np.unique(y):
        members = [group for group in range(n_groups) if label_of[group] == label]
        for group in sorted(members, key=lambda group: (-sizes[group], tie_break[group])):
            fold = min(range(folds), key=lambda k: (label_count[k, label], rows[k], fold_order[k]))
            fold_of_group[group] = fold
            rows[fold] += sizes[group]
            label_count[fold, label] += 1
    return fold_of_group


def _check_labels_trained(y: np.ndarray, splits: Splits) -> None:
    """Raise ValueError when a split's training part lacks a label (groups that mix labels can cause it)."""
    labels = np.unique(y)
    for train, _ in splits:
        missing = np.setdiff1d(labels, y[train])
        if len(missing):
            raise ValueError(
                "no split of these works keeps every label in every fold's training part (a work holds sentences of "
                "several labels); give each work a single label, or add works"
            )
