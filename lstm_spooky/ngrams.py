"""Word and character n-gram vectorizers shared by the scikit-learn backends, and their JSON/npz state.

Words come from the project tokenizer (punctuation kept as tokens); characters are
scikit-learn's char n-grams. Three weightings:

    tfidf    sublinear term frequency times inverse document frequency, L2-normalised rows
    binary   presence (1/0), L2-normalised rows
    counts   raw counts, as multinomial naive Bayes wants them

A fitted vectorizer is saved as its n-gram list (in feature order) and, for tfidf, its
idf weights, so a saved model needs no pickle.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .tokenize import tokenize

WEIGHTINGS = {
    "tfidf": {"sublinear_tf": True},
    "binary": {"binary": True, "use_idf": False},
    "counts": {"use_idf": False, "norm": None},
}
ANALYZERS = ("word", "char", "char_wb")


def build_vectorizer(
    analyzer: str,
    ngrams: tuple[int, int],
    weighting: str,
    lowercase: bool = True,
    min_df: int = 1,
    vocabulary: list[str] | None = None,
) -> TfidfVectorizer:
    """An unfitted vectorizer; with `vocabulary`, one restricted to those n-grams, in that order."""
    if analyzer not in ANALYZERS:
        raise ValueError(f"analyzer must be one of {', '.join(ANALYZERS)}, got {analyzer!r}")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}")
    common = {"ngram_range": tuple(ngrams), "min_df": min_df, "vocabulary": vocabulary, "dtype": np.float64, **WEIGHTINGS[weighting]}
    if analyzer == "word":
        return TfidfVectorizer(tokenizer=partial(tokenize, lowercase=lowercase), lowercase=False, token_pattern=None, **common)
    return TfidfVectorizer(analyzer=analyzer, lowercase=lowercase, **common)


def vectorizer_state(vectorizer: TfidfVectorizer) -> tuple[list[str], np.ndarray | None]:
    """(n-grams in feature order, idf weights or None) of a fitted vectorizer."""
    vocabulary = vectorizer.vocabulary_
    return sorted(vocabulary, key=vocabulary.get), (vectorizer.idf_ if vectorizer.use_idf else None)


def restore_vectorizer(vectorizer: TfidfVectorizer, idf: np.ndarray | None) -> TfidfVectorizer:
    """Make a vectorizer built with a fixed `vocabulary` ready to transform, with the saved `idf`."""
    vectorizer.fit([""])  # fixes the vocabulary; its idf is replaced below
    if idf is not None:
        vectorizer.idf_ = idf
    return vectorizer
