"""Where in a text: a passage map, the verdict of each window of consecutive sentences along it.

stylo's `rolling.classify` cuts a text into overlapping slices and draws each slice's winner. Here
every window of `window` sentences, starting every `step` sentences, gets the probabilities a passage
of its length gets (ensemble/documents.py: calibrated on works the model never saw), so a window of
a few sentences stays near the prior and a chapter-long one says what it knows. By default the
windows do not overlap (`step` = `window`): each sentence then belongs to one window, the windows'
character spans tile the text exactly, and a page can shade each sentence by its window.

A window's character span runs from its first sentence's start (0 for the first window) to the next
sentence's start after it (the text's end for a window holding the last sentence), so the spaces,
line ends and headings between sentences belong to the window before them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..text.mfw import words
from ..text.sentences import Sentence

# The default window: about MIN_WINDOWS windows along a short text, never more than LONGEST_WINDOW
# sentences. 50 sentences of a novel are about 1,000 words, where a passage of a novel the model never
# saw is attributed right 88% of the time (docs/documents.md): a novel gets some 200 windows, a letter
# of 30 sentences 15 windows of 2.
LONGEST_WINDOW = 50
MIN_WINDOWS = 20


@dataclass(frozen=True)
class PassageMap:
    """A text's windows and their verdicts.

    window, step : sentences per window, and from one window's start to the next's
    sentences : the text's sentences, with their spans in it
    windows : (R, 2) each window's sentences [start, stop)
    characters : (R, 2) each window's characters [start, stop) in the text
    words : (R,) each window's words
    proba : (R, n_classes) each window's probabilities
    verdict : (n_classes,) the whole text's probabilities (the prior for a text without sentences)
    text_words : the words of all the text's sentences
    """

    window: int
    step: int
    sentences: list[Sentence]
    windows: np.ndarray
    characters: np.ndarray
    words: np.ndarray
    proba: np.ndarray
    verdict: np.ndarray
    text_words: int


def default_window(n_sentences: int) -> int:
    """The window (in sentences) for a text of `n_sentences` when none is asked for (see LONGEST_WINDOW).

    >>> default_window(10_000), default_window(300), default_window(30), default_window(0)
    (50, 15, 2, 1)
    """
    return int(min(LONGEST_WINDOW, max(1, -(-n_sentences // MIN_WINDOWS))))


def window_runs(n_sentences: int, window: int, step: int | None = None) -> np.ndarray:
    """The windows [start, stop) of `window` sentences every `step` (default `window`) along `n_sentences`
    sentences, up to the first that reaches the last sentence (which may be shorter); shape (R, 2).

    >>> window_runs(7, 3).tolist(), window_runs(7, 4, 2).tolist(), window_runs(0, 3).tolist()
    ([[0, 3], [3, 6], [6, 7]], [[0, 4], [2, 6], [4, 7]], [])
    """
    step = window if step is None else step
    if window < 1 or step < 1:
        raise ValueError(f"a window of {window} sentences every {step}: both must be at least 1")
    if n_sentences == 0:
        return np.zeros((0, 2), dtype=int)
    starts = np.arange(0, max(n_sentences - window, 0) + step, step)
    starts = starts[(starts == 0) | (starts - step + window < n_sentences)]
    return np.stack([starts, np.minimum(starts + window, n_sentences)], axis=1)


def character_spans(sentences: Sequence[Sentence], windows: np.ndarray, text_length: int) -> np.ndarray:
    """Each window's characters [start, stop) in a text of `text_length` characters (see the module's docstring).

    >>> sentences = [Sentence("A b.", 0, 4), Sentence("C.", 5, 7), Sentence("D.", 9, 11)]
    >>> character_spans(sentences, np.array([[0, 2], [2, 3]]), 12).tolist()
    [[0, 5], [5, 12]]
    """
    starts = np.array([sentence.start for sentence in sentences] + [text_length], dtype=int)
    starts[0] = 0
    return np.stack([starts[windows[:, 0]], starts[windows[:, 1]]], axis=1).reshape(-1, 2)


def passage_map(model, text: str, window: int | None = None, step: int | None = None) -> PassageMap:
    """The passage map of `text` by `model` (a fitted SpookyClassifier): windows of `window` sentences (default
    `default_window`) every `step` (default `window`). Each sentence is scored once."""
    sentences = model.split_sentences(text)
    window = window or default_window(len(sentences))
    step = step or window
    windows = window_runs(len(sentences), window, step)
    texts = [sentence.text for sentence in sentences]
    proba = model.passage_proba(texts, np.concatenate([windows, [[0, len(texts)]]]))
    counts = np.cumsum([0] + [len(words(sentence)) for sentence in texts])
    return PassageMap(
        window,
        step,
        sentences,
        windows,
        character_spans(sentences, windows, len(text)),
        counts[windows[:, 1]] - counts[windows[:, 0]],
        proba[:-1],
        proba[-1],
        int(counts[-1]),
    )
