"""The label set a classifier learns, and labels turned into class ids and checked.

Labels are any values of one kind (strings, or numbers); `fit` learns them sorted as
`classes_` and trains on their positions, the class ids 0 .. n_classes - 1. A label set
has two or more distinct labels, a rule written once (`check_two_or_more`) that reading a
file, learning the label set and fitting a model all call; none is empty or named like a
column of the submission. Reading labels from a file (and naming the row of a bad one) is
data/corpus.py's; what a model learns from the ids is models/'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .errors import DataError

AUTHORS = ("EAP", "HPL", "MWS")  # Kaggle's labels, in the order its submission wants them
# Column names of the files the model directory writes (id, one column per label, the true
# label), so no label may take them.
RESERVED_LABELS = ("id", "author")


def check_two_or_more(distinct: Sequence[object], found: str = "every label is", hint: str = "") -> None:
    """Raise DataError unless the `distinct` labels are two or more: one label leaves nothing to tell apart.

    `found` says where the one label was found and `hint` what to check, for the message:

    check_two_or_more(["Poe"], "one.csv: every row of column 'writer' is") -> DataError: one.csv: every row of
    column 'writer' is 'Poe'; a classifier needs two or more distinct labels
    """
    if len(distinct) >= 2:
        return
    what = f"{found} {distinct[0]!r}" if len(distinct) else "no labels given"
    raise DataError(f"{what}; a classifier needs two or more distinct labels{hint}")


def label_set(labels: Iterable[object]) -> np.ndarray:
    """The distinct labels, sorted, of their own type: what `fit` learns as `classes_`.

    Strings sort as text and numbers as numbers, as scikit-learn's classifiers sort them:

    >>> label_set(["MWS", "EAP", "HPL", "EAP"]).tolist()
    ['EAP', 'HPL', 'MWS']
    >>> label_set([10, 2, 1, 2]).tolist()
    [1, 2, 10]
    """
    values = list(labels)
    kinds = {
        "text"
        if isinstance(label, str)
        else "number"
        if isinstance(label, (int, float, np.number))
        else type(label).__name__
        for label in values
    }
    if len(kinds) > 1:
        raise DataError(f"labels mix {' and '.join(sorted(kinds))}; give labels of one kind")
    classes = np.unique(np.asarray(values)) if values else np.array([])
    names = [str(label) for label in classes]
    if any(not name.strip() for name in names):
        raise DataError("a label is empty; every training sentence needs a label")
    check_two_or_more(names)
    reserved = sorted(set(names) & set(RESERVED_LABELS))
    if reserved:
        raise DataError(
            f"labels may not be {' or '.join(map(repr, RESERVED_LABELS))} (column names of the submission); "
            f"got {reserved[0]!r}"
        )
    return classes


def encode_labels(labels: Sequence[object], classes: Sequence[object] | None = None) -> np.ndarray:
    """Map labels to class ids: their positions in `classes`, compared by their text, so that a label
    read back from a CSV ("2") finds its class (2).

    `classes` defaults to the sorted distinct labels, which for Kaggle's file is
    AUTHORS: EAP, HPL, MWS -> 0, 1, 2.
    """
    classes = [str(label) for label in (label_set(labels) if classes is None else classes)]
    index = {label: i for i, label in enumerate(classes)}
    labels = [str(label) for label in labels]
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise DataError(f"unknown labels {unknown}; the model knows {', '.join(classes)}")
    return np.array([index[label] for label in labels], dtype=np.int64)


def check_training_set(
    texts: Iterable[str], y: Sequence[int], n_classes: int | None = None
) -> tuple[list[str], np.ndarray]:
    """`texts` as a list and class ids `y` as an int array, after checking they pair up and
    that each of the `n_classes` classes (default: as many as the largest id says) has
    sentences: a model cannot learn a label it never saw."""
    texts, y = list(texts), np.asarray(y, dtype=np.int64)
    if len(texts) != len(y):
        raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
    n_classes = int(y.max()) + 1 if n_classes is None and len(y) else (n_classes or 0)
    missing = sorted(set(range(n_classes)) - set(y.tolist()))
    if missing:
        raise ValueError(f"every label needs training sentences; none for class ids {missing}")
    check_two_or_more(range(n_classes), "every class id is")
    return texts, y
