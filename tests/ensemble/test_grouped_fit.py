"""A fit given each sentence's work: folds hold out whole works, so nothing of a work reaches its own score."""

import numpy as np
import pytest

from lstm_spooky import SpookyConfig
from lstm_spooky.ensemble.classifier import SpookyClassifier
from lstm_spooky.models import registry
from lstm_spooky.store.model_dir import SPLITTER_FILE
from lstm_spooky.text.sentences import train_splitter
from tests.conftest import make_corpus
from tests.ensemble.memoriser import memoriser_entry

MEMORISER = SpookyConfig(models=("memoriser",), folds=3, seed=5)


def works(works_per_label=(3, 3, 3), sentences=4, repeats=3):
    """(texts, labels, groups): each work its own sentences, each sentence written `repeats` times in it (as a
    novel repeats a name, a refrain, a phrase), labels A, B, C."""
    texts, labels, groups = [], [], []
    for label, n_works in zip("ABC", works_per_label):
        for work in range(n_works):
            for sentence in range(sentences):
                texts += [f"{label} work {work} sentence {sentence}."] * repeats
                labels += [label] * repeats
                groups += [f"{label}_{work}"] * repeats
    return texts, labels, groups


@pytest.fixture
def memoriser(monkeypatch):
    entry = memoriser_entry()
    monkeypatch.setitem(registry.MODELS, entry.name, entry)
    return entry


def test_a_memoriser_scores_every_sentence_of_a_held_out_work_at_chance(memoriser):
    texts, labels, groups = works()
    model = SpookyClassifier(MEMORISER).fit(texts, labels, groups=groups)
    np.testing.assert_allclose(model.base_oof_["memoriser"], 1 / 3)
    assert model.cv_["models"]["memoriser"]["log_loss"] == pytest.approx(np.log(3))


def test_without_groups_a_memoriser_recognises_sentences_its_work_repeats(memoriser):
    texts, labels, _ = works()
    model = SpookyClassifier(MEMORISER).fit(texts, labels)
    assert model.base_oof_["memoriser"].max() > 0.99  # the trap grouped folds avoid is real


def test_a_label_of_a_single_work_is_named_in_a_warning(memoriser):
    texts, labels, groups = works((1, 2, 2))
    lines = []
    SpookyClassifier(MEMORISER).fit(texts, labels, groups=groups, log=lines.append)
    assert [line for line in lines if line.startswith("warning:")] == [
        "warning: label 'A' has a single work; its sentences are cut into 3 contiguous blocks that stand for works "
        "in the folds, so its scores may not transfer to new works"
    ]


def test_a_stack_left_without_a_model_is_scored_on_the_same_grouped_folds(monkeypatch):
    for name in ("first", "second", "third"):
        monkeypatch.setitem(registry.MODELS, name, memoriser_entry(name))
    texts, labels, groups = works()
    model = SpookyClassifier(MEMORISER.replace(models=("first", "second", "third"))).fit(texts, labels, groups=groups)
    assert model.without("third").cv_["models"]["first"] == model.cv_["models"]["first"]


def test_a_resume_with_other_groups_does_not_reuse_the_folds(memoriser, tmp_path):
    texts, labels, groups = works()
    SpookyClassifier(MEMORISER).fit(texts, labels, groups=groups, checkpoint_dir=tmp_path / "partial")
    regrouped = [group[:1] for group in groups]  # one work per label
    with pytest.raises(ValueError, match="other settings or data"):
        SpookyClassifier(MEMORISER).fit(
            texts, labels, groups=regrouped, checkpoint_dir=tmp_path / "partial", resume=True
        )


def test_groups_must_be_one_per_text():
    corpus = make_corpus(30)
    with pytest.raises(ValueError, match="got 30 texts but 2 groups"):
        SpookyClassifier(SpookyConfig(models=("nblr",), folds=2)).fit(
            corpus["text"], corpus["author"], groups=["a", "b"]
        )


def test_a_saved_model_keeps_its_sentence_splitter_and_predicts_the_same(tmp_path):
    corpus = make_corpus(60)
    splitter = train_splitter(["Mr. Knightley came. He sat down.\n\nIt was late."])
    model = SpookyClassifier(SpookyConfig(models=("nblr",), folds=2)).fit(
        corpus["text"], corpus["author"], splitter=splitter
    )
    model.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    assert loaded.splitter_.to_dict() == splitter.to_dict()
    np.testing.assert_allclose(loaded.predict_proba(corpus["text"]), model.predict_proba(corpus["text"]), atol=1e-6)


def test_a_model_without_a_splitter_saves_no_splitter_file(tmp_path):
    corpus = make_corpus(60)
    SpookyClassifier(SpookyConfig(models=("nblr",), folds=2)).fit(corpus["text"], corpus["author"]).save(tmp_path / "m")
    assert not (tmp_path / "m" / SPLITTER_FILE).exists()
    assert SpookyClassifier.load(tmp_path / "m").splitter_ is None
