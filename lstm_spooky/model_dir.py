"""The saved model directory's layout and its version check, importable without TensorFlow.

    config.json           format version, hyperparameters, calibration or stack, CV scores
    oof.csv               final out-of-fold probabilities (calibrated without the row itself)
    oof-<model>.csv       each base model's raw out-of-fold probabilities
    <model>/<member>/     the fitted base models that predict: the networks trained by Keras
                          (bilstm, tinybert), one per fold, as fold-0, fold-1, ..., each with its
                          history.json; every other model once more on all rows, as all-rows
"""

from __future__ import annotations

import json
from pathlib import Path

FORMAT_VERSION = 5  # 5: the label set is data (config.json "classes"); 4 assumed EAP, HPL, MWS
CONFIG_FILE, OOF_FILE, HISTORY_FILE = "config.json", "oof.csv", "history.json"


ALL_ROWS = "all-rows"  # the member refitted on every training row


def fold_member(fold: int) -> str:
    return f"fold-{fold}"


def member_dir(model_dir: Path, model: str, member: str) -> Path:
    return model_dir / model / member


def base_oof_file(model: str) -> str:
    return f"oof-{model}.csv"


def read_member_meta(directory: Path, format_version: int, kind: str) -> dict:
    """A fold member's config.json, after checking its format version."""
    meta = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    if meta.get("format_version") != format_version:
        raise ValueError(f"{directory}: {kind} format {meta.get('format_version')!r} is not supported (expected {format_version})")
    return meta


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
