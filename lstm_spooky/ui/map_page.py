"""`attribute --html`: a text's passage map as one page that needs nothing else (no server, no internet).

The page is static/map.html with the map's drawing code (static/map.js, which `serve`'s document mode
draws with too) and its style inlined, and its data in a JSON script element: the row `attribute --json`
prints for the text, the text itself, the labels' colours, and each sentence's words with the label each
pushed towards hardest (ensemble/explanation.py), so the page can show why without the model. Only the
strongest label of each word is kept: every label's score of every word of a novel made the page ten
times larger.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..ensemble.explanation import MIN_SCORE, Explanation, source_description
from ..models.registry import explaining_model
from ..store.atomic import atomic_file
from .attribution import Verdict, verdict_rows
from .highlight import HTML_COLOURS

STATIC = Path(__file__).with_name("static")
PLACEHOLDER = re.compile(r"\{(title|about|style|script|data)\}")


def compact_reasons(explanation: Explanation) -> list[int]:
    """A sentence's words as flat [start, end, label index, score in hundredths, ...]: each word that pushed
    towards some label, with the label it pushed towards hardest."""
    flat: list[int] = []
    for (start, end), scores in zip(explanation.spans, explanation.scores):
        label = int(np.argmax(scores))
        if end > start and scores[label] >= MIN_SCORE:
            flat += [start, end, label, int(round(100 * float(scores[label])))]
    return flat


def map_page(row: dict, text: str, reasons: Sequence[list[int]] | None, about: str) -> str:
    """The page of `row` (a row of `verdict_rows` with its windows) over `text`; `reasons` per sentence
    (`compact_reasons`) or None for a model that gives none; `about` a line on where the reasons come from."""
    labels = list(row["probabilities"])
    data = {
        "row": row,
        "text": text,
        "colours": {label: HTML_COLOURS[k % len(HTML_COLOURS)] for k, label in enumerate(labels)},
        "reasons": reasons,
    }
    # "</" would end the script element early; "<\/" is the same string to JSON.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    values = {
        "title": html.escape(row["document"]),
        "about": html.escape(about),
        "style": (STATIC / "map.css").read_text(encoding="utf-8"),
        "script": (STATIC / "map.js").read_text(encoding="utf-8"),
        "data": payload,
    }
    template = (STATIC / "map.html").read_text(encoding="utf-8")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def write_map_page(model, verdict: Verdict, text: str, path: Path) -> None:
    """The page of `verdict` (with its passage map) of `text` by `model`, written whole or not at all."""
    labels = [str(label) for label in model.classes_]
    (row,) = verdict_rows([verdict], labels)
    sentences = [text[start:end] for start, end in row["sentence_spans"]]
    try:
        source = explaining_model(model.config_.models)
    except ValueError:
        reasons, about = None, "This model's base models give no reasons for its words."
    else:
        reasons = [compact_reasons(explanation) for explanation in model.explain(sentences)] if sentences else []
        about = f"Reasons: {source_description(source)}; a word's colour is the label it pushed towards hardest."
    with atomic_file(path) as tmp:
        tmp.write_text(map_page(row, text, reasons, about), encoding="utf-8")
