"""SpookyClassifier: k-fold bagged base models, calibrated or stacked.

It follows scikit-learn's conventions: `__init__` stores the config, `fit` learns the
attributes ending in an underscore and returns self, and predictions are checked to
come from a fitted model. The label set is learned too: `classes_` holds the distinct
labels, sorted (for Kaggle's file: EAP, HPL, MWS), and every probability column,
base model, stack and saved file follows it.

It orchestrates; the work is done by the modules beside it. `fit` trains every base model
named in `config.models` (models/registry.py) on the same stratified folds (folds.py).
With one base model a temperature fitted on its out-of-fold predictions calibrates it
(calibration.py); with several (`config.stacked`), a logistic-regression stack over their
out-of-fold stack features combines and calibrates (stack.py). To predict, a network's fold
members are averaged, while every other model is refitted once on all rows (measured on an
80/20 split: 0.002 lower log loss than averaging its fold models, and five times faster);
prediction.py scores in chunks, the networks in a second process when asked. The saved
directory (store/model_dir.py) holds everything `submit` needs.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from ..config import SpookyConfig
from ..config_check import check_config
from ..data.corpus import validate_texts
from ..data.labels import encode_labels, label_set
from ..models import registry
from ..models.base import BaseModel
from ..store.checkpoints import FoldCheckpoints, data_fingerprint
from ..store.fit_steps import ALL_ROWS
from ..store.model_dir import read_model_meta
from .calibration import apply_temperature, cross_fitted_temperature, fit_temperature, geometric_mean
from .cross_fit import WORKERS, check_pool_models, learn_pool, unlabeled_pool
from .document_validation import document_validation
from .documents import DocumentCalibration, fit_document_calibration, held_out, passage_layout
from .estimator import ConfigParams
from .explanation import Explanation, explain
from .folds import FitContext, check_label_counts, fit_member, fit_on_folds, fold_splits
from .groups import single_group_labels, single_group_warning
from .metrics import cv_scores
from .passage_map import PassageMap, passage_map
from .plan import RunProgress, Status, fit_plan
from .pool_scores import PoolScores, PoolTokenScores
from .prediction import CHUNK_ROWS, Blocks, stacked_chunks, text_chunks
from .saving import FittedState, read_model_dir, write_model_dir
from .stack import Stacker, meta_features

if TYPE_CHECKING:
    from ..text.sentences import Sentence, Splitter  # NLTK, imported only by a model that has a splitter


def _imported(names: Sequence[str]) -> list[registry.ModelEntry]:
    """The registry's entries of the base models `names`, each one's class imported (ImportError for a missing
    extra)."""
    entries = [registry.entry(name) for name in names]
    for entry in entries:
        entry.model_class()
    return entries


def _start_run(
    config: SpookyConfig,
    splits: list,
    n_rows: int,
    pool_entries: list[registry.ModelEntry],
    pool_rows: int,
    log: Callable[[str], None] | None,
    status: Callable[[Status], None] | None,
) -> RunProgress:
    """The fit's plan, its progress reported to `log` and `status` from its first line on."""
    pool_models = [entry.name for entry in pool_entries]
    plan = fit_plan(config.models, splits, n_rows, pool_models, pool_rows, config.pool_parts, WORKERS)
    run = RunProgress(plan, log, status)
    run.line(
        f"{len(run.tasks)} fits planned ({len(config.models)} models, {len(splits)} fold(s), "
        "n-gram models refitted on all rows)"
    )
    return run


def _pool(
    config: SpookyConfig, unlabeled: Iterable[str] | None, texts: list[str], log: Callable[[str], None] | None
) -> tuple[list[str], list[registry.ModelEntry]]:
    """The unlabelled pool's sentences (those not repeating `texts`) and the base models that learn from them."""
    pool_texts = unlabeled_pool(unlabeled, texts, log) if unlabeled is not None else []
    pool_entries = [registry.entry(name) for name in config.pool_models if name in config.models and pool_texts]
    check_pool_models(pool_entries)
    return pool_texts, pool_entries


def _refit(entry: registry.ModelEntry, texts: np.ndarray, y: np.ndarray, ctx: FitContext) -> BaseModel:
    """Model `entry` fitted once more on all rows, to predict with."""
    start = time.perf_counter()
    refit = fit_member(entry, ALL_ROWS, (list(texts), y), None, ctx.config.seed, ctx)
    ctx.run.line(f"{entry.name}  {ALL_ROWS.task}  refitted for prediction  {time.perf_counter() - start:.0f}s")
    return refit


def _proba_of(members: list[BaseModel]) -> Callable[[list[str]], np.ndarray]:
    """A base model's probabilities of texts, its members (fold networks) averaged in log space."""
    return lambda texts: geometric_mean([member.predict_proba(texts) for member in members])


class SpookyClassifier(ConfigParams, ClassifierMixin, BaseEstimator):
    """Author (or any label) classifier with calibrated probabilities over the labels `classes_`.

    A scikit-learn estimator: `config` (a SpookyConfig; None for the defaults) and `random_state`
    (an int, a RandomState or None: the config's seed) are its parameters, and every setting of
    the config is one too, as `config__folds` or `config__nblr__c` (estimator.py). `fit` learns
    `config_`, the settings it used, with the rest.
    """

    _network_process = None  # set by load(networks_apart=True)

    def __init__(self, config: SpookyConfig | None = None, *, random_state: int | np.random.RandomState | None = None):
        self.config = config
        self.random_state = random_state

    def __sklearn_tags__(self):
        """Its input is a list of texts, not a 2-D array of numbers."""
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array, tags.input_tags.two_d_array, tags.input_tags.string = True, False, True
        return tags

    def fit(
        self,
        texts: Iterable[str],
        labels: Sequence,
        *,
        ids: Sequence[str] | None = None,
        log: Callable[[str], None] | None = None,
        checkpoint_dir: str | Path | None = None,
        resume: bool = False,
        status: Callable[[Status], None] | None = None,
        unlabeled: Iterable[str] | None = None,
        groups: Sequence | None = None,
        splitter: Splitter | None = None,
    ) -> SpookyClassifier:
        """Train every base model on every fold (see SpookyConfig.folds and .models).

        `labels` are any two or more distinct values (strings, integers, ...); `classes_` becomes
        their sorted set, of their own type, and `predict` returns them. The keyword-only
        arguments are how the fit runs, not what it learns: the rows' `ids` (for the saved
        out-of-fold files), progress (`log`, `status`) and checkpoints. Each label needs at least
        one sentence per fold (two with `folds=1`). `log` receives progress lines, each ending with
        the whole fit's share done and time left; `status` (for a live view) receives a `plan.Status` at every
        step. With `checkpoint_dir`, each finished fold model is saved there at once, and
        `resume=True` reloads the ones a previous, interrupted call with the same config and
        data already finished.

        `unlabeled` sentences (a pool: Kaggle's test sentences, the ones you will classify) are
        pseudo-labelled by the model fitted on the labelled rows, and the base models named in
        `config.pool_models` are refitted with the confident ones, cross-fitted so that no pool
        sentence is ever scored by a model that saw it (cross_fit.py). Sentences that repeat a training
        sentence are left out of the pool; the stack, calibrations and out-of-fold scores are the
        labelled rows' alone.

        `groups` (each row's work: a novel's name) make the folds hold out whole works (groups.py), so the
        out-of-fold scores, the stack and the calibrations say how the models do on a work they never saw.
        `splitter`, the sentence splitter that cut whole texts into these rows, is kept as `splitter_` and saved.
        """
        config, entries = self._start_fit()
        texts = self._learn_labels(texts, labels, ids, groups)
        self.splitter_ = splitter
        pool_texts, pool_entries = _pool(config, unlabeled, texts, log)
        splits = self._splits(log)
        run = _start_run(config, splits, len(texts), pool_entries, len(pool_texts), log, status)
        self.checkpoints_ = self._checkpoints(checkpoint_dir, resume, texts)
        ctx = FitContext(config, len(self.classes_), self.checkpoints_, run)
        self._fit_base_models(entries, np.array(texts, dtype=object), splits, ctx)
        self.documents_ = self._fit_documents(texts, splits, run)
        self.pool_ = None  # the model that pseudo-labels the pool is the labelled rows' alone
        self.pool_ = self._learn_pool(np.array(pool_texts, dtype=object), pool_entries, texts, ctx)
        return self

    def _start_fit(self) -> tuple[SpookyConfig, list[registry.ModelEntry]]:
        """Forget any earlier fit and learn `config_`; the settings and the base models' entries, checked."""
        self._forget_fit()
        self.config_ = config = self._settings()
        check_config(config)  # a wrong setting (set_params, a hand-made config) is named now, not deep in a fold
        return config, _imported(config.models)  # a missing extra fails now, not after an hour of folds

    def _checkpoints(self, checkpoint_dir: str | Path | None, resume: bool, texts: list[str]) -> FoldCheckpoints | None:
        """Where each finished fit is kept, for a resume of this same fit: same settings, labels and rows."""
        if checkpoint_dir is None:
            return None
        fingerprint = {
            "config": self.config_.to_dict(),
            "classes": self.classes_.tolist(),
            "data": data_fingerprint(texts, self.y_),
            # only when given, so that an ungrouped run's checkpoints stay as they were
            **({"groups": data_fingerprint(self.groups_.tolist(), self.y_)} if self.groups_ is not None else {}),
        }
        return FoldCheckpoints(checkpoint_dir, fingerprint, resume)

    def _fit_base_models(
        self, entries: list[registry.ModelEntry], texts: np.ndarray, splits: list, ctx: FitContext
    ) -> None:
        """Every base model on every fold, then the stack or the temperature: learns `members_`, `base_oof_`,
        `held_out_`, `oof_` and `cv_`."""
        y, oof_features = self.y_, {}
        self.members_, self.base_oof_, self.fit_seconds_ = {}, {}, {}
        for entry in entries:
            start = time.perf_counter()
            fits = fit_on_folds(entry, texts, y, splits, ctx)
            self.base_oof_[entry.name], oof_features[entry.name] = fits.oof, fits.features
            self.members_[entry.name] = fits.members if entry.network else [_refit(entry, texts, y, ctx)]
            self.fit_seconds_[entry.name] = time.perf_counter() - start
        self.held_out_ = ~np.isnan(next(iter(self.base_oof_.values()))[:, 0])
        self.oof_ = self._combine(texts, oof_features)
        self.cv_ = self._scores(splits)

    def _fit_documents(self, texts: list[str], splits: list, run: RunProgress) -> DocumentCalibration | None:
        """How passages' sentences are weighed into document verdicts, learnt on held-out works (documents.py)."""
        start = time.perf_counter()
        proba = np.full((len(self.y_), len(self.classes_)), np.nan)
        proba[self.held_out_] = self.oof_
        layout = passage_layout(self.y_, self.groups_, max(self.config_.folds, 2), self.config_.seed)
        found = held_out(proba, texts, self.y_, len(self.classes_), splits, layout, self.config_.seed)
        documents = fit_document_calibration(found)
        if documents is not None:
            validation = document_validation(documents, found, texts, self.y_, self.groups_)
            documents = dataclasses.replace(documents, validation=validation)
        run.line(f"document verdicts calibrated on held-out passages  {time.perf_counter() - start:.0f}s")
        return documents

    def _learn_pool(
        self, pool_texts: np.ndarray, entries: list[registry.ModelEntry], texts: list[str], ctx: FitContext
    ) -> PoolScores | None:
        """Learn from the pool (cross_fit.py), pseudo-labelled by this model as fitted on the labelled rows: each of
        `entries` becomes the model refitted with the whole pool. The pool's kept scores; None without `entries`,
        or when no pseudo-label was confident enough."""
        if not entries:
            return None
        scores, whole_pool = learn_pool(self.predict_proba, pool_texts, entries, (texts, self.y_), ctx)
        self.members_ |= {name: [model] for name, model in whole_pool.items()}
        return scores

    def without(self, model: str) -> SpookyClassifier:
        """This stack with base model `model` left out: the other members as fitted, the stack refitted
        on their same out-of-fold features. An ablation on the same folds, for a stack fitted by
        this process (the out-of-fold features are not saved with the model)."""
        self._check_fitted()
        models = tuple(name for name in self.config_.models if name != model)
        if model not in self.config_.models or len(models) < 2:
            raise ValueError(f"{model!r} must be one of at least three stacked models {list(self.config_.models)}")
        if not hasattr(self, "stack_blocks_"):
            raise ValueError(
                "without() needs a stack fitted by this process; a loaded model has no out-of-fold features"
            )
        other = copy.copy(self)
        other.config = other.config_ = self.config_.replace(models=models)
        other.members_ = {name: self.members_[name] for name in models}
        other.base_oof_ = {name: self.base_oof_[name] for name in models}
        other.stack_blocks_ = {name: block for name, block in self.stack_blocks_.items() if name != model}
        other.oof_ = other._fit_stack()
        other.cv_ = other._scores(self._splits())
        return other

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities of shape (n_samples, n_classes), columns in `classes_` order, rows summing to 1."""
        return np.concatenate(list(self.iter_proba(texts)))

    def iter_proba(self, texts: Iterable[str], chunk_rows: int = CHUNK_ROWS) -> Iterator[np.ndarray]:
        """`predict_proba` of `chunk_rows` texts at a time, in order: memory stays flat as the input grows."""
        self._check_fitted()
        chunks = text_chunks(validate_texts(texts), chunk_rows)
        if self.config_.stacked:
            yield from stacked_chunks(chunks, self.members_, self._network_process, self._stack, self.pool_)
        else:
            for chunk in chunks:
                (proba,) = self.base_proba(chunk).values()
                yield apply_temperature(proba, self.temperature_)

    def passage_proba(self, sentences: Sequence[str], runs: Sequence[tuple[int, int]]) -> np.ndarray:
        """Document verdicts of passages: each run [start, stop) of consecutive `sentences` (the sentences of one or
        more texts, in order) gets its probabilities, calibrated for its length on works the model never saw
        (documents.py); shape (len(runs), n_classes). Each sentence is scored once, however many runs hold it."""
        self._check_fitted()
        if self.documents_ is None:
            raise ValueError(
                "this model has no document calibration (saved by an earlier version, or fitted on too few "
                "sentences); fit it again to attribute documents"
            )
        sentences = validate_texts(sentences)
        proba = self.predict_proba(sentences) if sentences else np.zeros((0, len(self.classes_)))
        return self.documents_.proba_of_runs(proba, sentences, np.asarray(runs, dtype=int).reshape(-1, 2))

    def split_sentences(self, text: str) -> list[Sentence]:
        """`text`'s sentences with their spans, cut by the splitter of the corpus the model was fitted on (an
        untrained one, knowing the usual abbreviations, for a model fitted on sentences)."""
        self._check_fitted()
        from ..text.sentences import untrained_splitter

        return (self.splitter_ or untrained_splitter()).split(text)

    def attribute(self, documents: Iterable[str]) -> np.ndarray:
        """Each whole text's probabilities, shape (n_documents, n_classes): split into sentences (`split_sentences`),
        then weighed as one passage (`passage_proba`). A text with no sentence gets the prior."""
        sentences: list[str] = []
        runs = []
        for document in documents:
            split = [sentence.text for sentence in self.split_sentences(document)]
            runs.append((len(sentences), len(sentences) + len(split)))
            sentences += split
        return self.passage_proba(sentences, runs)

    def passage_map(self, text: str, window: int | None = None, step: int | None = None) -> PassageMap:
        """Where in `text` each label's evidence lies: the verdict of each window of `window` consecutive sentences
        (default: about a twentieth of the text, at most 50) every `step` (default `window`), and of the whole
        text (passage_map.py)."""
        return passage_map(self, text, window, step)

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most probable label of each sentence, shape (n_samples,)."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def base_proba(self, texts: Iterable[str], models: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Raw probabilities of each base model (default: all), its members (fold networks) averaged in log space;
        a sentence of the unlabelled pool (`fit(..., unlabeled=...)`) gets those of the models that left it out."""
        self._check_fitted()
        texts = validate_texts(texts)
        models = models or self.config_.models
        apart = [name for name in models if name in self.config_.models and name not in self.members_]
        if apart:
            raise ValueError(
                f"{', '.join(apart)} run in the network process of this model (networks_apart=True), "
                "which only scores the stack; load it without networks_apart"
            )
        scores = {name: _proba_of(self.members_[name]) for name in models}
        if self.pool_ is None:
            return {name: score(texts) for name, score in scores.items()}
        return {name: self.pool_.scores("proba", name, texts, score) for name, score in scores.items()}

    def explain(self, texts: Iterable[str]) -> list[Explanation]:
        """Per text, how far each of its words pushed it towards each label, read off the first base model
        that can explain (NB-LR, else the language models); ValueError when none of them is in the model."""
        self._check_fitted()
        source = registry.explaining_model(self.config_.models)
        model = self.members_[source][0]
        if self.pool_ is not None and source in self.pool_.tokens:  # a pool sentence is explained without itself
            model = PoolTokenScores(model, self.pool_, source)
        return explain(model, validate_texts(texts), [str(label) for label in self.classes_], source)

    def oof_frame(self, model: str | None = None) -> pd.DataFrame:
        """Out-of-fold probabilities of the held-out rows: id, one column per label, author (the true label).

        Without `model`, the final (calibrated or stacked) ones, each row's calibration
        fitted on other rows; with a base model's name, its raw ones.
        """
        self._check_fitted()
        return self._fitted_state().oof_frame(model)

    def save(self, model_dir: str | Path, extra: dict | None = None) -> None:
        """Write the model directory atomically: readers see the old model or the new one.

        `extra` entries (e.g. where the training data came from) are kept in config.json.
        """
        self._check_fitted()
        write_model_dir(self._fitted_state(), model_dir, extra)

    @classmethod
    def load(cls, model_dir: str | Path, networks_apart: bool = False) -> SpookyClassifier:
        """Rebuild a classifier saved by `save`; raises ValueError for anything else, or for a
        directory whose files differ from its manifest (missing, truncated, edited).

        With `networks_apart`, a stack's networks (BiLSTM, BERT) are loaded and run in a second
        process (network_process.py): faster scoring on two cores, and this process never imports
        TensorFlow. Such a model only scores (`predict_proba`, `iter_proba`, `predict`, `explain`);
        `close()` ends the second process. As with any multiprocessing, a script that asks for it
        needs the `if __name__ == "__main__":` guard (the second process imports the script again).
        """
        model_dir = Path(model_dir)
        meta = read_model_meta(model_dir)
        model = cls(SpookyConfig.from_dict(meta["config"]))
        apart = [name for name in model.config.models if registry.entry(name).network] if networks_apart else []
        if 0 < len(apart) < len(model.config.models):  # first, so that they load while this process loads the rest
            from .network_process import NetworkProcess

            model._network_process = NetworkProcess(model_dir, {name: meta["members"][name] for name in apart})
        running_apart = model._network_process.names if model._network_process else []
        try:
            model._restore(read_model_dir(model_dir, meta, running_apart))
        except BaseException:
            model.close()
            raise
        return model

    def can_score(self) -> bool:
        """Whether it can score: False once the second process of a model loaded with `networks_apart` (its
        networks') has ended. Without one, nothing can end."""
        return self._network_process is None or self._network_process.running()

    def close(self) -> None:
        """End the second process of a model loaded with `networks_apart` (nothing to do otherwise)."""
        if self._network_process is not None:
            self._network_process.close()
            self._network_process = None

    def _fitted_state(self) -> FittedState:
        """What this fit learnt, as a model directory keeps it."""
        return FittedState(
            classes=self.classes_,
            config=self.config_,
            members=self.members_,
            combiner=self.stacker_ if self.config_.stacked else self.temperature_,
            cv=self.cv_,
            pool=self.pool_,
            splitter=self.splitter_,
            documents=self.documents_,
            ids=self.ids_,
            y=self.y_,
            held_out=self.held_out_,
            oof=self.oof_,
            base_oof=self.base_oof_,
        )

    def _restore(self, state: FittedState) -> None:
        """Learn what `state` holds, as `fit` learnt it (a loaded model has no fit seconds nor stack features)."""
        self.classes_, self.config_, self.members_ = state.classes, state.config, state.members
        self.cv_, self.pool_, self.ids_, self.y_ = state.cv, state.pool, state.ids, state.y
        self.splitter_, self.documents_ = state.splitter, state.documents
        self.held_out_, self.oof_, self.base_oof_ = state.held_out, state.oof, state.base_oof
        if state.config.stacked:
            self.stacker_ = state.combiner
        else:
            self.temperature_ = state.combiner

    def _learn_labels(
        self, texts: Iterable[str], labels: Sequence[str], ids: Sequence[str] | None, groups: Sequence | None
    ) -> list[str]:
        """Check the training set, learn `classes_`, `y_`, `ids_` and `groups_` (None without groups); the texts
        as a list."""
        texts = validate_texts(texts)
        labels = list(labels)
        self.classes_ = label_set(labels)
        self.y_ = encode_labels(labels, self.classes_)
        if len(texts) != len(self.y_):
            raise ValueError(f"got {len(texts)} texts but {len(self.y_)} labels")
        check_label_counts(self.classes_, self.y_, self.config_.folds)
        self.groups_ = None if groups is None else np.array([str(group) for group in groups], dtype=object)
        if self.groups_ is not None and len(self.groups_) != len(self.y_):
            raise ValueError(f"got {len(self.y_)} texts but {len(self.groups_)} groups")
        self.ids_ = np.array([str(i) for i in (ids if ids is not None else range(len(self.y_)))])
        return texts

    def _splits(self, log: Callable[[str], None] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """The fit's folds, grouped by `groups_` when given; each label of a single group is named to `log`."""
        config = self.config_
        if self.groups_ is not None and log is not None:
            for label in single_group_labels(self.y_, self.groups_):
                log(single_group_warning(self.classes_[label], max(config.folds, 2)))
        return fold_splits(self.y_, config.folds, config.seed, config.validation_fraction, self.groups_)

    def _combine(self, texts: np.ndarray, oof_features: dict[str, np.ndarray]) -> np.ndarray:
        """Fit the stack (several models) or the temperature (one); the held-out rows' final probabilities,
        each row's stack or temperature fitted on other rows."""
        held, y = self.held_out_, self.y_[self.held_out_]
        if not self.config_.stacked:
            proba = self.base_oof_[self.config_.models[0]][held]
            self.temperature_ = fit_temperature(proba, y)
            return cross_fitted_temperature(proba, y, seed=self.config_.seed, groups=self._held_groups())
        # Kept (not saved) so that `without` can refit the stack on the same features.
        self.stack_blocks_ = {name: oof_features[name][held] for name in self.config_.models}
        if self.config_.stack_meta_features:
            self.stack_blocks_["meta"] = meta_features(texts[held])
        return self._fit_stack()

    def _fit_stack(self) -> np.ndarray:
        """Fit the stacker on `stack_blocks_`; its cross-validated probabilities of the held-out rows."""
        blocks, y = list(self.stack_blocks_.values()), self.y_[self.held_out_]
        self.stacker_ = Stacker(self.config_.stack_c).fit(blocks, y)
        return self.stacker_.cross_val_proba(blocks, y, seed=self.config_.seed, groups=self._held_groups())

    def _held_groups(self) -> np.ndarray | None:
        """The held-out rows' groups (None without groups): the stack and temperature are cross-validated on
        whole works too, so their scores are a new work's."""
        return None if self.groups_ is None else self.groups_[self.held_out_]

    def _stack(self, texts: list[str], blocks: Blocks) -> np.ndarray:
        """The stack's probabilities from every base model's stack features `blocks` of `texts`."""
        meta = [meta_features(texts)] if self.config_.stack_meta_features else []
        return self.stacker_.predict_proba([blocks[name] for name in self.config_.models] + meta)

    def _scores(self, splits: list) -> dict:
        best_epochs = {
            name: [int(np.argmin(m.history_["val_loss"]) + 1) for m in self.members_[name]]
            for name in self.config_.models
            if registry.entry(name).network
        }
        return cv_scores(
            self.oof_,
            self.y_,
            self.held_out_,
            self.base_oof_,
            splits,
            self.fit_seconds_,
            best_epochs,
            self.config_.stacked,
        )

    def _forget_fit(self) -> None:
        """Drop what an earlier `fit` learned, so that a refit with other settings saves nothing stale."""
        for name in [name for name in vars(self) if name.endswith("_") and not name.startswith("_")]:
            delattr(self, name)

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise NotFittedError("this SpookyClassifier is not fitted yet; call fit() or SpookyClassifier.load()")
