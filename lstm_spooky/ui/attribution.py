"""`attribute`'s work: whole texts cut into sentences and given one verdict each, shown as a table, as JSON rows,
and written as a CSV.

A verdict is the text's probability of each label, weighed for its length on works the model never saw
(ensemble/documents.py). One JSON row per text:

    {"document": its name, "label": the most probable label, "probabilities": {label: p, to 6 places},
     "sentences": how many the splitter found, "words": how many words they hold}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from ..data.submission import write_submission
from ..text.mfw import words
from .predictions import DECIMALS


@dataclass(frozen=True)
class Verdict:
    """One text's verdict: its name, its probabilities (n_classes,), and its length."""

    document: str
    proba: np.ndarray
    sentences: int
    words: int


def verdicts(model, documents: Sequence[tuple[str, str]], say: Callable[[str], None]) -> Iterator[Verdict]:
    """Each (name, text) of `documents` attributed by `model` (a fitted SpookyClassifier), in order; a line to
    `say` for each text, so that a folder of novels shows its progress."""
    for number, (name, text) in enumerate(documents, start=1):
        sentences = [sentence.text for sentence in model.split_sentences(text)]
        (proba,) = model.passage_proba(sentences, [(0, len(sentences))])
        verdict = Verdict(name, proba, len(sentences), sum(len(words(sentence)) for sentence in sentences))
        say(f"{number}/{len(documents)}  {name}: {verdict.sentences} sentences, {verdict.words} words")
        yield verdict


def verdict_rows(found: Sequence[Verdict], labels: Sequence[str]) -> list[dict]:
    """The JSON rows of `found` (see the module's docstring)."""
    return [
        {
            "document": verdict.document,
            "label": labels[int(verdict.proba.argmax())],
            "probabilities": {label: round(float(p), DECIMALS) for label, p in zip(labels, verdict.proba)},
            "sentences": verdict.sentences,
            "words": verdict.words,
        }
        for verdict in found
    ]


def print_verdicts(found: Sequence[Verdict], labels: Sequence[str]) -> None:
    """`attribute`'s table: each text's most probable label, its probability of each label, its length and name."""
    width = max(5, *map(len, labels))
    click.echo(f"{'label':<{width}}  " + "  ".join(f"{label:>5}" for label in labels) + "   words  document")
    for verdict in found:
        best = labels[int(verdict.proba.argmax())]
        cells = "  ".join(f"{p:>{max(5, len(label))}.3f}" for label, p in zip(labels, verdict.proba))
        click.echo(f"{best:<{width}}  {cells}  {verdict.words:>6}  {verdict.document}")


def write_verdicts(found: Sequence[Verdict], labels: Sequence[str], output: Path) -> None:
    """The CSV of `found`: document, then one probability column per label of `labels`, written whole or not at
    all (as a submission is)."""
    proba = np.stack([verdict.proba for verdict in found])
    write_submission([verdict.document for verdict in found], [proba], labels, output, ["document", *labels])
