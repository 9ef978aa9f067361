"""The registry is the one table of base models: a model defined here, registered, goes through
fit, the stack, save, load and submit without any package file changing."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lstm_spooky import SpookyClassifier
from lstm_spooky.models import registry
from lstm_spooky.models.base import BaseModel
from lstm_spooky.text.tokenize import tokenize
from lstm_spooky.ui.cli import main
from tests.conftest import TINY


class WordFrequencies:
    """Each label's word frequencies, add-one smoothed: naive Bayes in a dozen lines, saved as JSON."""

    def __init__(self, settings=None):
        self.settings = settings

    def fit(self, texts, y, validation=None, n_classes=None, progress=None):
        self.words_ = sorted({word for text in texts for word in tokenize(text)})
        counts = np.ones((n_classes, len(self.words_)))
        index = {word: j for j, word in enumerate(self.words_)}
        for text, label in zip(texts, y):
            for word in tokenize(text):
                counts[label, index[word]] += 1
        self.log_p_ = np.log(counts / counts.sum(axis=1, keepdims=True))
        return self

    def predict_proba(self, texts):
        index = {word: j for j, word in enumerate(self.words_)}
        scores = np.array(
            [
                sum((self.log_p_[:, index[w]] for w in tokenize(t) if w in index), np.zeros(len(self.log_p_)))
                for t in texts
            ]
        )
        scores = scores.reshape(len(texts), len(self.log_p_))
        proba = np.exp(scores - scores.max(axis=1, keepdims=True))
        return proba / proba.sum(axis=1, keepdims=True)

    def save(self, directory: Path) -> None:
        (directory / "words.json").write_text(json.dumps({"words": self.words_, "log_p": self.log_p_.tolist()}))

    @classmethod
    def load(cls, directory: Path):
        saved = json.loads((directory / "words.json").read_text())
        model = cls()
        model.words_, model.log_p_ = saved["words"], np.array(saved["log_p"])
        return model


@pytest.fixture
def word_frequencies(monkeypatch):
    entry = registry.ModelEntry(
        name="word_frequencies", target=f"{__name__}:WordFrequencies", summary="naive Bayes on word frequencies"
    )
    monkeypatch.setitem(registry.MODELS, entry.name, entry)
    return entry


def test_a_model_defined_outside_the_package_keeps_the_contract(word_frequencies, corpus):
    fitted = word_frequencies.make(TINY).fit(corpus["text"].tolist(), np.arange(len(corpus)) % 3, None, 3)
    assert isinstance(fitted, BaseModel)


def test_a_registered_model_is_stacked_saved_loaded_and_predicts_the_same(word_frequencies, corpus, tmp_path):
    model = SpookyClassifier(TINY.replace(models=("word_frequencies", "mnb_words"))).fit(
        corpus["text"], corpus["author"]
    )
    assert set(model.cv_["models"]) == {"word_frequencies", "mnb_words"} and model.cv_["combined_by"] == "stack"
    model.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    texts = corpus["text"].tolist()[:20] + ["An unseen zyzzyva."]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), rtol=0, atol=1e-12)


def test_the_command_fits_and_submits_with_a_registered_model(word_frequencies, train_csv, test_csv, tmp_path):
    model_dir, output = tmp_path / "model", tmp_path / "submission.csv"
    fit = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--model-dir",
            str(model_dir),
            "--models",
            "word_frequencies,mnb_words",
            "--folds",
            "2",
            "--quiet",
        ],
    )
    assert fit.exit_code == 0, fit.output
    assert "word_frequencies" in fit.output
    submit = CliRunner().invoke(main, ["submit", str(test_csv), "--model-dir", str(model_dir), "--output", str(output)])
    assert submit.exit_code == 0, submit.output
    submission = pd.read_csv(output)
    assert list(submission.columns) == ["id", "EAP", "HPL", "MWS"]
    np.testing.assert_allclose(submission[["EAP", "HPL", "MWS"]].sum(axis=1), 1.0, atol=1e-6)


def test_the_commands_help_lists_a_registered_model(word_frequencies):
    result = CliRunner().invoke(main, ["fit", "--help"], terminal_width=1000)
    assert "word_frequencies (naive Bayes on word frequencies)" in result.output


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        registry.register(registry.MODELS["nblr"])


def test_an_unknown_model_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown model 'nope'; choose from bilstm, nblr, lm"):
        registry.entry("nope")


@pytest.mark.parametrize(
    "names, message",
    [
        (["nblr", "lstm"], r"models: \['nblr', 'lstm'\]; choose one or more of bilstm"),
        ([], r"models: \[\]; choose one or more"),
    ],
)
def test_model_names_are_checked_against_the_table(names, message):
    with pytest.raises(ValueError, match=message):
        registry.check_names(names)
