"""The passage map's windows: where they start and stop, in sentences and in characters."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_spooky.ensemble.passage_map import character_spans, default_window, passage_map, window_runs
from lstm_spooky.text.sentences import untrained_splitter


@given(st.integers(0, 500), st.integers(1, 60))
def test_windows_without_a_step_tile_the_sentences_exactly(n_sentences, window):
    runs = window_runs(n_sentences, window)
    if n_sentences == 0:
        assert runs.shape == (0, 2)
        return
    assert runs[0, 0] == 0 and runs[-1, 1] == n_sentences
    np.testing.assert_array_equal(runs[1:, 0], runs[:-1, 1])
    assert ((runs[:, 1] - runs[:, 0]) <= window).all() and ((runs[:-1, 1] - runs[:-1, 0]) == window).all()


@given(st.integers(1, 500), st.integers(1, 60), st.integers(1, 60))
def test_overlapping_windows_cover_every_sentence_and_stop_at_the_first_that_reaches_the_end(n, window, step):
    runs = window_runs(n, window, step)
    assert runs[0, 0] == 0 and runs[-1, 1] == n and (runs[:-1, 1] < n).all()
    assert (np.diff(runs[:, 0]) == step).all()
    covered = np.zeros(n, dtype=bool)
    for start, stop in runs:
        covered[start:stop] = True
    assert covered.all() or step > window  # a step longer than the window skips sentences, as asked


def test_a_window_or_step_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        window_runs(10, 0)
    with pytest.raises(ValueError, match="at least 1"):
        window_runs(10, 3, 0)


def test_the_default_window_gives_a_long_text_windows_of_50_sentences_and_a_short_one_about_20_windows():
    assert default_window(10_000) == 50
    assert len(window_runs(300, default_window(300))) == 20
    assert default_window(1) == 1


def test_the_windows_character_spans_tile_the_text_exactly():
    text = "CHAPTER I\n\n  It was late.  The door opened! Who was there?\n\nNobody. The end.\n\n"
    sentences = untrained_splitter().split(text)
    assert len(sentences) == 5
    for window in (1, 2, 3, 5):
        spans = character_spans(sentences, window_runs(len(sentences), window), len(text))
        assert spans[0, 0] == 0 and spans[-1, 1] == len(text)
        np.testing.assert_array_equal(spans[1:, 0], spans[:-1, 1])
        assert "".join(text[start:stop] for start, stop in spans) == text


class CountingModel:
    """A stand-in for a fitted classifier: it splits as an untrained splitter does and gives each run the share of
    its sentences that mention 'raven' as the probability of label 1."""

    def split_sentences(self, text):
        return untrained_splitter().split(text)

    def passage_proba(self, sentences, runs):
        raven = np.array([float("raven" in sentence) for sentence in sentences] + [0.0])
        share = np.array([raven[a:b].mean() if b > a else 0.5 for a, b in np.asarray(runs)])
        return np.stack([1 - share, share], axis=1)


def test_a_passage_map_gives_each_window_its_own_verdict_and_the_whole_text_one():
    text = " ".join(["The cat sat."] * 6 + ["The raven spoke."] * 4)
    found = passage_map(CountingModel(), text, window=5)
    np.testing.assert_array_equal(found.windows, [[0, 5], [5, 10]])
    np.testing.assert_allclose(found.proba[:, 1], [0.0, 0.8])
    np.testing.assert_allclose(found.verdict, [0.6, 0.4])
    np.testing.assert_array_equal(found.words, [15, 15])
    assert (found.window, found.step) == (5, 5)
