"""How document verdicts did on the works the folds held out, kept beside the calibration for the report.

Two views of the same held-out passages (ensemble/documents.py's `HeldOut`): accuracy and log loss per
passage length, and each held-out work's passage map, windows along the whole work scored by base models,
a stack and a Delta profile that never saw it: how the model reads a book it does not know. The four
numbers of the calibration were fitted on these passages, so the scores are a little kinder than a new
corpus's would be (scripts/benchmark_documents.py holds works out of the whole fit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..probability import log_loss
from .documents import DocumentCalibration, HeldOut, passages_of
from .passage_map import default_window, window_runs

DECIMALS = 4  # a map's probabilities: the report draws them, a ten-thousandth is finer than a pixel


def length_scores(calibration: DocumentCalibration, found: HeldOut) -> list[dict]:
    """Per passage length: {"words", "passages", "accuracy", "log_loss"} of the held-out passages."""
    scores = []
    for target, (passages, labels) in found.lengths.items():
        proba = calibration.proba(passages)
        scores.append(
            {
                "words": target,
                "passages": len(labels),
                "accuracy": float(np.mean(proba.argmax(axis=1) == labels)),
                "log_loss": log_loss(labels, proba),
            }
        )
    return scores


def work_map(calibration: DocumentCalibration, found: HeldOut, texts: np.ndarray, run: np.ndarray, profile) -> dict:
    """The passage map of one held-out work (`run`, its rows in reading order), with windows of the default
    size for its length: {"sentences", "windows" [[start, stop], ...], "words", "proba", "verdict"}."""
    windows = window_runs(len(run), default_window(len(run)))
    spans = np.concatenate([windows, [[0, len(run)]]])
    passages = passages_of(found.evidence[run], profile.count(texts[run]), spans, profile)
    proba = np.round(calibration.proba(passages), DECIMALS)
    return {
        "sentences": len(run),
        "windows": windows.tolist(),
        "words": passages.words[:-1].astype(int).tolist(),
        "proba": proba[:-1].tolist(),
        "verdict": proba[-1].tolist(),
    }


def document_validation(
    calibration: DocumentCalibration, found: HeldOut, texts: Sequence[str], y: np.ndarray, works: np.ndarray | None
) -> dict:
    """{"lengths": `length_scores`, "works": [{"work": name, "label": class id, **`work_map`}, ...]} for a fit
    whose rows belong to `works` (their names); without works (sentences of a CSV, whose held-out "works" are
    random sets) there are no maps."""
    texts = np.asarray(texts, dtype=object)
    maps = []
    if works is not None:
        names = [str(works[run[0]]) for run, _ in found.runs]
        repeated, seen = Counter(names), Counter()
        for name, (run, profile) in zip(names, found.runs):
            seen[name] += 1
            title = f"{name} (block {seen[name]})" if repeated[name] > 1 else name
            maps.append({"work": title, "label": int(y[run[0]]), **work_map(calibration, found, texts, run, profile)})
    return {"lengths": length_scores(calibration, found), "works": maps}
