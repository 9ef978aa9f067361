"""The base models lstm-spooky can train, in one table that everything listing models reads.

Each entry names a model, says where its class lives (imported only when it is used: the
networks pull in TensorFlow, about 3 s), which `SpookyConfig` field holds its settings, and
its traits: a network trained by epochs or not, whether it can explain, its expected cost.
The classifier, the command's `--models` help and completion, the run plan, `--explain`,
`scripts/compare_backends.py` and the tests all read this table.

A new base model is therefore two things: its module, a class keeping `base.BaseModel`, and
one entry here, written with keywords. The package's own classes inherit their constructor and
fitted check from `base.SettingsModel`, and a model fitted by counting its `fit` from
`base.NGramModel`. Settings of its own are a third thing, and only then: a dataclass in
`config` held by a `SpookyConfig` field that `settings_field` names (each count's least value
beside its field, `config.at_least`); without them the model gets the whole `SpookyConfig`.
`register` adds an entry from outside the package, for the running process.

The order is the order of preference for explanations (`explaining_model`) and of the help.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import SpookyConfig
from .base import BaseModel


@dataclass(frozen=True, kw_only=True)
class ModelEntry:
    """One base model: its name (as `--models` and `SpookyConfig.models` spell it) and what the ensemble
    needs to know of it."""

    name: str
    target: str  # "module:Class" of its BaseModel
    summary: str  # what it is, in a few words, for `fit --help`
    # The SpookyConfig field holding its settings, handed to the class; None: the whole SpookyConfig.
    settings_field: str | None = None
    # The run plan's first guess at its cost: seconds of fit per training row of one fold on 2 CPU
    # cores (the default model's benchmark, 80/20 split); each model's measured cost replaces it.
    seconds_per_row: float = 1e-3
    # For a network trained by Keras epoch by epoch and early-stopped on its held-out fold: its
    # (most, expected) epochs from its settings. Its fold members predict (it is not refitted on
    # all rows: early stopping needs held-out rows), and a saved model runs them in a second process.
    epochs: Callable[[Any], tuple[int, int]] | None = None
    explains: str | None = None  # what its token scores are, if it keeps `base.TokenScores` (`--explain`)
    raw_scores: bool = False  # its "probabilities" are raw scores, made probabilities by the stack only
    extra: str | None = None  # the pip extra it needs

    @property
    def network(self) -> bool:
        return self.epochs is not None

    def model_class(self) -> type[BaseModel]:
        """Its class, imported now (a network's starts TensorFlow first, without its start-up lines)."""
        if self.network:
            from .tensorflow_start import start_tensorflow_quietly

            start_tensorflow_quietly()
        module, _, name = self.target.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except ImportError as error:
            if self.extra is None:
                raise
            raise ValueError(
                f"the {self.name} model needs the {self.extra} extra ({error}): pip install 'lstm-spooky[{self.extra}]'"
            ) from None

    def settings(self, config: SpookyConfig) -> Any:
        return config if self.settings_field is None else getattr(config, self.settings_field)

    def make(self, config: SpookyConfig) -> BaseModel:
        """An unfitted model with its part of `config`."""
        return self.model_class()(self.settings(config))


def _linear(name: str, summary: str, seconds_per_row: float) -> ModelEntry:
    # Each of these has a LinearConfig field of its own name; they and their settings were chosen by
    # forward selection on the stack's 5-fold log loss on the Kaggle training set (docs/experiments.md).
    return ModelEntry(
        name=name,
        target="lstm_spooky.models.linear:LinearModel",
        summary=summary,
        settings_field=name,
        seconds_per_row=seconds_per_row,
        raw_scores=True,
    )


MODELS: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in (
        ModelEntry(
            name="bilstm",
            target="lstm_spooky.models.bilstm:BiLSTMModel",
            summary="the BiLSTM over word embeddings and NB ratios",
            seconds_per_row=2.6e-3,  # with NB ratios and width batches: 170 s for 5 folds of 13,297 rows
            epochs=lambda config: (config.max_epochs, min(config.max_epochs, config.patience + 3)),
        ),
        ModelEntry(
            name="nblr",
            target="lstm_spooky.models.nblr:NBLRModel",
            summary="NB-weighted logistic regression on word and character n-grams",
            settings_field="nblr",
            seconds_per_row=1.0e-3,
            explains="word n-grams of the NB-LR model (TF-IDF value x weight in each label's one-vs-rest score, "
            "shared among the n-gram's words)",
        ),
        ModelEntry(
            name="lm",
            target="lstm_spooky.models.lm:LMModel",
            summary="Kneser-Ney language models of characters and words, per label",
            settings_field="lm",
            seconds_per_row=1.3e-3,
            explains="per-word log-likelihood ratios of the word language models "
            "(the label's log-probability of the word minus the mean over labels)",
        ),
        _linear("mnb_words", "naive Bayes on word counts, for the stack", 3e-5),
        _linear("mnb_chars", "naive Bayes on character 1-5-gram counts, for the stack", 3.8e-4),
        _linear("svm_words", "linear SVM on TF-IDF word 1-2-grams, for the stack", 9e-5),
        _linear("svm_words_binary", "linear SVM on word 1-2-gram presence, for the stack", 9e-5),
        _linear("svm_chars", "linear SVM on TF-IDF character 2-5-grams, for the stack", 4.4e-4),
        ModelEntry(
            name="tinybert",
            target="lstm_spooky.models.tinybert:TinyBERTModel",
            summary="a fine-tuned small BERT (the bert extra)",
            settings_field="bert",
            seconds_per_row=7.5e-2,  # all-MiniLM-L6, docs/experiments.md's comparison of base models
            epochs=lambda config: (config.epochs, config.epochs),
            extra="bert",
        ),
    )
}


def entry(name: str) -> ModelEntry:
    """The entry of model `name`; ValueError naming the choices for any other name."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}") from None


def check_names(names: Sequence[str]) -> None:
    """ValueError unless `names` is one or more registered model names."""
    unknown = [name for name in names if name not in MODELS]
    if unknown or not names:
        raise ValueError(f"models: {list(names)!r}; choose one or more of {', '.join(MODELS)}")


def register(new: ModelEntry) -> None:
    """Add a base model to the table, under a name not yet taken.

    A model registered here is known in this process only: a saved model naming it loads
    where the same `register` ran first.
    """
    if new.name in MODELS:
        raise ValueError(f"a model named {new.name!r} is registered already")
    MODELS[new.name] = new


def explaining_model(names: Sequence[str]) -> str:
    """The first model among `names`, in the table's order, whose token scores can explain; ValueError if none."""
    for name, candidate in MODELS.items():
        if name in names and candidate.explains is not None:
            return name
    able = [name for name, candidate in MODELS.items() if candidate.explains is not None]
    raise ValueError(
        f"explanations need one of the models {', '.join(able)}, and this model has only {', '.join(names)}; "
        f"refit with --models ...,{able[0]}"
    )
