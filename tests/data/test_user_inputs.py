"""The files and sentences real users produce: each is read correctly, or refused in one
line that names the file, the row and what to do."""

import numpy as np
import pytest

from lstm_spooky.data.corpus import read_test, read_train
from lstm_spooky.data.errors import DataError

EXPECTED = [
    {"id": "id1", "text": "Once, upon a midnight; dreary.", "author": "EAP"},
    {"id": "id2", "text": "Ia! Cthulhu", "author": "HPL"},
]


def write(tmp_path, content: bytes, name: str = "train.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "content",
    [
        b'id,text,author\nid1,"Once, upon a midnight; dreary.",EAP\nid2,Ia! Cthulhu,HPL\n',
        b'\xef\xbb\xbf"id","text","author"\r\n"id1","Once, upon a midnight; dreary.","EAP"\r\n'
        b'"id2","Ia! Cthulhu","HPL"\r\n',
        b',id,text,author\n0,id1,"Once, upon a midnight; dreary.",EAP\n1,id2,Ia! Cthulhu,HPL\n',
        b'id;text;author\r\nid1;"Once, upon a midnight; dreary.";EAP\r\nid2;Ia! Cthulhu;HPL\r\n',
        b'sep=;\nid;text;author\nid1;"Once, upon a midnight; dreary.";EAP\nid2;Ia! Cthulhu;HPL\n',
        b"id\ttext\tauthor\nid1\tOnce, upon a midnight; dreary.\tEAP\nid2\tIa! Cthulhu\tHPL\n",
        "id\ttext\tauthor\nid1\tOnce, upon a midnight; dreary.\tEAP\nid2\tIa! Cthulhu\tHPL\n".encode("utf-16"),
        b'id, text, author\nid1,"Once, upon a midnight; dreary.",EAP\nid2,Ia! Cthulhu,HPL\n',
        b'id,text,author,\nid1,"Once, upon a midnight; dreary.",EAP,\n\nid2,Ia! Cthulhu,HPL,\n\n\n',
    ],
    ids=[
        "plain",
        "excel utf-8 with BOM and CRLF",
        "index column in front",
        "semicolons",
        "excel sep= line",
        "tabs",
        "excel unicode text (utf-16)",
        "spaces in header",
        "trailing commas and blank lines",
    ],
)
def test_spreadsheet_exports_read_like_kaggles_file(tmp_path, content):
    assert read_train(write(tmp_path, content)).to_dict("records") == EXPECTED


def test_texts_and_ids_that_look_like_missing_values_or_numbers_stay_text(tmp_path):
    frame = read_test(write(tmp_path, b"id,text\n007,NA\nnull,None\n1e3,nan\n", "test.csv"))
    assert frame.to_dict("records") == [
        {"id": "007", "text": "NA"},
        {"id": "null", "text": "None"},
        {"id": "1e3", "text": "nan"},
    ]


def test_a_very_long_text_is_read_whole(tmp_path):
    text = "Nevermore, " * 30_000  # 330,000 characters, beyond the csv module's default field limit
    frame = read_test(write(tmp_path, f'id,text\na,"{text}"\n'.encode(), "test.csv"))
    assert frame["text"].tolist() == [text]


def test_a_quoted_text_may_span_lines(tmp_path):
    frame = read_test(write(tmp_path, b'id,text\na,"First line,\r\nsecond line"\nb,x\n', "test.csv"))
    assert frame["text"].tolist() == ["First line,\r\nsecond line", "x"]


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b"id,text,author\nid1,Once, upon a time,EAP\n",
            r"train\.csv: not a well-formed CSV: line 2 \(row 1\) has 4 fields where the header has 3; "
            r"put double quotes around texts that contain ','",
        ),
        (b'id,text,author\nid1,"fine",EAP\nid2,"multi\nline",HPL\nid3,a;b,c,MWS\n', r"line 5 \(row 3\) has 4 fields"),
        (
            b"id;text;author\nid1;a;b;EAP\n",
            r"has 4 fields where the header has 3; put double quotes around texts that contain ';'",
        ),
        (b"id,text,author\nid1,caf\xe9,EAP\n", r"train\.csv: line 2 is not valid UTF-8; re-save the file as UTF-8"),
        (b"\xff\xfei\x00d\x00\n\x00\x00\xd8", r"line 2 is not valid UTF-16; re-save the file as UTF-8"),
        (b"\n\n  \n", r"train\.csv: the file is empty"),
        (
            b"Once upon a midnight dreary,EAP\n",
            r"missing column\(s\) id, text, author; the header must contain id,text,author \(found Once upon",
        ),
        (b'id,text,author\nid1,"never closed,EAP\n', r"not a well-formed CSV"),
    ],
    ids=[
        "unquoted comma",
        "unquoted comma after a multi-line text",
        "unquoted semicolon",
        "latin-1 bytes",
        "broken utf-16",
        "blank lines only",
        "no header",
        "unclosed quote",
    ],
)
def test_broken_files_are_refused_in_one_line_naming_the_place(tmp_path, content, message):
    with pytest.raises(DataError, match=message) as error:
        read_train(write(tmp_path, content))
    assert "\n" not in str(error.value)


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0, reason="root reads any file"
)
def test_an_unreadable_file_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, b"id,text\na,b\n", "test.csv")
    path.chmod(0)
    with pytest.raises(DataError, match=r"test\.csv: cannot read it \(Permission denied\)"):
        read_test(path)


ODD_SENTENCES = [
    "NA",
    "?",
    "…",
    "Это было тёмной и бурной ночью.",
    "那是一个漆黑的暴风雨之夜。",
    "كانت ليلة مظلمة وعاصفة",
    "The raven 🐦‍⬛ spoke 👻👻",
    "e\u0301te\u0301 cafe\u0301",
    "tab\there and\x00a NUL",
    "word " * 20_000,
    "x" * 100_000,
]


def test_any_sentence_gets_probabilities(fitted):
    proba = fitted.predict_proba(ODD_SENTENCES)
    assert proba.shape == (len(ODD_SENTENCES), 3)
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1)


def test_any_sentence_gets_probabilities_from_the_n_gram_stack(corpus):
    from lstm_spooky import SpookyClassifier, SpookyConfig
    from tests.conftest import TINY

    n_gram_models = tuple(name for name in SpookyConfig().models if name != "bilstm")
    stack = SpookyClassifier(TINY.replace(models=n_gram_models)).fit(corpus["text"], corpus["author"])
    proba = stack.predict_proba(ODD_SENTENCES)
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1)
