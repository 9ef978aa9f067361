"""Explanations drawn: each label's colour, the terminal's lines and the HTML's marks.

ensemble/explanation.py computes what they show.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from ..ensemble.explanation import Explanation

# One colour per label, cycled for more labels: terminal colour names (click.style) and HTML backgrounds (twelve
# hues, so that British fiction's eleven authors each have their own on a passage map).
TERMINAL_COLOURS = (
    "red",
    "blue",
    "green",
    "magenta",
    "cyan",
    "yellow",
    "bright_red",
    "bright_blue",
    "bright_green",
    "bright_magenta",
)
HTML_COLOURS = (
    "#f7b6b6",
    "#b6cff7",
    "#b9f0c0",
    "#e3c1f5",
    "#b3eef0",
    "#f5e7a8",
    "#f8cfa6",
    "#d6d6d6",
    "#c8e6a0",
    "#f5b8dc",
    "#a6e3c8",
    "#c3bff5",
)


def terminal_lines(explanation: Explanation, proba: np.ndarray, top: int = 3, colour: bool = False) -> list[str]:
    """The sentence (its reasons coloured by label when `colour`), then one line per label:
    its probability and the words that pushed towards it."""
    import click

    labels = explanation.labels
    best = int(np.argmax(proba))
    width = max(map(len, labels))
    paint = (
        (lambda text, k, **kw: click.style(text, fg=TERMINAL_COLOURS[k % len(TERMINAL_COLOURS)], **kw))
        if colour
        else (lambda text, k, **kw: text)
    )
    lines = [f"{paint(labels[best], best, bold=True)} {proba[best]:.3f}  {_highlighted(explanation, top, paint)}"]
    for k, label in enumerate(labels):
        reasons = explanation.reasons(k, top)
        said = "  ".join(f"{paint(token, k)} {score:+.2f}" for token, score in reasons) or "(no word pushed towards it)"
        lines.append(f"  {paint(f'{label:<{width}}', k, bold=k == best)} {proba[k]:.3f}  {said}")
    return lines


def html_highlighted(explanation: Explanation, label_indices: Sequence[int], top: int = 3) -> str:
    """The sentence as HTML, the top reasons of each label in `label_indices` marked in its colour."""

    def paint(text: str, k: int, **_) -> str:
        colour = HTML_COLOURS[k % len(HTML_COLOURS)]
        return f"<mark style='background:{colour}' title='{html.escape(explanation.labels[k])}'>{text}</mark>"

    return _highlighted(explanation, top, paint, labels=label_indices, escape=html.escape)


def html_label(label: str, k: int) -> str:
    """A label name in its highlighting colour, for legends and table cells."""
    return f"<mark style='background:{HTML_COLOURS[k % len(HTML_COLOURS)]}'>{html.escape(label)}</mark>"


def _highlighted(
    explanation: Explanation, top: int, paint, labels: Sequence[int] | None = None, escape=lambda s: s
) -> str:
    """The sentence with each token that is a top reason of a label painted in that label's
    colour (the label it pushed hardest towards, among `labels`, default all)."""
    labels = range(len(explanation.labels)) if labels is None else labels
    reason_of = {k: {token for token, _ in explanation.reasons(k, top)} for k in labels}
    text, pieces, at = explanation.text, [], 0
    for i, (token, (start, end)) in enumerate(zip(explanation.tokens, explanation.spans)):
        candidates = [k for k in labels if token in reason_of[k]]
        if not candidates or end <= start:
            continue
        k = max(candidates, key=lambda c: explanation.scores[i, c])
        pieces += [escape(text[at:start]), paint(escape(text[start:end]), k)]
        at = end
    pieces.append(escape(text[at:]))
    return "".join(pieces)
