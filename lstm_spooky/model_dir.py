"""The saved model directory's layout and its version check, importable without TensorFlow.

    config.json     format version, hyperparameters, temperature, cross-validation scores
    oof.csv         out-of-fold probabilities (before calibration) of every training row
    fold-<k>/       one BiLSTM per fold: config, vocabulary, weights, learning curves
"""

from __future__ import annotations

import json
from pathlib import Path

FORMAT_VERSION = 2
CONFIG_FILE, OOF_FILE = "config.json", "oof.csv"


def fold_dir(model_dir: Path, fold: int) -> Path:
    return model_dir / f"fold-{fold}"


def read_model_meta(model_dir: Path) -> dict:
    """config.json of a saved model, after checking it is one this version can read."""
    config_path = model_dir / CONFIG_FILE
    if not config_path.is_file():
        raise ValueError(f"{model_dir}: not an lstm-spooky model directory (no {CONFIG_FILE}); run `lstm-spooky fit` first")
    meta = json.loads(config_path.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{model_dir}: model format {meta.get('format_version')!r} is not supported by this "
            f"lstm-spooky (expects {FORMAT_VERSION}); re-run `lstm-spooky fit`"
        )
    return meta
