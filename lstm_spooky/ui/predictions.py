"""Predictions as JSON-ready rows: what `predict --json` prints and `serve` answers.

Both call `prediction_rows`, so they give the same numbers by construction. One row per
sentence:

    {"text": ..., "label": the most probable label, "probabilities": {label: p, rounded to 6 places},
     and with explanations the keys of Explanation.to_dict: "source", "reasons", "tokens"}
"""

from __future__ import annotations

from collections.abc import Sequence

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
