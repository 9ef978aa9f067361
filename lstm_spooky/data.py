"""Read and validate Kaggle's Spooky Author Identification CSV files.

Every problem becomes a `DataError` whose one-line message names the file, the row
(by its id where it has one) and what to do, so the CLI can print it instead of a
traceback. Authors are always ordered as in Kaggle's submission: EAP, HPL, MWS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

AUTHORS = ("EAP", "HPL", "MWS")


class DataError(ValueError):
    """Input data that cannot be used; the message says where and how to fix it."""


def read_train(path: str | Path) -> pd.DataFrame:
    """Read a labelled file with columns id, text, author (extra columns are ignored)."""
    frame = _read_csv(path, ("id", "text", "author"))
    unknown = ~frame["author"].isin(AUTHORS)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise DataError(
            f"{path}: row {row + 1} (id {frame['id'].iloc[row]!r}) has author {frame['author'].iloc[row]!r}; "
            f"authors must be one of {', '.join(AUTHORS)}"
        )
    return frame


def read_test(path: str | Path) -> pd.DataFrame:
    """Read an unlabelled file with columns id, text (extra columns are ignored)."""
    return _read_csv(path, ("id", "text"))


def validate_texts(texts: Iterable[object], source: str = "texts") -> list[str]:
    """Return `texts` as a list, or raise DataError naming the first empty or non-string one."""
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"{source}: item {i} is a {type(text).__name__}, not a string")
        if not text.strip():
            raise DataError(f"{source}: item {i} is empty; every sentence needs some text")
    return texts


def encode_labels(labels: Sequence[str]) -> np.ndarray:
    """Map author names to class indices 0, 1, 2 in AUTHORS order."""
    index = {author: i for i, author in enumerate(AUTHORS)}
    unknown = sorted({str(label) for label in labels} - set(index))
    if unknown:
        raise DataError(f"unknown author labels {unknown}; labels must be one of {', '.join(AUTHORS)}")
    return np.array([index[label] for label in labels], dtype=np.int64)


def check_training_set(texts: Iterable[str], y: Sequence[int]) -> tuple[list[str], np.ndarray]:
    """`texts` as a list and class ids `y` as an int array, after checking they pair up and
    that every author has sentences (a model cannot learn an author it never saw)."""
    texts, y = list(texts), np.asarray(y, dtype=np.int64)
    if len(texts) != len(y):
        raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
    missing = sorted(set(range(len(AUTHORS))) - set(y.tolist()))
    if missing:
        raise ValueError(f"every author needs training sentences; none for {[AUTHORS[c] for c in missing]}")
    return texts, y


def _read_csv(path: str | Path, columns: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file; give the path to a Kaggle CSV (id,{','.join(columns[1:])})")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give the path to a Kaggle CSV (id,{','.join(columns[1:])})")
    raw = path.read_bytes()
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line} is not valid UTF-8; re-save the file as UTF-8") from None
    if not decoded.strip():
        raise DataError(f"{path}: the file is empty; expected a header line {','.join(columns)} and rows")
    try:
        frame = pd.read_csv(io.StringIO(decoded), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as error:
        raise DataError(f"{path}: not a well-formed CSV ({' '.join(str(error).split())})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must contain {','.join(columns)} "
            f"(found {','.join(map(str, frame.columns))})"
        )
    if frame.empty:
        raise DataError(f"{path}: has a header but no rows")
    frame = frame.loc[:, list(columns)]
    blank = frame["text"].str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise DataError(f"{path}: row {row + 1} (id {frame['id'].iloc[row]!r}) has empty text; remove the row or fill it in")
    blank_id = frame["id"].str.strip() == ""
    if blank_id.any():
        row = int(np.flatnonzero(blank_id)[0])
        raise DataError(f"{path}: row {row + 1} has an empty id; every row needs a unique id")
    duplicated = frame["id"].duplicated(keep="first")
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        dup = frame["id"].iloc[row]
        first = int(np.flatnonzero(frame["id"] == dup)[0])
        raise DataError(f"{path}: id {dup!r} appears in rows {first + 1} and {row + 1}; ids must be unique")
    return frame.reset_index(drop=True)
