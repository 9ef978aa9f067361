"""The saved model directory's layout and its checks, importable without TensorFlow.

    config.json           format marker and version, hyperparameters, calibration or stack, CV scores
    oof.csv               final out-of-fold probabilities (calibrated without the row itself)
    oof-<model>.csv.gz    each base model's raw out-of-fold probabilities (gzip-compressed CSV)
    <model>/<member>/     the fitted base models that predict: the networks trained by Keras
                          (bilstm, tinybert), one per fold, as fold-0, fold-1, ..., each with its
                          history.json; every other model once more on all rows, as all-rows
                          (the members' names: fit_steps.py)
    pool.npz              with `fit --unlabeled` only: the pool sentences' digests and their cross-fitted scores
    sentences.json        fitted on a corpus folder only: the sentence splitter that cut its texts (text/sentences.py),
                          to split new texts the same way; optional, so a reader of the same format ignores it
    documents.json        how a passage's sentences are weighed into its verdict (ensemble/documents.py), for
                          `attribute`; optional, as sentences.json is
    manifest.json         every other file with its size and SHA-256, written last (manifest.py)
    report.html           written later by `lstm-spooky report`, if asked; not in the manifest

A directory is recognised as a model only by what `save` wrote in it (the marker in
config.json, or our manifest), never by a file name alone: `fit` replaces a model
directory, and a user's folder that happens to hold a config.json must never be replaced.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from .atomic import recover_aside
from .manifest import MANIFEST_FILE, REFIT, ManifestError, check_manifest, read_manifest

# 7: pool.npz, the cross-fitted scores of the unlabelled pool (`fit --unlabeled`); a model without
# a pool is still written as 6, which earlier versions read.
# 6: compressed n-gram vocabularies and single-precision weights in the linear models and NB-LR,
# the BiLSTM's NB ratio tables keyed by integer n-gram codes, base models' oof-<model>.csv.gz;
# 5: the format marker, manifest.json, and the label set as data (config.json "classes");
# 4 assumed EAP, HPL, MWS
FORMAT_VERSION = 7
FORMAT_VERSION_WITHOUT_POOL = 6
FORMAT_VERSIONS_READ = (FORMAT_VERSION_WITHOUT_POOL, FORMAT_VERSION)
FORMAT_MARKER = "lstm-spooky-model"
CONFIG_FILE, OOF_FILE, REPORT_FILE, POOL_FILE = "config.json", "oof.csv", "report.html", "pool.npz"
SPLITTER_FILE = "sentences.json"
DOCUMENTS_FILE = "documents.json"


# What file managers leave in a folder a user opened: not the user's data, safe to replace.
FILE_MANAGER_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")


def member_dir(model_dir: Path, model: str, member: str) -> Path:
    return model_dir / model / member


def base_oof_file(model: str) -> str:
    """Gzip-compressed, as pandas reads and writes it by the name: 0.65 MB -> 0.26 MB per model on Kaggle's data."""
    return f"oof-{model}.csv.gz"


def read_model_meta(model_dir: Path, check_files: bool = True) -> dict:
    """config.json of a saved model, after checking it is one this version can read and, unless
    `check_files` is False (for a caller that loads the model next, which checks them), that
    every file is as `save` wrote it (manifest.py). Raises ValueError with a one-line message."""
    model_dir = Path(model_dir)
    with contextlib.suppress(OSError):  # a read-only folder: the model stays aside, and is reported missing
        recover_aside(model_dir)
    if not model_dir.exists():
        raise ValueError(f"{model_dir}: no model there; run `lstm-spooky fit` first (or pass --model-dir)")
    if not model_dir.is_dir():
        raise ValueError(f"{model_dir}: is a file, not a model directory; pass the directory `lstm-spooky fit` wrote")
    try:
        if (model_dir / CONFIG_FILE).is_file():
            (model_dir / CONFIG_FILE).read_bytes()  # an unreadable one raises OSError, reported below
        meta = _read_json(model_dir / CONFIG_FILE)
        if meta is None and (model_dir / MANIFEST_FILE).is_file():
            check_manifest(model_dir)  # names the missing or damaged file
        if meta is None and (model_dir / CONFIG_FILE).is_file():
            raise ValueError(f"{model_dir / CONFIG_FILE}: damaged (not a JSON object); {REFIT}")
        if meta is None and (model_dir / "run.json").is_file():  # cv.STATE_FILE, not imported: cv pulls in scikit-learn
            raise ValueError(
                f"{model_dir}: holds the finished folds of an unfinished fit, not a model; "
                "complete it with `lstm-spooky fit ... --resume`"
            )
        if meta is None:
            what = "it is empty" if not any(model_dir.iterdir()) else f"no {CONFIG_FILE}"
            raise ValueError(f"{model_dir}: not an lstm-spooky model directory ({what}); run `lstm-spooky fit` first")
        if not _is_ours(meta):
            raise ValueError(
                f"{model_dir}: not an lstm-spooky model directory ({CONFIG_FILE} was not written by lstm-spooky)"
            )
        if meta.get("format_version") not in FORMAT_VERSIONS_READ:
            older = isinstance(meta.get("format_version"), int) and meta["format_version"] < FORMAT_VERSION
            raise ValueError(
                f"{model_dir}: model format {meta.get('format_version')!r} is not supported by this lstm-spooky "
                f"(expects {FORMAT_VERSION}; the model was saved by {'an older' if older else 'another'} version); "
                "re-run `lstm-spooky fit`"
            )
        if check_files:
            check_manifest(model_dir)
    except OSError as error:  # unreadable (permissions) rather than damaged
        raise ValueError(
            f"{error.filename or model_dir}: cannot read it ({error.strerror}); check its permissions"
        ) from None
    return meta


def is_model_dir(directory: Path) -> bool:
    """Whether `directory` was written by `SpookyClassifier.save`, of any format version.

    Marked models (format 5 on) say so in config.json, and so does their manifest (which
    still identifies a model whose config.json was damaged). Format 4 had no marker; its
    config.json is recognised by the keys only `save` wrote together.
    """
    meta = _read_json(directory / CONFIG_FILE)
    if meta is not None and _is_ours(meta):
        return True
    try:
        return read_manifest(directory) is not None
    except (ManifestError, OSError):
        return False


def foreign_entries(model_dir: Path) -> list[str]:
    """Top-level names in a model directory that `save` did not write (nor `report`): what
    replacing the directory would delete although it is not part of the model."""
    expected = {CONFIG_FILE, MANIFEST_FILE, OOF_FILE, REPORT_FILE, *FILE_MANAGER_FILES}
    meta = _read_json(model_dir / CONFIG_FILE)
    if meta is not None and isinstance(meta.get("members"), dict):
        expected |= {name for model in meta["members"] for name in (model, base_oof_file(model))}
    with contextlib.suppress(ManifestError, OSError):
        expected |= {name.split("/")[0] for name in read_manifest(model_dir) or {}}
    return sorted(path.name for path in model_dir.iterdir() if path.name not in expected)


def model_files(model_dir: Path) -> set[Path]:
    """The resolved paths of the files a saved model is made of (empty if it has no manifest)."""
    try:
        files = read_manifest(model_dir) or {}
    except (ManifestError, OSError):
        files = {}
    return {(model_dir / name).resolve() for name in [*files, MANIFEST_FILE]} if files else set()


def saved_train_csv(model_dir: Path) -> Path | None:
    """The training file a saved model records it was fitted on, if any."""
    meta = _read_json(Path(model_dir) / CONFIG_FILE)
    train_csv = meta.get("train_csv") if meta is not None and _is_ours(meta) else None
    return Path(train_csv) if isinstance(train_csv, str) else None


def _is_ours(meta: dict) -> bool:
    legacy = {"format_version", "lstm_spooky_version", "config", "members"} <= set(meta)
    return meta.get("format") == FORMAT_MARKER or legacy


def _read_json(path: Path) -> dict | None:
    """A JSON object from `path`; None when the file is absent or holds anything else."""
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None
