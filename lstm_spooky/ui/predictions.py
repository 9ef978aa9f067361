"""Predictions shown: as JSON-ready rows (what `predict --json` prints and `serve` answers), and as
`predict`'s terminal lines (a table of probabilities, or with --explain the words that pushed each
sentence towards each label, drawn by ui/highlight.py).

`predict --json` and `serve` both call `prediction_rows`, so they give the same numbers by
construction. One row per sentence:

    {"text": ..., "label": the most probable label, "probabilities": {label: p, rounded to 6 places},
     and with explanations the keys of Explanation.to_dict: "source", "reasons", "tokens"}
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .terminal import colour, say

DECIMALS = 6  # probabilities to a millionth: more than a log loss needs, short enough to read


def prediction_rows(model, texts: Sequence[str], explain: bool = False, top: int = 3) -> list[dict]:
    """One row per text of `model` (a fitted SpookyClassifier), in order; with `explain`, each
    row also holds the text's reasons, `top` words per label. Raises ValueError when asked to
    explain with a model that cannot, before computing any probability."""
    texts = list(texts)
    explanations = model.explain(texts) if explain else [None] * len(texts)
    proba = model.predict_proba(texts)
    labels = [str(label) for label in model.classes_]
    return [
        {
            "text": text,
            "label": labels[int(row.argmax())],
            "probabilities": {label: round(float(p), DECIMALS) for label, p in zip(labels, row)},
            **(explanation.to_dict(top) if explanation is not None else {}),
        }
        for text, row, explanation in zip(texts, proba, explanations)
    ]


def print_table(texts: tuple[str, ...], proba, labels: list[str], header: str) -> None:
    """predict's lines: each sentence's most probable label, its probability of each label, and the sentence."""
    width = max(6, len(header), *map(len, labels))
    click.echo(f"{header:<{width}}  " + "  ".join(f"{label:>5}" for label in labels) + "  text")
    for text, row in zip(texts, proba):
        best = labels[int(row.argmax())]
        click.echo(
            f"{best:<{width}}  "
            + "  ".join(f"{p:>{max(5, len(label))}.3f}" for label, p in zip(labels, row))
            + f"  {text}"
        )


def print_explained(explanations: list, proba, top: int, quiet: bool) -> None:
    """predict --explain's lines: each sentence's label, and the words that pushed it towards each;
    colour only on a terminal."""
    from ..ensemble.explanation import source_description
    from .highlight import terminal_lines

    in_colour = colour()
    say(quiet)(f"Reasons: {source_description(explanations[0].source)}; scores add up per label.")
    for explanation, row in zip(explanations, proba):
        click.echo("\n".join(terminal_lines(explanation, row, top, in_colour)), color=in_colour)
