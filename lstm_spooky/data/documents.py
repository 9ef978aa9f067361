"""A corpus folder of whole texts read and checked, and its texts made rows of labelled sentences.

Stylometrists keep a corpus as a folder of plain-text files named `Label_Title.txt` (the convention
of stylo and faststylometry): `Austen_Emma.txt` is a text by the label `Austen`, the label being what
comes before the first `_`. Files named otherwise take their labels from a CSV with columns
`file,label` (`labels=`). Only the folder's own `.txt` files are read, sorted by name; hidden files
(`.name.txt`, as some systems leave beside each file) are not texts.

A text's sentences keep their span in it: `sentence_rows` gives one row per sentence with its
document's name (`work`: the sentences of one text are a group, never to be split between training
and held-out rows) and its `start` and `end` in `Document.text`, the file's characters as they are,
line ends included.

Every problem is a `DataError` with a one-line message that names the file and says what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..text.sentences import Splitter
from .errors import DataError
from .labels import RESERVED_LABELS, check_two_or_more

LABELS_COLUMNS = ("file", "label")  # the columns of a labels CSV
NAMING = (
    "name each file Label_Title.txt (the label before the first _) or give --labels FILE.csv with columns file,label"
)


@dataclass(frozen=True)
class Document:
    """One whole text: its name (the file's, without `.txt`), its label, its text and where it was read."""

    name: str
    label: str
    text: str
    path: Path


def read_documents(folder: str | Path, labels: str | Path | None = None) -> list[Document]:
    """The folder's `.txt` files as documents, sorted by file name, labelled by their names
    (`Label_Title.txt`) or by the `labels` CSV (columns file,label).

    Raises DataError for a folder without texts, a file without a label, an empty or
    non-UTF-8 file, a labels CSV that does not name exactly the folder's texts, and a folder
    whose texts all have one label.
    """
    folder = Path(folder)
    paths = text_files(folder)
    named = read_labels(labels, paths) if labels is not None else {path.name: label_of(path) for path in paths}
    for path in paths:
        if named[path.name] in RESERVED_LABELS:
            raise DataError(
                f"{path}: its label {named[path.name]!r} is a column name of the submission "
                f"({' or '.join(map(repr, RESERVED_LABELS))}); choose another label"
            )
    documents = [Document(path.stem, named[path.name], read_text(path), path) for path in paths]
    check_two_or_more(
        sorted({document.label for document in documents}), f"{folder}: every text's label is", f"; {NAMING}"
    )
    return documents


def text_files(folder: Path) -> list[Path]:
    """The `.txt` files directly in `folder`, sorted by name, hidden ones left out."""
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder; give a folder of texts named Label_Title.txt")
    paths = sorted(path for path in folder.glob("*.txt") if path.is_file() and not path.name.startswith("."))
    if not paths:
        raise DataError(f"{folder}: holds no .txt files; a corpus is a folder of plain-text files, one per text")
    return paths


def label_of(path: Path) -> str:
    """The label in a file's name: what comes before the first `_`.

    >>> label_of(Path("corpus/Austen_Pride_and_Prejudice.txt"))
    'Austen'
    """
    label, underscore, _ = path.stem.partition("_")
    if not underscore or not label.strip():
        raise DataError(f"{path}: its name has no label before a _; {NAMING}")
    return label


def read_text(path: Path) -> str:
    """A text's file, decoded (`decode`); DataError when it is empty."""
    text = decode(path)
    if not text.strip():
        raise DataError(f"{path}: the file is empty; remove it from the folder or put its text in it")
    return text


def decode(path: Path) -> str:
    """The file's characters, decoded as UTF-8 (a byte-order mark dropped), its line ends as they are."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read it ({error.strerror}); check the file's permissions") from None
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = len(raw) - len(body) + error.start  # counted in the file, byte-order mark included
        raise DataError(f"{path}: byte {offset} (0x{raw[offset]:02x}) is not UTF-8; save the file as UTF-8") from None


def read_labels(path: str | Path, texts: Sequence[Path]) -> dict[str, str]:
    """File name -> label, from the labels CSV at `path`, which names each of `texts` (by its file
    name, `Emma.txt`) once and nothing else."""
    path = Path(path)
    rows = read_labels_rows(path)
    names = {text.name for text in texts}
    labels: dict[str, str] = {}
    for line, (name, label) in rows:
        if name not in names:
            raise DataError(f"{path}: line {line} names {name!r}, which is not a .txt file of the folder; fix the name")
        if name in labels:
            raise DataError(f"{path}: line {line} names {name!r} again; give each file one label")
        if not label:
            raise DataError(f"{path}: line {line} gives {name!r} an empty label; every text needs a label")
        labels[name] = label
    for text in texts:
        if text.name not in labels:
            raise DataError(f"{text}: has no label in {path}; add a line {text.name},LABEL or move the file away")
    return labels


def read_labels_rows(path: Path) -> list[tuple[int, tuple[str, str]]]:
    """(line number, (file, label)) of each row of a labels CSV, its values stripped of spaces."""
    try:
        reader = csv.DictReader(io.StringIO(decode(path), newline=""))
        header = [str(name).strip() for name in reader.fieldnames or []]
        if not set(LABELS_COLUMNS) <= set(header):
            raise DataError(
                f"{path}: its columns are {','.join(header)}; a labels CSV has the columns "
                f"{','.join(LABELS_COLUMNS)} (a file's name in the folder, and its label)"
            )
        reader.fieldnames = header
        return [
            (reader.line_num, (str(row["file"] or "").strip(), str(row["label"] or "").strip()))
            for row in reader
            if any(value for value in row.values())
        ]
    except csv.Error as error:
        raise DataError(f"{path}: not a well-formed CSV ({error})") from None


def sentence_rows(documents: Sequence[Document], splitter: Splitter) -> pd.DataFrame:
    """One row per sentence of each document, in order: `id` (the document's name and the
    sentence's number, `Austen_Emma:000123`), `text`, `label`, `work` (the document's name) and
    `start`, `end` (the sentence's span in `Document.text`).

    Raises DataError for a document in which `splitter` finds no sentence (headings only).
    """
    rows = []
    for document in documents:
        sentences = splitter.split(document.text)
        if not sentences:
            raise DataError(f"{document.path}: has no sentences, only headings; remove it or give it its text")
        rows += [
            (
                f"{document.name}:{number:06d}",
                sentence.text,
                document.label,
                document.name,
                sentence.start,
                sentence.end,
            )
            for number, sentence in enumerate(sentences)
        ]
    return pd.DataFrame(rows, columns=["id", "text", "label", "work", "start", "end"])


def read_texts_to_attribute(paths: Sequence[str | Path], stdin: Callable[[], str]) -> list[tuple[str, str]]:
    """(name, text) of each text to attribute, in order: a file is one text, a folder its `.txt` files (sorted, as
    a corpus is read), `-` standard input (read by `stdin`, once). A text is named by its file's name, or by its
    path as given where two inputs share a file name; standard input is named `-`.

    Raises DataError for a path that does not exist, a folder without `.txt` files, and an empty or non-UTF-8 file.
    """
    files: list[Path | None] = []  # None: standard input
    for path in map(Path, paths):
        if str(path) == "-":
            files.append(None)
        elif path.is_dir():
            files += text_files(path)
        elif path.is_file():
            files.append(path)
        else:
            raise DataError(f"{path}: no such file or folder; give text files, folders of .txt files, or - for stdin")
    if files.count(None) > 1:
        raise DataError("- (standard input) is given twice; it can be read once")
    names = [path.name for path in files if path is not None]
    texts = []
    for path in files:
        if path is None:
            texts.append(("-", _standard_input(stdin)))
        else:
            texts.append((path.name if names.count(path.name) == 1 else str(path), read_text(path)))
    return texts


def _standard_input(stdin: Callable[[], str]) -> str:
    text = stdin()
    if not text.strip():
        raise DataError("-: standard input is empty; pipe a text in, or give files")
    return text
