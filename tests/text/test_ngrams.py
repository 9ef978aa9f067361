import numpy as np
import pytest
import scipy.sparse as sp

from lstm_spooky.text.ngrams import build_vectorizer, linear_scores, shared_analysis, transform
from tests.conftest import make_corpus

TRAIN = make_corpus()["text"].tolist()
TEXTS = make_corpus(40, seed=1)["text"].tolist() + ["Unseen words; zebra!"]
# Kinds and weightings as the default model mixes them, several vectorizers of one kind each.
VECTORIZERS = [
    ("word", (1, 3), "tfidf", True),
    ("word", (1, 1), "counts", True),
    ("word", (1, 2), "binary", True),
    ("char", (1, 5), "tfidf", True),
    ("char", (1, 5), "counts", False),
    ("char", (2, 5), "tfidf", False),
    ("char_wb", (2, 4), "tfidf", True),
]


@pytest.fixture(scope="module")
def fitted():
    return [build_vectorizer(a, n, w, lowercase=lower).fit(TRAIN) for a, n, w, lower in VECTORIZERS]


def test_shared_analysis_gives_each_vectorizer_exactly_its_own_transform(fitted):
    with shared_analysis():
        shared = [transform(v, TEXTS) for v in fitted]
    for vectorizer, matrix in zip(fitted, shared):
        expected = vectorizer.transform(TEXTS)
        assert matrix.shape == expected.shape
        np.testing.assert_array_equal(matrix.toarray(), expected.toarray())


def test_other_texts_in_the_same_block_are_analysed_anew(fitted):
    with shared_analysis():
        transform(fitted[0], TEXTS)
        again = transform(fitted[1], TEXTS[:5])
    np.testing.assert_array_equal(again.toarray(), fitted[1].transform(TEXTS[:5]).toarray())


def test_outside_the_block_transform_is_the_vectorizers_own(fitted):
    np.testing.assert_array_equal(transform(fitted[3], TEXTS).toarray(), fitted[3].transform(TEXTS).toarray())


ODD_TEXTS = [
    "",
    "a",
    "Ab",
    "two  spaces,\ttab\n\nnewlines",
    "  leading and trailing  ",
    "Café — naïve 𝔉raktur 😱!",
    "ÀÉÎ Õü",
    "bad byte \udcff",
]


@pytest.mark.parametrize("lowercase", [True, False])
def test_character_counts_match_scikit_learns_analyzer_on_odd_texts(lowercase):
    vectorizer = build_vectorizer("char", (1, 5), "counts", lowercase=lowercase).fit(ODD_TEXTS + TRAIN)
    with shared_analysis():
        shared = transform(vectorizer, ODD_TEXTS)
    np.testing.assert_array_equal(shared.toarray(), vectorizer.transform(ODD_TEXTS).toarray())


def test_an_alphabet_too_large_for_integer_codes_is_still_counted_exactly():
    # 7,000 distinct characters: 7,001 ** 5 overflows int64, so the n-grams are counted one by one.
    huge = ["".join(map(chr, range(0x4E00 + k, 0x4E00 + 7000, 7))) for k in range(7)]
    vectorizer = build_vectorizer("char", (1, 5), "counts", lowercase=False).fit(huge)
    with shared_analysis():
        shared = transform(vectorizer, huge)
    np.testing.assert_array_equal(shared.toarray(), vectorizer.transform(huge).toarray())


@pytest.mark.parametrize("texts", [["Yes"], ["Hi!"], ["ab", "c"], ["a"], [""], ["abcde"]])
def test_character_counts_of_texts_shorter_than_the_longest_ngram(texts):
    vectorizer = build_vectorizer("char", (1, 5), "counts", lowercase=False).fit(TRAIN)
    with shared_analysis():
        shared = transform(vectorizer, texts)
    np.testing.assert_array_equal(shared.toarray(), vectorizer.transform(texts).toarray())


@pytest.mark.parametrize("rows", [1, 50])  # a few values: only the columns used; many: scipy's own product
def test_linear_scores_are_the_sparse_product_with_the_transposed_weights(rows):
    x = sp.random(rows, 400, density=0.05, format="csr", random_state=0)
    weights = np.random.default_rng(0).normal(size=(3, 400)).astype(np.float32)
    assert np.array_equal(linear_scores(x, weights), np.asarray(x @ weights.T))
