"""Read and validate labelled and unlabelled CSV files of sentences.

Kaggle's Spooky Author Identification files (`id,text,author`) need no options; any
other CSV names its columns (`text_column`, `label_column`, `id_column`), and the
frames returned always have the canonical columns `id`, `text` (and `author`, the
label), so nothing downstream knows what the file called them. Labels are any
strings: the label set is learned from the training file, two or more of them.

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
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

STDIN = Path("-")  # the file name that means standard input, as in most command-line tools
# Compressed CSVs, by file name suffix: what pandas would infer from the name.
DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress, ".zip": lambda raw: _unzip(raw)}
AUTHORS = ("EAP", "HPL", "MWS")  # Kaggle's labels, in the order its submission wants them
# Column names of the files the model directory writes (id, one column per label, the true
# label), so no label may take them.
RESERVED_LABELS = ("id", "author")


class DataError(ValueError):
    """Input data that cannot be used; the message says where and how to fix it."""


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
    labels = sorted(frame["author"].unique())
    if len(labels) < 2:
        raise DataError(
            f"{path}: every row of column {label_column!r} is {labels[0]!r}; a classifier needs two or more "
            f"distinct labels (is --label-column the right column?)"
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
    if len(classes) < 2:
        found = f"every label is {names[0]!r}" if names else "no labels given"
        raise DataError(f"{found}; a classifier needs two or more distinct labels")
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
    if n_classes < 2:
        raise ValueError(f"a classifier needs two or more classes, got {n_classes}")
    return texts, y


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
