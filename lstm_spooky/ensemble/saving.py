"""A fit's state (`FittedState`) written to its model directory, and read back (store/model_dir.py has the layout).

Everything is plain JSON, CSV and each base model's own files: nothing is pickled. The
directory is written atomically with its manifest last (store/), so a reader sees the old
model or the new one, and `load` can tell a complete directory from a damaged one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._version import __version__
from ..config import SpookyConfig
from ..data.labels import encode_labels
from ..models import registry
from ..models.base import BaseModel
from ..store.atomic import atomic_directory
from ..store.fit_steps import ALL_ROWS, fold_step
from ..store.manifest import write_manifest
from ..store.model_dir import (
    CONFIG_FILE,
    DOCUMENTS_FILE,
    FORMAT_MARKER,
    FORMAT_VERSION,
    FORMAT_VERSION_WITHOUT_POOL,
    OOF_FILE,
    POOL_FILE,
    SPLITTER_FILE,
    base_oof_file,
    member_dir,
)
from .documents import DocumentCalibration
from .pool_scores import PoolScores
from .stack import Stacker

if TYPE_CHECKING:
    from ..text.sentences import Splitter


@dataclass(frozen=True)
class FittedState:
    """What a fit learns and a model directory keeps, written and read as a whole.

    classes : (n_classes,) the labels, sorted; class id i is classes[i]
    config : the settings of the fit
    members : base model name -> the fitted models that predict: a network's fold members, any other model's one
        refitted on all rows (a model read with its networks apart has none of theirs)
    combiner : the stack (several base models, `config.stacked`) or the temperature (one)
    cv : the cross-validated scores (metrics.py)
    pool : the unlabelled pool's kept scores (`fit --unlabeled`), or None
    splitter : the sentence splitter that cut a corpus folder's texts into the training rows, or None
    documents : how passages of sentences are weighed into document verdicts, or None (a model saved before them,
        or fitted on too few rows)
    ids, y : (n_rows,) each training row's id and class id
    held_out : (n_rows,) whether some fold held the row out (every row a saved model keeps was)
    oof : (n_held_out, n_classes) the final out-of-fold probabilities of the held-out rows
    base_oof : base model name -> (n_rows, n_classes) its raw out-of-fold probabilities
    """

    classes: np.ndarray
    config: SpookyConfig
    members: dict[str, list[BaseModel]]
    combiner: Stacker | float
    cv: dict
    pool: PoolScores | None
    splitter: Splitter | None
    documents: DocumentCalibration | None
    ids: np.ndarray
    y: np.ndarray
    held_out: np.ndarray
    oof: np.ndarray
    base_oof: dict[str, np.ndarray]

    def oof_frame(self, model: str | None = None) -> pd.DataFrame:
        """Out-of-fold probabilities of the held-out rows: id, one column per label, author (the true label).
        Without `model`, the final ones; with a base model's name, its raw ones."""
        proba = self.oof if model is None else self.base_oof[model][self.held_out]
        frame = pd.DataFrame(proba, columns=[str(label) for label in self.classes])
        frame.insert(0, "id", self.ids[self.held_out])
        frame["author"] = self.classes[self.y[self.held_out]]
        return frame


def member_names(name: str, n_members: int) -> list[str]:
    """The directory names of base model `name`'s members: a network's fold members, else the one
    refitted on all rows."""
    if registry.entry(name).network:
        return [fold_step(k, n_members).member() for k in range(n_members)]
    return [ALL_ROWS.member()]


def write_model_dir(state: FittedState, model_dir: str | Path, extra: dict | None = None) -> None:
    """Write the fitted `state` to `model_dir` atomically; `extra` entries are kept in config.json."""
    stacked, pool = state.config.stacked, state.pool
    combiner = {"stack": state.combiner.to_dict()} if stacked else {"temperature": state.combiner}
    names = {name: member_names(name, len(members)) for name, members in state.members.items()}
    meta = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION if pool is not None else FORMAT_VERSION_WITHOUT_POOL,
        "lstm_spooky_version": __version__,
        "classes": state.classes.tolist(),
        "config": state.config.to_dict(),
        "members": names,
        "cv": state.cv,
        **combiner,
        **({"pool": pool.summary()} if pool is not None else {}),
        **({"sentence_splitter": SPLITTER_FILE} if state.splitter is not None else {}),
        **({"document_calibration": DOCUMENTS_FILE} if state.documents is not None else {}),
        **(extra or {}),
    }
    with atomic_directory(model_dir) as tmp:
        (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        state.oof_frame().to_csv(tmp / OOF_FILE, index=False, float_format="%.6g")
        for name, members in state.members.items():
            state.oof_frame(name).to_csv(tmp / base_oof_file(name), index=False, float_format="%.6g")
            for member_name, member in zip(names[name], members):
                member_dir(tmp, name, member_name).mkdir(parents=True)
                member.save(member_dir(tmp, name, member_name))
        if pool is not None:
            pool.save(tmp / POOL_FILE)
        if state.splitter is not None:
            state.splitter.save(tmp / SPLITTER_FILE)
        if state.documents is not None:
            (tmp / DOCUMENTS_FILE).write_text(json.dumps(state.documents.to_dict()), encoding="utf-8")
        write_manifest(tmp)  # last: only a completely written directory has one


def read_model_dir(model_dir: Path, meta: dict, apart: Sequence[str] = ()) -> FittedState:
    """What `write_model_dir` wrote to `model_dir`, whose config.json is `meta`: every base model's members but
    those in `apart` (run in the network process), the stack or temperature, the pool's scores, the out-of-fold
    files, the sentence splitter and document calibration if they were saved. Every saved row was held out."""
    config = SpookyConfig.from_dict(meta["config"])
    classes = np.array(meta["classes"])  # JSON keeps their type: "EAP", or 2
    labels = [str(label) for label in classes]
    members = {
        name: [
            registry.entry(name).model_class().load(member_dir(model_dir, name, member))
            for member in meta["members"][name]
        ]
        for name in config.models
        if name not in apart
    }
    combiner = Stacker.from_dict(meta["stack"]) if config.stacked else float(meta["temperature"])
    pool = PoolScores.load(model_dir / POOL_FILE) if "pool" in meta else None
    splitter = _read_splitter(model_dir / SPLITTER_FILE) if "sentence_splitter" in meta else None
    documents = (
        DocumentCalibration.from_dict(json.loads((model_dir / DOCUMENTS_FILE).read_text(encoding="utf-8")))
        if "document_calibration" in meta
        else None
    )
    final = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str, "author": str})
    base_oof = {
        name: pd.read_csv(model_dir / base_oof_file(name))[labels].to_numpy(dtype=np.float64) for name in config.models
    }
    return FittedState(
        classes=classes,
        config=config,
        members=members,
        combiner=combiner,
        cv=meta["cv"],
        pool=pool,
        splitter=splitter,
        documents=documents,
        ids=final["id"].to_numpy(),
        y=encode_labels(final["author"], labels),
        held_out=np.ones(len(final), dtype=bool),
        oof=final[labels].to_numpy(dtype=np.float64),
        base_oof=base_oof,
    )


def _read_splitter(path: Path) -> Splitter:
    """The sentence splitter saved with a model fitted on a corpus folder."""
    from ..text.sentences import Splitter  # NLTK, for these models alone

    return Splitter.load(path)
