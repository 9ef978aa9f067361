"""Fast linear n-gram models, kept for the scores they give the stack.

Two classifiers on the vectorizers of text/ngrams.py (a LinearConfig picks one of each):

- `svm`: one-vs-rest linear SVMs (LinearSVC). Their stack features are the margins
  (one per label); alone, `predict_proba` is their softmax, which the single-model temperature
  then calibrates.
- `mnb`: multinomial naive Bayes on counts. Its log-probabilities grow with sentence
  length and are wildly overconfident, so its stack features are the log-probabilities
  centred over the labels and divided by sqrt(units + 1), units being tokens or
  characters as the model reads them.

Alone, neither beats NB-LR or the language models (5-fold OOF log losses 0.40-0.52 once
calibrated), but each sees the sentences differently enough to lower the stack's log
loss (measured on the Kaggle training set: all five presets of SpookyConfig together
with the meta features took the stack of bilstm, nblr and lm from 0.271 to 0.248).

A saved model directory holds:

    config.json         format version and the LinearConfig
    vocabulary.json.gz  the n-grams, in feature order (gzip-compressed JSON)
    weights.npz         idf (tfidf only), weights (n_classes, n_features), intercepts (n_classes,)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from ..config import LinearConfig
from ..data.labels import check_training_set
from ..probability import EPS
from ..text.ngrams import (
    build_vectorizer,
    linear_scores,
    load_vocabulary,
    restore_vectorizer,
    save_vocabulary,
    transform,
    vectorizer_state,
)
from ..text.tokenize import tokenize
from .base import NGramModel, read_member_meta, with_pool, write_member_meta

FORMAT_VERSION = 2  # 2: gzip-compressed vocabulary, single-precision weights
VOCABULARY_FILE, WEIGHTS_FILE = "vocabulary.json.gz", "weights.npz"
CLASSIFIERS = ("svm", "mnb")


class LinearModel(NGramModel):
    """A linear SVM or multinomial naive Bayes over one kind of n-gram."""

    settings_class, fitted_attribute = LinearConfig, "weights_"

    def fit_with_pool(
        self, texts: list[str], y: np.ndarray, pool: tuple[list[str], np.ndarray], n_classes: int | None
    ) -> LinearModel:
        """Fit on the labelled rows and the pseudo-labelled `pool` (texts, class ids) alike (base.PoolFit):
        nothing here calibrates."""
        config = self.config
        if config.classifier not in CLASSIFIERS:
            raise ValueError(f"classifier must be one of {', '.join(CLASSIFIERS)}, got {config.classifier!r}")
        texts, y = check_training_set(*with_pool(texts, y, pool), n_classes)
        self.vectorizer_ = self._vectorizer()
        x = self.vectorizer_.fit_transform(texts)
        if config.classifier == "svm":
            svm = LinearSVC(C=config.c).fit(x, y)
            self.weights_, self.intercepts_ = svm.coef_.astype(np.float32), svm.intercept_
            if len(svm.classes_) == 2:
                # LinearSVC fits one SVM for two classes, whose margin speaks for the second;
                # one-vs-rest for the first would be its mirror image, so both get a column.
                self.weights_, self.intercepts_ = (
                    np.vstack([-self.weights_, self.weights_]),
                    np.concatenate([-svm.intercept_, svm.intercept_]),
                )
        else:
            nb = MultinomialNB(alpha=config.alpha).fit(x, y)
            self.weights_, self.intercepts_ = nb.feature_log_prob_.astype(np.float32), nb.class_log_prior_
        return self

    def decision_function(self, texts: list[str]) -> np.ndarray:
        """Raw scores, shape (n_samples, n_classes): SVM margins, or naive Bayes joint log-likelihoods."""
        self._check_fitted()
        return linear_scores(transform(self.vectorizer_, texts), self.weights_) + self.intercepts_

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Softmax of the scores (naive Bayes: its posterior), shape (n_samples, n_classes), inside (0, 1)."""
        scores = self.decision_function(texts)
        proba = np.exp(scores - scores.max(axis=1, keepdims=True))
        proba = np.clip(proba / proba.sum(axis=1, keepdims=True), EPS, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def stack_features(self, texts: list[str]) -> np.ndarray:
        """What the stack reads, shape (n_samples, n_classes): margins, or length-scaled centred NB
        log-probabilities."""
        scores = self.decision_function(texts)
        if self.config.classifier == "svm":
            return scores
        units = np.array(
            [len(text) if self.config.analyzer != "word" else len(tokenize(text)) for text in texts], dtype=np.float64
        )
        return (scores - scores.mean(axis=1, keepdims=True)) / np.sqrt(units + 1.0)[:, None]

    def save(self, directory: Path) -> None:
        """Write into an existing directory; callers make the write atomic."""
        self._check_fitted()
        directory = Path(directory)
        write_member_meta(directory, FORMAT_VERSION, self.config, len(self.weights_))
        ngrams, idf = vectorizer_state(self.vectorizer_)
        save_vocabulary(directory / VOCABULARY_FILE, ngrams)
        arrays = {"weights": self.weights_, "intercepts": self.intercepts_, **({"idf": idf} if idf is not None else {})}
        np.savez_compressed(directory / WEIGHTS_FILE, **arrays)

    @classmethod
    def load(cls, directory: Path) -> LinearModel:
        """Rebuild a model written by `save`; raises ValueError for any other format."""
        directory = Path(directory)
        meta = read_member_meta(directory, FORMAT_VERSION, "linear model")
        model = cls(LinearConfig.from_dict(meta["config"]))
        ngrams = load_vocabulary(directory / VOCABULARY_FILE)
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
            model.vectorizer_ = restore_vectorizer(model._vectorizer(ngrams), arrays.get("idf"))
            model.weights_, model.intercepts_ = arrays["weights"], arrays["intercepts"]
        return model

    def _vectorizer(self, vocabulary: list[str] | None = None):
        # Words are lowercased by the tokenizer; characters keep their case (capitals are style).
        config = self.config
        return build_vectorizer(
            config.analyzer, config.ngrams, config.weighting, lowercase=config.analyzer == "word", vocabulary=vocabulary
        )
