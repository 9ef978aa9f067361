import pytest

from lstm_spooky.data import AUTHORS, DataError, encode_labels, read_test, read_train, validate_texts

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


def test_authors_are_in_kaggle_order():
    assert AUTHORS == ("EAP", "HPL", "MWS")
    assert encode_labels(["MWS", "EAP", "HPL"]).tolist() == [2, 0, 1]


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
        (HEADER + '"a","words","POE"\n', r"row 1 \(id 'a'\) has author 'POE'.*EAP, HPL, MWS"),
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


def test_unknown_labels_are_rejected_by_the_api():
    with pytest.raises(DataError, match="unknown author labels"):
        encode_labels(["EAP", "Poe"])
