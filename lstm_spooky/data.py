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
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read it ({error.strerror}); check the file's permissions") from None
    decoded = _decode(path, raw)
    if not decoded.strip():
        raise DataError(f"{path}: the file is empty; expected a header line {','.join(columns)} and rows")
    decoded, delimiter = _delimiter(decoded)
    _check_field_counts(path, decoded, delimiter)
    try:
        # index_col=False: never take the first column for an index when rows are longer than the header
        frame = pd.read_csv(io.StringIO(decoded), dtype=str, keep_default_na=False, sep=delimiter, index_col=False)
    except (pd.errors.ParserError, csv.Error) as error:
        raise DataError(f"{path}: not a well-formed CSV ({' '.join(str(error).split())})") from None
    frame = _strip_header(frame)
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


def _decode(path: Path, raw: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark, as spreadsheets write, is dropped), or
    UTF-16 when it starts with that byte-order mark (Excel's "Unicode text" export)."""
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n" if encoding == "utf-8-sig" else "\n".encode("utf-16-le")) + 1
        name = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
        raise DataError(f"{path}: line {line} is not valid {name}; re-save the file as UTF-8") from None


def _delimiter(text: str) -> tuple[str, str]:
    """(text, field separator): Kaggle's comma, or the semicolon or tab that spreadsheets
    export in many locales, read from the header line; Excel's "sep=;" first line is honoured
    and removed. Only the header decides, since the sentences are full of commas and semicolons.

    _delimiter("id;text\\n1;a, b\\n") -> ("id;text\\n1;a, b\\n", ";")
    """
    first, _, rest = text.lstrip("\r\n").partition("\n")
    hint = first.strip().strip('"')
    if len(hint) == 5 and hint.startswith("sep="):
        return rest, hint[4]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return text, best if counts[best] else ","


def _check_field_counts(path: Path, text: str, delimiter: str) -> None:
    """Raise DataError at the first row with more or fewer fields than the header, which is
    what an unquoted delimiter inside a text does; pandas would shift or drop fields silently."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = csv.field_size_limit(len(text) + 1)  # the default, 128 KiB, would refuse a long text pandas reads
    try:
        header = next(reader)
        row = 0
        for record in reader:
            if not record:
                continue  # blank lines are skipped, as pandas does
            row += 1
            if len(record) != len(header):
                shown = "tab" if delimiter == "\t" else repr(delimiter)
                raise DataError(
                    f"{path}: not a well-formed CSV: line {reader.line_num} (row {row}) has {len(record)} fields where the "
                    f"header has {len(header)}; put double quotes around texts that contain {shown}"
                )
    except csv.Error as error:
        raise DataError(f"{path}: not a well-formed CSV (line {reader.line_num}: {error})") from None
    finally:
        csv.field_size_limit(limit)


def _strip_header(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names without surrounding spaces ("id, text" as hand-typed headers have), unless
    that would make two names equal."""
    names = [str(name).strip() for name in frame.columns]
    return frame.set_axis(names, axis=1) if len(set(names)) == len(names) else frame
