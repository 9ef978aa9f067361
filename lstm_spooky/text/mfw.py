"""The most frequent words of a corpus, and Burrows's Delta on their frequencies.

Stylometry's oldest reliable signal is how often an author uses the commonest words ("the", "of",
"she", "upon"): they are chosen without thought, so they follow the author from one book to the
next where names and topics do not. Burrows's Delta (2002) keeps the `n_words` most frequent words
of the training texts, turns each text into their relative frequencies (per word of the text),
standardises each word's frequency by its mean and standard deviation over the training texts (z
scores), and gives each label the mean of its texts' z scores (its centroid). A new text's Delta to
a label is the mean absolute difference of its z scores from the centroid; Cosine Delta (Smith and
Aldridge 2011; Evert et al. 2017) is one minus their cosine, and is the better of the two in most
published comparisons.

Counts are additive, so a passage's counts are the sums of its sentences' (`WordCounts`), and a
passage of any length is scored without counting its words again.

>>> profile = DeltaProfile(n_words=3).fit(["the cat sat", "a dog ran", "the cat ran"], [0, 1, 0], 2)
>>> profile.words_
['cat', 'ran', 'the']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # a word, apostrophes inside it kept ("don't", "o'clock")


def words(text: str) -> list[str]:
    """The lowercased words of `text`, punctuation and numbers left out.

    >>> words("'Don't,' said Mr. Darcy -- twice.")
    ["don't", 'said', 'mr', 'darcy', 'twice']
    """
    return WORD_RE.findall(text.lower())


@dataclass(frozen=True)
class WordCounts:
    """How often each of a vocabulary's words occurs in each of n texts, and each text's length in words.

    counts: shape (n, n_words); totals: shape (n,), every word counted (not only the vocabulary's).
    """

    counts: np.ndarray
    totals: np.ndarray

    def frequencies(self) -> np.ndarray:
        """Relative frequencies, shape (n, n_words): counts per word of the text (0 for an empty text)."""
        return self.counts / np.maximum(self.totals, 1)[:, None]


def count_words(texts: Iterable[str], vocabulary: Sequence[str]) -> WordCounts:
    """Each text's counts of the `vocabulary`'s words, and its number of words."""
    index = {word: column for column, word in enumerate(vocabulary)}
    rows, totals = [], []
    for text in texts:
        tokens = words(text)
        row = np.zeros(len(vocabulary), dtype=np.float32)
        for word, count in Counter(tokens).items():
            if word in index:
                row[index[word]] = count
        rows.append(row)
        totals.append(len(tokens))
    counts = np.stack(rows) if rows else np.zeros((0, len(vocabulary)), dtype=np.float32)
    return WordCounts(counts, np.asarray(totals, dtype=np.float64))


class DeltaProfile:
    """Burrows's Delta and Cosine Delta of texts to each label, on the `n_words` most frequent words.

    `fit(texts, labels, n_classes)` learns `words_` (the vocabulary, most frequent first, ties by
    word), `mean_` and `std_` (each word's relative frequency over the training texts) and
    `centroids_` (shape (n_classes, n_words): each label's mean z scores).
    """

    def __init__(self, n_words: int = 300):
        self.n_words = n_words

    def fit(self, texts: Sequence[str], labels: Sequence[int], n_classes: int) -> DeltaProfile:
        """Learn the vocabulary and the labels' centroids from training `texts` (whole works, or any long texts),
        `labels` their class ids in range(n_classes), each class present."""
        labels = np.asarray(labels)
        missing = sorted(set(range(n_classes)) - set(labels.tolist()))
        if missing:
            raise ValueError(f"classes {missing} have no training text")
        totals = Counter(word for text in texts for word in words(text))
        self.words_ = [word for word, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))][: self.n_words]
        frequencies = count_words(texts, self.words_).frequencies()
        self.mean_ = frequencies.mean(axis=0)
        # A word of constant frequency (or a single training text) carries no scale; 1 keeps its z finite.
        std = frequencies.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0)
        z = (frequencies - self.mean_) / self.std_
        self.centroids_ = np.stack([z[labels == label].mean(axis=0) for label in range(n_classes)])
        return self

    def count(self, texts: Iterable[str]) -> WordCounts:
        """Each text's counts of the profile's words, to sum into passages before `distances`."""
        return count_words(texts, self.words_)

    def distances(self, counts: WordCounts, kind: str = "cosine") -> np.ndarray:
        """Each text's Delta to each label, shape (n, n_classes); the smaller, the closer. `kind` is "cosine" (one
        minus the cosine of z scores and centroid, in [0, 2]) or "burrows" (their mean absolute difference)."""
        z = (counts.frequencies() - self.mean_) / self.std_
        if kind == "burrows":
            return np.abs(z[:, None, :] - self.centroids_[None, :, :]).mean(axis=2)
        if kind != "cosine":
            raise ValueError(f"kind is 'cosine' or 'burrows', not {kind!r}")
        norms = np.linalg.norm(z, axis=1, keepdims=True) * np.linalg.norm(self.centroids_, axis=1)[None, :]
        return 1.0 - (z @ self.centroids_.T) / np.maximum(norms, 1e-12)

    def to_dict(self) -> dict:
        return {
            "n_words": self.n_words,
            "words": self.words_,
            "mean": self.mean_.tolist(),
            "std": self.std_.tolist(),
            "centroids": self.centroids_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> DeltaProfile:
        profile = cls(data["n_words"])
        profile.words_ = list(data["words"])
        profile.mean_, profile.std_ = np.asarray(data["mean"]), np.asarray(data["std"])
        profile.centroids_ = np.asarray(data["centroids"])
        return profile
