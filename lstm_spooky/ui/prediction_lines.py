"""What `predict` prints: a table of each sentence's label probabilities, or with --explain the words
that pushed each sentence towards each label (ui/highlight.py draws them)."""

from __future__ import annotations

import click

from .terminal import colour, say


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
