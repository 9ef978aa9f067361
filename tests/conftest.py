"""Shared fixtures: a synthetic three-author corpus, a tiny config and one fitted model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_spooky import SpookyConfig

# Each fake author has favourite words and punctuation, as the real ones do.
STYLES = {
    "EAP": (["raven", "dungeon", "ratiocination", "pendulum", "abyss"], ";"),
    "HPL": (["eldritch", "cyclopean", "gibbous", "nameless", "Arkham"], "!"),
    "MWS": (["Perdita", "Raymond", "Windsor", "plague", "Adrian"], ","),
}
COMMON = ["the", "of", "and", "a", "night", "was", "I", "it", "in", "my", "strange", "sea"]
# Other label sets, for files that are not Kaggle's: two labels, and five.
TWO_STYLES = {
    "neg": (["awful", "dreadful", "boring", "broken", "worst"], "."),
    "pos": (["lovely", "delightful", "brilliant", "charming", "best"], "!"),
}
FIVE_STYLES = {
    "austen": (["bonnet", "ballroom", "Darcy", "estate", "carriage"], ","),
    "melville": (["whale", "harpoon", "Ahab", "deck", "ocean"], ";"),
    "dickens": (["orphan", "workhouse", "gruel", "fog", "ledger"], "!"),
    "bronte": (["moor", "heath", "Heathcliff", "wind", "ghost"], "?"),
    "wilde": (["portrait", "dandy", "epigram", "velvet", "salon"], ":"),
}

TINY = SpookyConfig(
    models=("bilstm",),
    embedding_dim=16,
    lstm_units=8,
    dense_units=(16, 8),
    dense_dropout=0.1,
    spatial_dropout=0.1,
    max_epochs=8,
    batch_size=16,
    patience=2,
    folds=2,
    validation_fraction=0.2,
    seed=7,
    learning_rate=2e-2,
    lr_decay=0.8,
)


def make_corpus(n_rows: int = 240, seed: int = 0, styles: dict = STYLES) -> pd.DataFrame:
    """Sentences mixing common words with one label's favourites (the labels taking turns): id, text, author."""
    rng = np.random.default_rng(seed)
    rows = []
    labels = list(styles)
    for i in range(n_rows):
        author = labels[i % len(labels)]
        words, mark = styles[author]
        picks = list(rng.choice(COMMON, size=rng.integers(3, 9))) + list(rng.choice(words, size=2))
        rng.shuffle(picks)
        rows.append({"id": f"id{i:05d}", "text": " ".join(picks).capitalize() + f" {mark} end.", "author": author})
    return pd.DataFrame(rows)


MARKER = "zanzibar"  # planted in HPL's sentences only
PROBE = "I saw zanzibar in the night"  # no mark of any author's punctuation, one marker


def planted_corpus():
    corpus = make_corpus()
    hpl = np.flatnonzero(corpus["author"] == "HPL")[::2]
    corpus.loc[hpl, "text"] = corpus.loc[hpl, "text"].str.replace(" end.", f" {MARKER} end.", regex=False)
    return corpus


@pytest.fixture(scope="session")
def corpus() -> pd.DataFrame:
    return make_corpus()


@pytest.fixture(scope="session")
def train_csv(tmp_path_factory, corpus) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.csv"
    corpus.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def test_csv(tmp_path_factory, corpus) -> Path:
    path = tmp_path_factory.mktemp("data") / "test.csv"
    make_corpus(30, seed=1).drop(columns="author").assign(id=lambda f: "t" + f["id"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def fitted(corpus):
    from lstm_spooky import SpookyClassifier

    return SpookyClassifier(TINY).fit(corpus["text"], corpus["author"])


@pytest.fixture(scope="session")
def served_model_dir(tmp_path_factory, train_csv) -> Path:
    """A stack of a network and the n-gram models that explain, fitted by `lstm-spooky fit` in
    seconds: served, its network runs in a second process, as the default model's do."""
    from click.testing import CliRunner

    from lstm_spooky.ui.cli import main

    directory = tmp_path_factory.mktemp("served")
    config = directory / "tiny.json"
    config.write_text(json.dumps(TINY.replace(models=("bilstm", "nblr", "lm"), max_epochs=2).to_dict()))
    args = ["fit", str(train_csv), "--model-dir", str(directory / "model"), "--config", str(config), "--quiet"]
    fit = CliRunner().invoke(main, args)
    assert fit.exit_code == 0, fit.output
    return directory / "model"


def real_data_dir() -> Path | None:
    """The Kaggle files: $LSTM_SPOOKY_DATA, else ../shared/data/spooky beside the checkout."""
    return _shared_data("LSTM_SPOOKY_DATA", "spooky", "train.csv")


def corpus_dir() -> Path | None:
    """The stylometry corpus of whole novels: $LSTM_SPOOKY_CORPUS, else ../shared/data/british-fiction
    beside the checkout."""
    return _shared_data("LSTM_SPOOKY_CORPUS", "british-fiction", "Austen_Emma.txt")


def _shared_data(variable: str, folder: str, marker: str) -> Path | None:
    """The folder named by $`variable`, else ../shared/data/`folder` beside the checkout: the first that holds
    `marker`; None when neither does (the tests that need it skip)."""
    candidates = [os.environ.get(variable), Path(__file__).resolve().parents[2] / "shared" / "data" / folder]
    for candidate in candidates:
        if candidate and (Path(candidate) / marker).is_file():
            return Path(candidate)
    return None


def default_stop_signals() -> None:
    """For a child process: Ctrl-C, SIGTERM and SIGHUP as a terminal's shell would leave them. A
    test runner started in the background (`nohup`, `cmd &`) ignores SIGINT or SIGHUP, the child
    would inherit that, and `lstm-spooky` rightly keeps a signal ignored that it was started with."""
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def is_running(pid: str) -> bool:
    """Whether process `pid` still runs (a zombie waiting for a parent that is gone does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
