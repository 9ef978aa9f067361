import pytest

from lstm_spooky.text.tokenize import tokenize


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("It was a dark night.", ["it", "was", "a", "dark", "night", "."]),
        ("I paused; then -- silence!", ["i", "paused", ";", "then", "--", "silence", "!"]),
        ("It's late", ["it", "'s", "late"]),
        ('"Hark," said he...', ['"', "hark", ",", '"', "said", "he", "..."]),
        ("the year 1,500 or 3.5", ["the", "year", "1,500", "or", "3.5"]),
        ("", []),
    ],
)
def test_splits_words_numbers_and_punctuation(text, tokens):
    assert tokenize(text) == tokens


def test_semicolons_and_dashes_are_their_own_tokens():
    assert tokenize("dread;and—fear") == ["dread", ";", "and", "—", "fear"]


def test_accented_and_non_ascii_letters_survive():
    assert tokenize("Mademoiselle Lalande à Paris, Æneas Øster") == [
        "mademoiselle",
        "lalande",
        "à",
        "paris",
        ",",
        "æneas",
        "øster",
    ]


def test_case_is_kept_when_lowercase_is_off():
    assert tokenize("The Raven", lowercase=False) == ["The", "Raven"]
