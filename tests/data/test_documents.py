from pathlib import Path

import pytest

from lstm_spooky.data.documents import Document, read_documents, sentence_rows
from lstm_spooky.data.errors import DataError
from lstm_spooky.text.sentences import train_splitter
from tests.conftest import corpus_dir

TEXTS = {
    "Austen_Emma.txt": "CHAPTER I\nMr. Knightley came to Hartfield. It was late.\n",
    "Austen_Persuasion.txt": "Sir Walter Elliot never took up any book but the Baronetage.\n",
    "Dickens_Bleak.txt": "London. Michaelmas term lately over.\nImplacable November weather.\n",
}


def write_corpus(folder: Path, texts: dict[str, str] = TEXTS) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def one_line_error(folder: Path, **options) -> str:
    with pytest.raises(DataError) as error:
        read_documents(folder, **options)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_documents_are_sorted_by_file_name_and_labelled_before_the_first_underscore(tmp_path):
    documents = read_documents(write_corpus(tmp_path / "corpus"))
    assert [(d.name, d.label) for d in documents] == [
        ("Austen_Emma", "Austen"),
        ("Austen_Persuasion", "Austen"),
        ("Dickens_Bleak", "Dickens"),
    ]


def test_a_text_is_read_as_it_is_line_ends_included(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "Austen_Emma.txt").write_bytes(b"\xef\xbb\xbfIt was late.\r\nShe slept.\r\n")
    assert read_documents(corpus)[0].text == "It was late.\r\nShe slept.\r\n"


def test_a_title_may_hold_more_underscores(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {**TEXTS, "Eliot_The_Mill_on_the_Floss.txt": "Tom came home."})
    assert read_documents(corpus)[-1].label == "Eliot"


def test_other_files_and_hidden_files_are_not_texts(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "README.md").write_text("not a text")
    (corpus / "._Austen_Emma.txt").write_bytes(b"\x00\x05\x16\x07\xff")
    (corpus / "drafts").mkdir()
    (corpus / "drafts" / "Poe_Raven.txt").write_text("Once upon a midnight dreary.")
    assert len(read_documents(corpus)) == 3


def test_a_file_name_without_an_underscore_is_an_error_naming_the_file(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {**TEXTS, "Emma.txt": "It was late."})
    message = one_line_error(corpus)
    assert "Emma.txt" in message and "Label_Title.txt" in message and "--labels" in message


def test_an_empty_file_is_an_error_naming_the_file(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {**TEXTS, "Austen_Sanditon.txt": " \n\n"})
    assert "Austen_Sanditon.txt: the file is empty" in one_line_error(corpus)


def test_bytes_that_are_not_utf8_are_an_error_naming_the_file_and_the_byte(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "Dickens_Bleak.txt").write_bytes("Caf\u00e9 society.".encode("latin-1"))
    message = one_line_error(corpus)
    assert "Dickens_Bleak.txt: byte 3 (0xe9) is not UTF-8" in message


def test_a_folder_of_one_label_is_an_error_naming_the_folder(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"Austen_Emma.txt": "It was late.", "Austen_Sense.txt": "Elinor."})
    message = one_line_error(corpus)
    assert str(corpus) in message and "'Austen'" in message and "two or more" in message


def test_a_folder_without_texts_is_an_error_naming_the_folder(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"notes.md": "no texts here"})
    assert f"{corpus}: holds no .txt files" in one_line_error(corpus)


def test_a_path_that_is_not_a_folder_is_an_error(tmp_path):
    assert "not a folder" in one_line_error(tmp_path / "missing")


def test_a_label_that_is_a_submission_column_is_an_error_naming_the_file(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {**TEXTS, "id_Ledger.txt": "A list."})
    assert "id_Ledger.txt: its label 'id'" in one_line_error(corpus)


def test_a_labels_csv_labels_files_of_any_name(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nemma.txt,Austen\nbleak.txt,Dickens\n")
    assert [(d.name, d.label) for d in read_documents(corpus, labels=labels)] == [
        ("bleak", "Dickens"),
        ("emma", "Austen"),
    ]


def test_a_labels_csv_overrides_the_labels_in_file_names(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nAusten_Emma.txt,A\nAusten_Persuasion.txt,B\nDickens_Bleak.txt,B\n")
    assert [d.label for d in read_documents(corpus, labels=labels)] == ["A", "B", "B"]


def test_a_labels_csv_naming_a_missing_file_is_an_error_naming_it(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nemma.txt,Austen\nbleak.txt,Dickens\nhard.txt,Dickens\n")
    message = one_line_error(corpus, labels=labels)
    assert "labels.csv: line 4 names 'hard.txt'" in message


def test_a_file_missing_from_the_labels_csv_is_an_error_naming_it(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nemma.txt,Austen\n")
    message = one_line_error(corpus, labels=labels)
    assert "bleak.txt: has no label in" in message and "labels.csv" in message


def test_a_labels_csv_with_wrong_columns_is_an_error_naming_them(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("name,author\nemma.txt,Austen\nbleak.txt,Dickens\n")
    message = one_line_error(corpus, labels=labels)
    assert "labels.csv: its columns are name,author" in message and "file,label" in message


def test_a_labels_csv_giving_a_file_twice_is_an_error(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nemma.txt,Austen\nbleak.txt,Dickens\nemma.txt,Dickens\n")
    assert "line 4 names 'emma.txt' again" in one_line_error(corpus, labels=labels)


def test_a_labels_csv_with_an_empty_label_is_an_error(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"emma.txt": "It was late.", "bleak.txt": "London."})
    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\nemma.txt,Austen\nbleak.txt, \n")
    assert "line 3 gives 'bleak.txt' an empty label" in one_line_error(corpus, labels=labels)


@pytest.fixture
def documents(tmp_path) -> list[Document]:
    return read_documents(write_corpus(tmp_path / "corpus"))


def test_sentence_rows_are_one_per_sentence_naming_their_text_and_label(documents):
    rows = sentence_rows(documents, train_splitter(d.text for d in documents))
    assert list(rows.columns) == ["id", "text", "label", "work", "start", "end"]
    assert rows["id"].tolist()[:2] == ["Austen_Emma:000000", "Austen_Emma:000001"]
    assert rows["text"].tolist()[:2] == ["Mr. Knightley came to Hartfield.", "It was late."]
    assert rows.groupby("work")["label"].first().to_dict() == {
        "Austen_Emma": "Austen",
        "Austen_Persuasion": "Austen",
        "Dickens_Bleak": "Dickens",
    }


def test_sentence_rows_point_back_into_their_text(documents):
    rows = sentence_rows(documents, train_splitter(d.text for d in documents))
    texts = {d.name: d.text for d in documents}
    assert all(" ".join(texts[r.work][r.start : r.end].split()) == r.text for r in rows.itertuples())


def test_a_text_of_headings_only_is_an_error_naming_its_file(documents):
    headings = Document("Austen_Lost", "Austen", "VOLUME I\nCHAPTER I\n", Path("corpus/Austen_Lost.txt"))
    with pytest.raises(DataError, match="Austen_Lost.txt: has no sentences"):
        sentence_rows([*documents, headings], train_splitter(d.text for d in documents))


@pytest.mark.skipif(corpus_dir() is None, reason="no british-fiction corpus ($LSTM_SPOOKY_CORPUS, or ../shared/data)")
def test_the_real_corpus_is_26_novels_by_11_authors():
    documents = read_documents(corpus_dir())
    assert len(documents) == 26 and len({d.label for d in documents}) == 11
