"""A fitted SpookyClassifier written to its model directory, and read back (store/model_dir.py has the layout).

Everything is plain JSON, CSV and each base model's own files: nothing is pickled. The
directory is written atomically with its manifest last (store/), so a reader sees the old
model or the new one, and `load` can tell a complete directory from a damaged one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._version import __version__
from ..data.corpus import encode_labels
from ..models import registry
from ..store.atomic import atomic_directory
from ..store.fit_steps import ALL_ROWS, fold_step
from ..store.manifest import write_manifest
from ..store.model_dir import (
    CONFIG_FILE,
    FORMAT_MARKER,
    FORMAT_VERSION,
    FORMAT_VERSION_WITHOUT_POOL,
    OOF_FILE,
    POOL_FILE,
    base_oof_file,
    member_dir,
)
from .pool_scores import PoolScores
from .stack import Stacker

if TYPE_CHECKING:
    from .classifier import SpookyClassifier


def member_names(name: str, n_members: int) -> list[str]:
    """The directory names of base model `name`'s members: a network's fold members, else the one
    refitted on all rows."""
    if registry.entry(name).network:
        return [fold_step(k, n_members).member() for k in range(n_members)]
    return [ALL_ROWS.member()]


def write_model_dir(model: SpookyClassifier, model_dir: str | Path, extra: dict | None = None) -> None:
    """Write the fitted `model` to `model_dir` atomically; `extra` entries are kept in config.json."""
    combiner = {"stack": model.stacker_.to_dict()} if model.config_.stacked else {"temperature": model.temperature_}
    names = {name: member_names(name, len(members)) for name, members in model.members_.items()}
    pool = model.pool_
    meta = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION if pool is not None else FORMAT_VERSION_WITHOUT_POOL,
        "lstm_spooky_version": __version__,
        "classes": model.classes_.tolist(),
        "config": model.config_.to_dict(),
        "members": names,
        "cv": model.cv_,
        **combiner,
        **({"pool": pool.summary()} if pool is not None else {}),
        **(extra or {}),
    }
    with atomic_directory(model_dir) as tmp:
        (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        model.oof_frame().to_csv(tmp / OOF_FILE, index=False, float_format="%.6g")
        for name, members in model.members_.items():
            model.oof_frame(name).to_csv(tmp / base_oof_file(name), index=False, float_format="%.6g")
            for member_name, member in zip(names[name], members):
                member_dir(tmp, name, member_name).mkdir(parents=True)
                member.save(member_dir(tmp, name, member_name))
        if pool is not None:
            pool.save(tmp / POOL_FILE)
        write_manifest(tmp)  # last: only a completely written directory has one


def read_model_dir(model: SpookyClassifier, model_dir: Path, meta: dict, apart: list[str]) -> None:
    """Fill `model` (built from meta's config) with what `write_model_dir` wrote: every base model's members
    but those in `apart` (run in the network process), the stack or temperature, the pool's scores, the
    out-of-fold files."""
    model.classes_ = np.array(meta["classes"])  # JSON keeps their type: "EAP", or 2
    labels = [str(label) for label in model.classes_]
    model.members_ = {}
    for name in model.config_.models:
        if name not in apart:
            model_class = registry.entry(name).model_class()
            model.members_[name] = [
                model_class.load(member_dir(model_dir, name, member)) for member in meta["members"][name]
            ]
    if model.config_.stacked:
        model.stacker_ = Stacker.from_dict(meta["stack"])
    else:
        model.temperature_ = float(meta["temperature"])
    model.cv_ = meta["cv"]
    model.pool_ = PoolScores.load(model_dir / POOL_FILE) if "pool" in meta else None
    final = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str, "author": str})
    model.ids_, model.y_ = final["id"].to_numpy(), encode_labels(final["author"], labels)
    model.held_out_ = np.ones(len(final), dtype=bool)
    model.oof_ = final[labels].to_numpy(dtype=np.float64)
    model.base_oof_ = {
        name: pd.read_csv(model_dir / base_oof_file(name))[labels].to_numpy(dtype=np.float64)
        for name in model.config_.models
    }
