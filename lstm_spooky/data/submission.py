"""Build, check and write submissions: id, then one probability column per label, one row per test row.

The label columns come in the model's label order (sorted), or in the order of a sample
submission (Kaggle's `sample_submission.csv`: `id,EAP,HPL,MWS`) when one is given;
`read_sample_submission` checks that such a file fits the model and the test file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from ..probability import EPS
from ..store.atomic import atomic_file
from .corpus import read_header_and_ids
from .errors import DataError

ID = "id"


def make_submission(
    ids: Sequence[str], proba: np.ndarray, labels: Sequence[str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per id in the given order; probabilities clipped to [EPS, 1-EPS] and renormalised.

    `proba` has one column per label of `labels`, in that order; `columns` (default
    `id` and `labels`) is the header to write: an id column, then the same labels in
    any order.
    """
    proba = np.clip(np.asarray(proba, dtype=np.float64), EPS, 1 - EPS)
    proba = proba / proba.sum(axis=1, keepdims=True)
    frame = pd.DataFrame(proba, columns=[str(label) for label in labels])
    id_column, *order = columns if columns is not None else (ID, *frame.columns)
    frame = frame[order]
    frame.insert(0, id_column, list(ids))
    return frame


def check_submission(frame: pd.DataFrame, ids: Sequence[str], labels: Sequence[str]) -> None:
    """Raise ValueError unless `frame` is a valid submission for exactly `ids`, in order, with one
    column per label of `labels` (in any order) after the id column."""
    id_column, *order = frame.columns
    if sorted(order) != sorted(map(str, labels)) or len(set(order)) != len(order):
        raise ValueError(f"submission columns are {list(frame.columns)}, expected an id column and {list(labels)}")
    if list(frame[id_column]) != list(ids):
        raise ValueError("submission ids differ from the input's ids or their order")
    proba = frame[order].to_numpy(dtype=np.float64)
    if not np.isfinite(proba).all():
        raise ValueError("submission has non-finite probabilities")
    if (proba <= 0).any() or (proba >= 1).any():
        raise ValueError("submission probabilities must lie strictly between 0 and 1")
    if not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("submission rows must sum to 1")


def read_sample_submission(path: str | Path, ids: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The header of a sample submission (its id column, then the labels in its order), after
    checking that its labels are the model's `labels` and its ids the test file's `ids`.

    Raises DataError with a one-line message naming the file and the mismatch.
    """
    header, sample_ids = read_header_and_ids(path)
    if len(header) < 2:
        raise DataError(f"{path}: the header {','.join(header)} needs an id column and one column per label")
    id_column, *order = header
    labels = [str(label) for label in labels]
    if len(set(order)) != len(order) or set(order) != set(labels):
        missing, extra = sorted(set(labels) - set(order)), sorted(set(order) - set(labels))
        raise DataError(
            f"{path}: its label columns {','.join(order)} are not the model's {','.join(labels)}"
            + (f" (missing {', '.join(missing)})" if missing else "")
            + (f" (unknown {', '.join(extra)})" if extra else "")
        )
    ids = [str(i) for i in ids]
    if len(set(sample_ids)) != len(sample_ids) or set(sample_ids) != set(ids):
        missing, extra = sorted(set(ids) - set(sample_ids)), sorted(set(sample_ids) - set(ids))
        duplicated = len(set(sample_ids)) != len(sample_ids)
        raise DataError(
            f"{path}: its ids are not the test file's ("
            + "; ".join(
                part
                for part in (
                    f"{len(missing)} test id(s) missing, e.g. {missing[0]!r}" if missing else "",
                    f"{len(extra)} id(s) not in the test file, e.g. {extra[0]!r}" if extra else "",
                    "some ids repeat" if duplicated else "",
                )
                if part
            )
            + "); is it the sample submission of this test file?"
        )
    return header


def write_submission(
    ids: Sequence[str],
    chunks: Iterable[np.ndarray],
    labels: Sequence[str],
    path: str | Path | TextIO,
    columns: Sequence[str] | None = None,
) -> list[str]:
    """Write the submission for `ids` from its probabilities in consecutive chunks of rows
    (`SpookyClassifier.iter_proba`), each made and checked as it comes; returns the header.

    Chunks are appended to a temporary file that replaces `path` only once every row is
    written and checked, so a failed or interrupted run never leaves a partial submission.
    To a stream (standard output), the rows are kept until every one is checked, then written.
    """
    if not isinstance(path, (str, Path)):
        with io.StringIO() as buffer:
            header = _write_chunks(ids, chunks, labels, buffer, columns)
            path.write(buffer.getvalue())
        return header
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        return _write_chunks(ids, chunks, labels, out, columns)


def _write_chunks(ids, chunks: Iterable[np.ndarray], labels, out: TextIO, columns) -> list[str]:
    ids, written, header = list(ids), 0, None
    for proba in chunks:
        part_ids = ids[written : written + len(proba)]
        part = make_submission(part_ids, proba, labels, columns)
        check_submission(part, part_ids, labels)
        part.to_csv(out, header=not written, index=False, float_format="%.15g")
        written, header = written + len(part), list(part.columns)
    if written != len(ids):
        raise ValueError(f"the model scored {written} rows of {len(ids)}")
    return header
