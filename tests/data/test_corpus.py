import pytest

from lstm_spooky.data.corpus import read_test, read_train, validate_texts
from lstm_spooky.data.errors import DataError

HEADER = '"id","text","author"\n'


def write(tmp_path, content: str | bytes, name: str = "train.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_reads_kaggle_quoted_csv(tmp_path):
    path = write(tmp_path, HEADER + '"id1","Once upon a midnight, dreary.","EAP"\n"id2","Ça va; Æneas.","MWS"\n')
    frame = read_train(path)
    assert list(frame.columns) == ["id", "text", "author"]
    assert frame["text"].tolist() == ["Once upon a midnight, dreary.", "Ça va; Æneas."]


def test_other_column_names_are_read_as_id_text_author(tmp_path):
    path = write(tmp_path, "key,sentence,writer,notes\nk1,Hello there.,Austen,x\nk2,Call me.,Melville,y\n")
    frame = read_train(path, text_column="sentence", label_column="writer", id_column="key")
    assert frame.to_dict("records") == [
        {"id": "k1", "text": "Hello there.", "author": "Austen"},
        {"id": "k2", "text": "Call me.", "author": "Melville"},
    ]
    assert read_test(path, text_column="sentence", id_column="key").columns.tolist() == ["id", "text"]


def test_a_missing_named_column_says_which_option_names_it(tmp_path):
    path = write(tmp_path, "key,sentence\nk1,Hello there.\n")
    with pytest.raises(DataError, match=r"missing column\(s\) writer.*--label-column"):
        read_train(path, text_column="sentence", label_column="writer", id_column="key")


@pytest.mark.parametrize(
    "content, message",
    [
        ("", r"train\.csv: the file is empty"),
        (HEADER, "has a header but no rows"),
        ('"id","author"\n"a","EAP"\n', "missing column.*text"),
        ('"id","text"\n"a","words"\n', "missing column.*author"),
        ('"ident","text","author"\n"a","words","EAP"\n', "missing column.*id"),
        (HEADER + '"a","  ","EAP"\n', r"row 1 \(id 'a'\) has empty text"),
        (HEADER + '"a","words","EAP"\n"b",,"HPL"\n', r"row 2 \(id 'b'\) has empty text"),
        (
            HEADER + '"a","words","POE"\n"b","more","POE"\n',
            r"every row of column 'author' is 'POE'; a classifier needs two or more distinct labels",
        ),
        (HEADER + '"a","words","EAP"\n"b","more"," "\n', r"row 2 \(id 'b'\) has an empty 'author'"),
        (
            HEADER + '"a","words","EAP"\n"b","more","id"\n',
            r"row 2 \(id 'b'\) has the label 'id'; labels may not be 'id' or 'author'",
        ),
        (HEADER + '"a","words","EAP"\n"b","more","HPL"\n"a","again","MWS"\n', r"id 'a' appears in rows 1 and 3"),
        (HEADER + '"a","words","EAP","extra"\n"b","x","EAP","y","z"\n', "not a well-formed CSV"),
    ],
)
def test_bad_train_file_names_file_row_and_fix(tmp_path, content, message):
    with pytest.raises(DataError, match=message):
        read_train(write(tmp_path, content))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: no such file"):
        read_train(tmp_path / "nope.csv")


def test_undecodable_bytes_name_the_line(tmp_path):
    path = write(tmp_path, HEADER.encode() + b'"a","fine","EAP"\n"b","caf\xe9","EAP"\n')
    with pytest.raises(DataError, match="line 3 is not valid UTF-8"):
        read_train(path)


def test_test_file_needs_no_author(tmp_path):
    frame = read_test(write(tmp_path, '"id","text"\n"t1","A sentence."\n', "test.csv"))
    assert frame.to_dict("records") == [{"id": "t1", "text": "A sentence."}]


@pytest.mark.parametrize("texts, message", [(["ok", 3], "item 1 is a int"), (["ok", " "], "item 1 is empty")])
def test_api_texts_must_be_non_empty_strings(texts, message):
    with pytest.raises(DataError, match=message):
        validate_texts(texts)
