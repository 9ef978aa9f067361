import numpy as np
import pytest

from lstm_spooky.ngrams import build_vectorizer, shared_analysis, transform
from tests.conftest import make_corpus

TRAIN = make_corpus()["text"].tolist()
TEXTS = make_corpus(40, seed=1)["text"].tolist() + ["Unseen words; zebra!"]
# Kinds and weightings as the default model mixes them, several vectorizers of one kind each.
VECTORIZERS = [
    ("word", (1, 3), "tfidf", True), ("word", (1, 1), "counts", True), ("word", (1, 2), "binary", True),
    ("char", (1, 5), "tfidf", True), ("char", (1, 5), "counts", False), ("char", (2, 5), "tfidf", False),
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
