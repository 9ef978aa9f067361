import json

import pytest

from lstm_spooky.text.sentences import Sentence, Splitter, normalise_whitespace, paragraphs, train_splitter
from tests.conftest import corpus_dir

# A hard-wrapped novel in miniature, as Project Gutenberg keeps them: a title block, headings,
# lines wrapped near 60 characters, paragraphs without blank lines between them.
NOVEL = """\
THE WATSONS
VOLUME I
CHAPTER I
Mr. Knightley came to Hartfield on a wet morning in the spring,
and Mrs. Weston followed him within the hour. It was late. The
two friends had not met for a long month, and there was much to say.
"You are come at last," said Emma. "We had almost given you up."
Dr. Perry was of the party, and Col. Campbell, and St. John.
CHAPTER II
The next morning was fine. She walked out early with Harriet,
and they talked of nothing but the ball at the Crown. Harriet
was sure she had never seen anything so elegant in her life.
"""
TEXTS = [NOVEL] * 3


@pytest.fixture(scope="module")
def splitter() -> Splitter:
    return train_splitter(TEXTS)


def texts_of(sentences: list[Sentence]) -> list[str]:
    return [sentence.text for sentence in sentences]


def test_a_title_before_a_name_does_not_end_a_sentence(splitter):
    assert texts_of(splitter.split("Mr. Knightley came. Mrs. Long went.")) == ["Mr. Knightley came.", "Mrs. Long went."]


def test_known_abbreviations_hold_though_the_training_text_never_had_them(splitter):
    assert texts_of(splitter.split("He met Capt. Wentworth there. Then he left.")) == [
        "He met Capt. Wentworth there.",
        "Then he left.",
    ]


def test_hard_wrapped_lines_are_joined_into_one_sentence(splitter):
    text = "She walked out early with Harriet, and they\ntalked of nothing but the ball at the Crown\nthat night."
    assert texts_of(splitter.split(text)) == [
        "She walked out early with Harriet, and they talked of nothing but the ball at the Crown that night."
    ]


def test_a_blank_line_always_ends_a_sentence(splitter):
    assert texts_of(splitter.split("The rain fell on the garden and\n\nthe house was silent")) == [
        "The rain fell on the garden and",
        "the house was silent",
    ]


def test_a_short_line_ends_its_paragraph_in_hard_wrapped_text(splitter):
    text = "They talked of nothing but the ball at the Crown, and Harriet was\nsure of it\nThe next morning was fine."
    assert texts_of(splitter.split(text)) == [
        "They talked of nothing but the ball at the Crown, and Harriet was sure of it",
        "The next morning was fine.",
    ]


def test_each_line_is_a_paragraph_in_a_text_of_one_paragraph_per_line(splitter):
    long_line = "It is a truth universally acknowledged that a single man must be in want of a wife, and so on"
    assert len(splitter.split(f"{long_line}\n{long_line}")) == 2


def test_headings_standing_alone_are_dropped(splitter):
    sentences = texts_of(splitter.split(NOVEL))
    assert not any("CHAPTER" in text or "VOLUME" in text or "WATSONS" in text for text in sentences)
    assert sentences[0].startswith("Mr. Knightley came")


def test_capitals_within_a_sentence_are_not_a_heading():
    text = "It was signed by the Honourable\nGEORGE LYTTLETON, ESQ;\nand sealed with his own hand, in the usual way."
    assert paragraphs(text) == [(0, len(text))]


def test_dialogue_splits_after_the_closing_quote(splitter):
    assert texts_of(splitter.split('"You are come at last," said Emma. "We had given you up."')) == [
        '"You are come at last," said Emma.',
        '"We had given you up."',
    ]


def test_an_exclamation_before_a_lowercase_word_does_not_end_a_sentence(splitter):
    assert texts_of(splitter.split('"How!" replied Jones. "Ha! this must be the shop."')) == [
        '"How!" replied Jones.',
        '"Ha! this must be the shop."',
    ]


def test_a_sentence_end_run_into_a_dash_ends_a_sentence(splitter):
    assert texts_of(splitter.split("There is no disputing about taste.--At least you admire her.")) == [
        "There is no disputing about taste.--",
        "At least you admire her.",
    ]


def test_spans_point_back_to_the_sentence_as_written(splitter):
    for sentence in splitter.split(NOVEL):
        written = NOVEL[sentence.start : sentence.end]
        assert normalise_whitespace(written) == sentence.text
        assert written == written.strip()


def test_sentences_come_in_the_order_of_the_text(splitter):
    starts = [sentence.start for sentence in splitter.split(NOVEL)]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_spans_count_the_carriage_returns_of_windows_line_ends(splitter):
    text = NOVEL.replace("\n", "\r\n")
    sentences = splitter.split(text)
    assert texts_of(sentences) == texts_of(splitter.split(NOVEL))
    assert all(normalise_whitespace(text[s.start : s.end]) == s.text for s in sentences)


def test_a_text_without_a_sentence_boundary_is_one_sentence(splitter):
    assert splitter.split("  and so the evening passed away  ") == [Sentence("and so the evening passed away", 2, 32)]


def test_an_empty_text_has_no_sentences(splitter):
    assert splitter.split("") == [] and splitter.split(" \n\n \n") == []


def test_a_text_of_headings_only_has_no_sentences(splitter):
    assert splitter.split("VOLUME II\nCHAPTER XII\n") == []


def test_the_saved_splitter_splits_as_the_trained_one(splitter, tmp_path):
    splitter.save(tmp_path / "sentences.json")
    loaded = Splitter.load(tmp_path / "sentences.json")
    assert loaded.split(NOVEL) == splitter.split(NOVEL)
    assert loaded.to_dict() == splitter.to_dict()


def test_the_saved_splitter_is_json_that_training_writes_the_same_twice(tmp_path):
    train_splitter(TEXTS).save(tmp_path / "one.json")
    train_splitter(TEXTS).save(tmp_path / "two.json")
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    assert "mr" in json.loads((tmp_path / "one.json").read_text())["abbrev_types"]


def test_load_rejects_another_format_version(tmp_path):
    path = tmp_path / "sentences.json"
    path.write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ValueError, match="format 99"):
        Splitter.load(path)


CORPUS = corpus_dir()


@pytest.mark.skipif(CORPUS is None, reason="no british-fiction corpus ($LSTM_SPOOKY_CORPUS, or ../shared/data)")
def test_a_real_novel_splits_into_sentences_of_a_plausible_length():
    # The corpus's README counts about 5.4 million words in about 229,000 sentences: 24 words each.
    text = (CORPUS / "Austen_Emma.txt").read_bytes().decode("utf-8")
    sentences = train_splitter([text]).split(text)
    words = sum(len(sentence.text.split()) for sentence in sentences)
    assert 15 < words / len(sentences) < 35
    assert all(normalise_whitespace(text[s.start : s.end]) == s.text for s in sentences[:500])
