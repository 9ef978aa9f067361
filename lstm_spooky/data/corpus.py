"""Read and validate labelled and unlabelled CSV files of sentences.

Kaggle's Spooky Author Identification files (`id,text,author`) need no options; any
other CSV names its columns (`text_column`, `label_column`, `id_column`), and the
frames returned always have the canonical columns `id`, `text` (and `author`, the
label), so nothing downstream knows what the file called them. Labels are any
strings: the label set is learned from the training file, two or more of them (data/labels.py
holds the rules a label set keeps).

Every problem becomes a `DataError` whose one-line message names the file, the row
(by its id where it has one) and what to do, so the CLI can print it instead of a
traceback.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .labels import RESERVED_LABELS, check_two_or_more

STDIN = Path("-")  # the file name that means standard input, as in most command-line tools
# Compressed CSVs, by file name suffix: what pandas would infer from the name.
DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress, ".zip": lambda raw: _unzip(raw)}


def read_train(
    path: str | Path, text_column: str = "text", label_column: str = "author", id_column: str = "id"
) -> pd.DataFrame:
    """Read a labelled CSV as a frame with columns id, text, author (the label), in file order.

    Extra columns are ignored. Raises DataError for an empty label, for a label that
    would clash with the model directory's column names, and for a file with fewer
    than two distinct labels (there is nothing to tell apart).
    """
    frame = _read_csv(path, {"id": id_column, "text": text_column, "author": label_column})
    blank = frame["author"].str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise DataError(
            f"{path}: row {row + 1} (id {frame['id'].iloc[row]!r}) has an empty {label_column!r}; "
            "every training sentence needs a label"
        )
    reserved = frame["author"].isin(RESERVED_LABELS)
    if reserved.any():
        row = int(np.flatnonzero(reserved)[0])
        raise DataError(
            f"{path}: row {row + 1} (id {frame['id'].iloc[row]!r}) has the label {frame['author'].iloc[row]!r}; "
            f"labels may not be {' or '.join(map(repr, RESERVED_LABELS))} (column names of the submission); rename it"
        )
    check_two_or_more(
        sorted(frame["author"].unique()),
        f"{path}: every row of column {label_column!r} is",
        " (is --label-column the right column?)",
    )
    return frame


def read_test(path: str | Path, text_column: str = "text", id_column: str = "id") -> pd.DataFrame:
    """Read an unlabelled CSV as a frame with columns id, text (extra columns are ignored)."""
    return _read_csv(path, {"id": id_column, "text": text_column})


def check_unlabeled(frame: pd.DataFrame, training: pd.DataFrame, path: str | Path) -> str | None:
    """A note when rows of the unlabelled `frame` (read from `path`) repeat rows of `training` by id or by text,
    else None; DataError when half of them or more do (it is the training file, or a slice of it)."""
    same_id = frame["id"].isin(set(training["id"])).to_numpy()
    same_text = frame["text"].isin(set(training["text"])).to_numpy()
    repeats = same_id | same_text
    if not repeats.any():
        return None
    row = int(np.flatnonzero(repeats)[0])
    what = "id and text" if same_id[row] and same_text[row] else "id" if same_id[row] else "text"
    first = f"row {row + 1}, id {frame['id'].iloc[row]!r}, by its {what}"
    where = f"{int(repeats.sum())} of its {len(frame)} rows repeat training rows ({first})"
    if repeats.mean() >= 0.5:
        raise DataError(
            f"{path}: {where}; is it the training file? --unlabeled takes sentences without labels, "
            "such as Kaggle's test.csv"
        )
    return f"{path}: {where}; the training sentences among them are left out of the pool"


def validate_texts(texts: Iterable[object], source: str = "texts") -> list[str]:
    """Return `texts` as a list, or raise DataError naming the first empty or non-string one."""
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"{source}: item {i} is a {type(text).__name__}, not a string")
        if not text.strip():
            raise DataError(f"{source}: item {i} is empty; every sentence needs some text")
    return texts


def read_header_and_ids(path: str | Path) -> tuple[list[str], list[str]]:
    """A CSV's header and the values of its first column, e.g. a sample submission's
    `id,EAP,HPL,MWS` and its ids; DataError for a file that is missing, empty or malformed."""
    frame = _parse_csv(Path(path), "id,<one column per label>")
    return [str(c) for c in frame.columns], frame.iloc[:, 0].tolist()


def _read_csv(path: str | Path, columns: dict[str, str]) -> pd.DataFrame:
    """The file's `columns` (canonical name -> name in the file), renamed to the canonical names."""
    path = Path(path)
    names = list(columns.values())
    wanted = ",".join(names)
    if len(set(names)) < len(names):
        raise DataError(f"{path}: the columns {', '.join(f'{k}={v!r}' for k, v in columns.items())} must all differ")
    frame = _parse_csv(path, wanted)
    missing = [c for c in names if c not in frame.columns]
    if missing:
        options = ", ".join(
            f"--{kind if kind != 'author' else 'label'}-column" for kind, name in columns.items() if name in missing
        )
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must contain {wanted} "
            f"(found {','.join(map(str, frame.columns))}; {options} name(s) another)"
        )
    if frame.empty:
        raise DataError(f"{path}: has a header but no rows")
    frame = frame.loc[:, names].set_axis(list(columns), axis=1)
    blank = frame["text"].str.strip() == ""
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise DataError(
            f"{path}: row {row + 1} (id {frame['id'].iloc[row]!r}) has empty text; remove the row or fill it in"
        )
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


def _parse_csv(path: Path, wanted: str) -> pd.DataFrame:
    """Every cell of the CSV as a string; `wanted` says in messages what the file should hold."""
    decoded = _decode(path, _file_bytes(path, wanted))
    if not decoded.strip():
        raise DataError(f"{path}: the file is empty; expected a header line {wanted} and rows")
    decoded, delimiter = _delimiter(decoded)
    _check_field_counts(path, decoded, delimiter)
    try:
        # index_col=False: never take the first column for an index when rows are longer than the header
        frame = pd.read_csv(io.StringIO(decoded), dtype=str, keep_default_na=False, sep=delimiter, index_col=False)
    except (pd.errors.ParserError, csv.Error) as error:
        raise DataError(f"{path}: not a well-formed CSV ({' '.join(str(error).split())})") from None
    return _strip_header(frame)


def _file_bytes(path: Path, wanted: str) -> bytes:
    """The bytes of the CSV at `path`, decompressed as its name says (.gz, .bz2, .xz or a .zip of one
    file, as pandas reads them); `-` is standard input."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    if not path.exists():
        raise DataError(f"{path}: no such file; give the path to a CSV with columns {wanted}")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give the path to a CSV with columns {wanted}")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read it ({error.strerror}); check the file's permissions") from None
    suffix = path.suffix.lower()
    if suffix not in DECOMPRESS:
        return raw
    try:
        return DECOMPRESS[suffix](raw)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, ValueError) as error:
        raise DataError(
            f"{path}: not a readable {suffix} file ({error}); compress the CSV again, or give it as it is"
        ) from None


def _unzip(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        if len(files) != 1:
            raise ValueError(f"it holds {len(files)} files, and a CSV must be the only one")
        return archive.read(files[0])


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
                    f"{path}: not a well-formed CSV: line {reader.line_num} (row {row}) has {len(record)} fields "
                    f"where the header has {len(header)}; put double quotes around texts that contain {shown}"
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
