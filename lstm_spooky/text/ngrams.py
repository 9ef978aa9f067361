"""Word and character n-gram vectorizers shared by the scikit-learn backends, and their JSON/npz state.

Words come from the project tokenizer (punctuation kept as tokens); characters are
scikit-learn's char n-grams. Three weightings:

    tfidf    sublinear term frequency times inverse document frequency, L2-normalised rows
    binary   presence (1/0), L2-normalised rows
    counts   raw counts, as multinomial naive Bayes wants them

A fitted vectorizer is saved as its n-gram list (in feature order, gzip-compressed JSON:
`save_vocabulary`) and, for tfidf, its idf weights, so a saved model needs no pickle.

Several models read the same kind of n-grams (the default model: four word vectorizers,
two case-keeping character ones), and analysing a text into its n-grams and looking each
one up was most of `submit`'s time. Inside `shared_analysis()`, `transform` analyses a list
of texts once per kind, up to the longest n-grams asked for, counts them once, and gives
each vectorizer its columns of those counts, weighted as its own `transform` would.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .tokenize import tokenize

WEIGHTINGS = {
    "tfidf": {"sublinear_tf": True},
    "binary": {"binary": True, "use_idf": False},
    "counts": {"use_idf": False, "norm": None},
}
ANALYZERS = ("word", "char", "char_wb")
WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn's char analyzer turns into one space


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
    common = {
        "ngram_range": tuple(ngrams),
        "min_df": min_df,
        "vocabulary": vocabulary,
        "dtype": np.float64,
        **WEIGHTINGS[weighting],
    }
    if analyzer == "word":
        return TfidfVectorizer(
            tokenizer=partial(tokenize, lowercase=lowercase), lowercase=False, token_pattern=None, **common
        )
    return TfidfVectorizer(analyzer=analyzer, lowercase=lowercase, **common)


def vectorizer_state(vectorizer: TfidfVectorizer) -> tuple[list[str], np.ndarray | None]:
    """(n-grams in feature order, idf weights or None) of a fitted vectorizer."""
    vocabulary = vectorizer.vocabulary_
    return sorted(vocabulary, key=vocabulary.get), (vectorizer.idf_ if vectorizer.use_idf else None)


def save_vocabulary(path: Path, vocabulary: list[str] | dict[str, list[str]]) -> None:
    """Write n-gram lists as gzip-compressed JSON (`zcat` shows it): a quarter of plain JSON's size,
    12.0 MB -> 2.8 MB for NB-LR's word and character n-grams. The same lists give the same bytes."""
    text = json.dumps(vocabulary, ensure_ascii=False, indent=0)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))


def load_vocabulary(path: Path) -> list[str] | dict[str, list[str]]:
    """What `save_vocabulary` wrote."""
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def restore_vectorizer(vectorizer: TfidfVectorizer, idf: np.ndarray | None) -> TfidfVectorizer:
    """Make a vectorizer built with a fixed `vocabulary` ready to transform, with the saved `idf`."""
    vectorizer.fit([""])  # fixes the vocabulary; its idf is replaced below
    if idf is not None:
        vectorizer.idf_ = idf
    return vectorizer


@dataclass(frozen=True)
class _Counts:
    """Texts counted up to `max_n`-grams: the n-grams seen (n-gram -> column) and (n_texts, n_seen) counts."""

    texts: list[str]
    max_n: int
    columns: dict[str, int]
    counts: sp.csr_matrix


# linear_scores multiplies only the used columns while the values in `x` number at most 1/SMALL_SHARE of
# its columns: measured on NB-LR, the two ways take as long at about 250 sentences, 1/6.
SMALL_SHARE = 8
_shared: dict[tuple, _Counts] | None = None  # by kind of n-gram, while shared_analysis() is open


@contextmanager
def shared_analysis() -> Iterator[None]:
    """Within this block, vectorizers of one kind analyse and count a list of texts once between them."""
    global _shared
    _shared = {}
    try:
        yield
    finally:
        _shared = None


def transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """`vectorizer.transform(texts)`; inside `shared_analysis()`, the same matrix from counts shared
    with the other vectorizers of its kind."""
    texts = list(texts)
    if _shared is None:
        return vectorizer.transform(texts)
    counted = _shared_counts(vectorizer, texts)
    vocabulary = vectorizer.vocabulary_
    # Each counted n-gram's column in this vectorizer, -1 if it has none (columns count from 0 in order).
    own = np.fromiter(map(vocabulary.get, counted.columns, repeat(-1)), dtype=np.int64, count=len(counted.columns))
    shared = np.flatnonzero(own >= 0)
    selection = sp.csr_matrix(
        (np.ones(len(shared)), (shared, own[shared])), shape=(len(counted.columns), len(vocabulary))
    )
    x = sp.csr_matrix(counted.counts @ selection, dtype=vectorizer.dtype)
    x.sort_indices()
    if vectorizer.binary:
        x.data.fill(1)
    return weighted(vectorizer, x)


def linear_scores(x: sp.csr_matrix, weights: np.ndarray) -> np.ndarray:
    """`x @ weights.T` for weights of shape (n_labels, n_features): (n_rows, n_labels), in double precision.

    For a few sentences, scipy's own product is mostly a copy of the whole of `weights` (transposed,
    in double precision): 8 ms for NB-LR's 780,000 n-grams, most of the time to score one sentence.
    So a small `x` is multiplied by the columns of `weights` it uses only (0.4 ms), a large one, whose
    n-grams cover much of the vocabulary anyway, as scipy does it. The sums are the same, in the same order.
    """
    if x.nnz * SMALL_SHARE > x.shape[1]:
        return np.asarray(x @ weights.T)
    used, columns = np.unique(x.indices, return_inverse=True)
    compact = sp.csr_matrix((x.data, columns, x.indptr), shape=(x.shape[0], len(used)))  # its columns: `used`
    return compact @ np.ascontiguousarray(weights[:, used].T, dtype=np.float64)


def weighted(vectorizer: TfidfVectorizer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """The fitted weighting of `vectorizer.transform` (sublinear tf, idf, norm) applied to `counts` in place,
    from its public settings, as scikit-learn's TfidfTransformer applies them."""
    if vectorizer.sublinear_tf:
        np.log(counts.data, out=counts.data)
        counts.data += 1
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm is not None else counts


def _shared_counts(vectorizer: TfidfVectorizer, texts: list[str]) -> _Counts:
    kind = (
        vectorizer.analyzer,
        vectorizer.lowercase,
        repr(vectorizer.tokenizer),
        vectorizer.strip_accents,
        repr(vectorizer.preprocessor),
    )
    max_n = vectorizer.ngram_range[1]
    counted = _shared.get(kind)
    if counted is None or counted.max_n < max_n or counted.texts != texts:
        params = {
            **vectorizer.get_params(deep=False),
            "ngram_range": (1, max_n),
            "vocabulary": None,
        }  # no copy of the vocabulary
        analyzer = type(vectorizer)(**params)
        columns, counts = (_char_counts if vectorizer.analyzer == "char" else _analysed_counts)(analyzer, texts)
        counted = _shared[kind] = _Counts(texts, max_n, columns, counts)
    return counted


def _analysed_counts(analyzer: TfidfVectorizer, texts: list[str]) -> tuple[dict[str, int], sp.csr_matrix]:
    """Every n-gram of `analyzer`'s analysis of `texts` gets a column: (n-gram -> column, counts)."""
    analyze = analyzer.build_analyzer()
    columns: dict[str, int] = defaultdict()
    columns.default_factory = columns.__len__  # a new n-gram gets the next column
    indices, indptr = [], [0]
    for text in texts:
        indices += map(columns.__getitem__, analyze(text))
        indptr.append(len(indices))
    counts = sp.csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr), shape=(len(texts), len(columns)))
    counts.sum_duplicates()
    return dict(columns), counts


def _char_counts(analyzer: TfidfVectorizer, texts: list[str]) -> tuple[dict[str, int], sp.csr_matrix]:
    """What `_analysed_counts` gives for scikit-learn's "char" analyzer, found with NumPy.

    Each text is preprocessed as scikit-learn does (decoded, lowercased if asked, runs of
    whitespace made one space); then every window of 1 to max_n characters is coded as a
    number (the characters' ranks, from 1, as the digits), counted, and only each distinct
    n-gram is turned back into a string. Counting n-grams one string at a time in Python was
    most of the n-gram models' time in `submit`.
    """
    preprocess = analyzer.build_preprocessor()
    docs = [WHITE_SPACES.sub(" ", preprocess(analyzer.decode(text))) for text in texts]
    lengths = np.array([len(doc) for doc in docs], dtype=np.int64)
    joined = "".join(docs)
    # "surrogatepass": a lone surrogate (undecodable bytes, escaped) is a character like any other, as in scikit-learn.
    alphabet, ranks = np.unique(
        np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), return_inverse=True
    )
    base, max_n = len(alphabet) + 1, analyzer.ngram_range[1]
    if base**max_n >= 2**63:  # an n-gram code would overflow: count them one by one
        return _analysed_counts(analyzer, texts)
    digits = ranks.reshape(-1).astype(np.int64) + 1  # from 1: no n-gram's code equals a shorter one's
    row = np.repeat(np.arange(len(docs)), lengths)
    left = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(joined))  # characters from each one to its text's end
    codes, rows, starts, sizes = [], [], [], []
    code = np.zeros(len(joined), dtype=np.int64)
    for n in range(1, max_n + 1):
        starts_n = max(len(joined) - n + 1, 0)  # windows of n characters that fit in the joined texts
        code[:starts_n] = code[:starts_n] * base + digits[n - 1 : n - 1 + starts_n]
        whole = np.flatnonzero(left >= n)  # windows of n characters inside one text
        codes.append(code[whole]), rows.append(row[whole]), starts.append(whole), sizes.append(np.full(len(whole), n))
    codes, rows, starts, sizes = map(np.concatenate, (codes, rows, starts, sizes))
    distinct, column = np.unique(codes, return_inverse=True)
    column = column.reshape(-1)
    where = np.empty(len(distinct), dtype=np.int64)
    where[column] = np.arange(len(codes))  # one occurrence of each distinct n-gram, whichever
    names = [joined[start : start + size] for start, size in zip(starts[where].tolist(), sizes[where].tolist())]
    counts = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (rows, column)), shape=(len(docs), len(distinct)))
    counts.sum_duplicates()
    return dict(zip(names, range(len(names)))), counts
