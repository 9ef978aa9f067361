"""`attribute`'s work: whole texts cut into sentences and given one verdict each, shown as a table, as JSON rows,
and written as a CSV; with a window, each text's passage map too (ensemble/passage_map.py).

A verdict is the text's probability of each label, weighed for its length on works the model never saw
(ensemble/documents.py). One JSON row per text:

    {"document": its name, "label": the most probable label, "probabilities": {label: p, to 6 places},
     "sentences": how many the splitter found, "words": how many words they hold}

and with a passage map (`attribute --rolling`, and `serve`'s POST /attribute, both from `verdict_rows`):

     "window": sentences per window, "step": sentences from one window's start to the next's,
     "windows": [{"sentences": [start, stop), "characters": [start, stop), "words": n, "label": ...,
                  "probabilities": {...}}, ...],
     "sentence_spans": [[start, end], ...] each sentence's characters in the text
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from ..data.submission import write_submission
from ..ensemble.passage_map import PassageMap
from ..text.mfw import words
from .predictions import DECIMALS


@dataclass(frozen=True)
class Verdict:
    """One text's verdict: its name, its probabilities (n_classes,), and its length."""

    document: str
    proba: np.ndarray
    sentences: int
    words: int
    passages: PassageMap | None = None


@dataclass(frozen=True)
class Rolling:
    """What a passage map asks for: windows of `window` sentences (None: `default_window`) every `step`."""

    window: int | None = None
    step: int | None = None


def attribution_row(model, text: str, window: int | None = None, step: int | None = None, name: str = "text") -> dict:
    """The JSON row of `text` by `model` (a fitted SpookyClassifier) with its passage map: what `attribute --rolling
    --json` prints for a file and `serve`'s POST /attribute answers."""
    (row,) = verdict_rows([verdict_of(model, name, text, Rolling(window, step))], [str(c) for c in model.classes_])
    return row


def verdict_of(model, name: str, text: str, rolling: Rolling | None = None) -> Verdict:
    """`text`'s verdict by `model` (a fitted SpookyClassifier), with its passage map when `rolling` is given."""
    if rolling is None:
        sentences = [sentence.text for sentence in model.split_sentences(text)]
        (proba,) = model.passage_proba(sentences, [(0, len(sentences))])
        return Verdict(name, proba, len(sentences), sum(len(words(sentence)) for sentence in sentences))
    passages = model.passage_map(text, rolling.window, rolling.step)
    return Verdict(name, passages.verdict, len(passages.sentences), passages.text_words, passages)


def verdicts(
    model, documents: Sequence[tuple[str, str]], say: Callable[[str], None], rolling: Rolling | None = None
) -> Iterator[Verdict]:
    """Each (name, text) of `documents` attributed by `model` (a fitted SpookyClassifier), in order, with passage
    maps when `rolling` is given; a line to `say` for each text, so that a folder of novels shows its progress."""
    for number, (name, text) in enumerate(documents, start=1):
        verdict = verdict_of(model, name, text, rolling)
        say(f"{number}/{len(documents)}  {name}: {verdict.sentences} sentences, {verdict.words} words")
        yield verdict


def verdict_rows(found: Sequence[Verdict], labels: Sequence[str]) -> list[dict]:
    """The JSON rows of `found` (see the module's docstring)."""
    return [
        {
            "document": verdict.document,
            **_labelled(verdict.proba, labels),
            "sentences": verdict.sentences,
            "words": verdict.words,
            **(_map_keys(verdict, labels) if verdict.passages is not None else {}),
        }
        for verdict in found
    ]


def _labelled(proba: np.ndarray, labels: Sequence[str]) -> dict:
    return {
        "label": labels[int(proba.argmax())],
        "probabilities": {label: round(float(p), DECIMALS) for label, p in zip(labels, proba)},
    }


def _map_keys(verdict: Verdict, labels: Sequence[str]) -> dict:
    passages = verdict.passages
    return {
        "window": passages.window,
        "step": passages.step,
        "windows": [
            {"sentences": run.tolist(), "characters": span.tolist(), "words": int(n), **_labelled(proba, labels)}
            for run, span, n, proba in zip(passages.windows, passages.characters, passages.words, passages.proba)
        ],
        "sentence_spans": [[sentence.start, sentence.end] for sentence in passages.sentences],
    }


def print_verdicts(found: Sequence[Verdict], labels: Sequence[str]) -> None:
    """`attribute`'s table: each text's most probable label, its probability of each label, its length and name;
    then each passage map, a line per window."""
    width = max(5, *map(len, labels))
    click.echo(f"{'label':<{width}}  " + "  ".join(f"{label:>5}" for label in labels) + "   words  document")
    for verdict in found:
        click.echo(f"{_cells(verdict.proba, labels, width)}  {verdict.words:>6}  {verdict.document}")
    for verdict in found:
        if verdict.passages is not None:
            _print_windows(verdict, labels, width)


def _cells(proba: np.ndarray, labels: Sequence[str], width: int) -> str:
    best = labels[int(proba.argmax())]
    return f"{best:<{width}}  " + "  ".join(f"{p:>{max(5, len(label))}.3f}" for label, p in zip(labels, proba))


def _print_windows(verdict: Verdict, labels: Sequence[str], width: int) -> None:
    passages = verdict.passages
    click.echo(
        f"\n{verdict.document}: {len(passages.windows)} windows of {passages.window} sentences, "
        f"one every {passages.step}"
    )
    click.echo(f"{'sentences':>13}  {'words':>6}  {'label':<{width}}  " + "  ".join(f"{label:>5}" for label in labels))
    for (start, stop), n_words, proba in zip(passages.windows, passages.words, passages.proba):
        click.echo(f"{f'{start + 1}-{stop}':>13}  {n_words:>6}  {_cells(proba, labels, width)}")


def write_verdicts(found: Sequence[Verdict], labels: Sequence[str], output: Path) -> None:
    """The CSV of `found`: document, then one probability column per label of `labels`, written whole or not at
    all (as a submission is)."""
    proba = np.stack([verdict.proba for verdict in found])
    write_submission([verdict.document for verdict in found], [proba], labels, output, ["document", *labels])
