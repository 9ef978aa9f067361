"""Document verdicts: passages of sentences weighed by their length, calibrated on held-out works."""

import numpy as np
import pytest

from lstm_spooky import SpookyConfig
from lstm_spooky.ensemble.classifier import SpookyClassifier
from lstm_spooky.ensemble.documents import (
    DELTA_FROM_WORDS,
    REFERENCE_WORDS,
    DocumentCalibration,
    Passages,
    fit_powers,
    held_out_runs,
    passage_layout,
    passages_of,
    run_sums,
    sample_runs,
)
from lstm_spooky.text.mfw import DeltaProfile
from tests.conftest import make_corpus

UNIFORM = np.log(np.full(3, 1 / 3))


def gaussian_passages(
    n_passages: int, n_sentences: int, correlated: bool, seed: int = 0
) -> tuple[Passages, np.ndarray]:
    """Passages of sentences whose evidence is exact: each sentence a point drawn around its label's mean in 3
    dimensions, its log-ratio the true posterior's. Independent sentences make the sum of a passage's log-ratios
    its true posterior (weight n on their mean); copies of one sentence (`correlated`) add nothing (weight 1)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n_passages)
    means = np.eye(3)
    shape = (n_passages, 1 if correlated else n_sentences, 3)
    points = means[y][:, None, :] + rng.normal(size=shape)
    log_ratio = points @ means.T - 0.5 * (means**2).sum(1)  # log likelihoods; the prior is uniform
    log_ratio -= np.log(np.exp(log_ratio).sum(2, keepdims=True))
    log_ratio -= UNIFORM
    zeros = np.zeros((n_passages, 3))
    passages = Passages(log_ratio.mean(1), zeros, np.full(n_passages, 10.0 * n_sentences), np.full(n_passages, 5))
    return passages, y


def fitted_weights(correlated: bool) -> np.ndarray:
    """`a` and `b` fitted on passages of 1, 4 and 16 sentences (10, 40 and 160 words), at those lengths."""
    lengths = [gaussian_passages(3000, n, correlated, seed=n) for n in (1, 4, 16)]
    return DocumentCalibration(UNIFORM, DeltaProfile(), fit_powers(lengths, UNIFORM), 160.0).weights(
        np.array([10.0, 40.0, 160.0])
    )


def test_independent_sentences_are_weighed_as_their_sum():
    np.testing.assert_allclose(fitted_weights(correlated=False)[:, 0], [1, 4, 16], rtol=0.2)


def test_copies_of_one_sentence_are_weighed_as_one():
    np.testing.assert_allclose(fitted_weights(correlated=True)[:, 0], 1, rtol=0.2)


def test_weights_stop_growing_beyond_the_longest_passages_measured():
    calibration = DocumentCalibration(UNIFORM, DeltaProfile(), np.array([[0.0, 1.0], [0.0, 0.5]]), 2_000.0)
    weights = calibration.weights(np.array([REFERENCE_WORDS, 2_000, 100_000]))
    np.testing.assert_allclose(weights, [[1, 1], [2, np.sqrt(2)], [2, np.sqrt(2)]])


def test_a_passage_of_no_sentence_gets_the_prior():
    prior = np.log(np.array([0.5, 0.3, 0.2]))
    calibration = DocumentCalibration(prior, DeltaProfile(), np.array([[1.0, 0.5], [1.0, 0.5]]), 5_000.0)
    evidence = np.array([[1.0, 0.0, -1.0]] * 2)
    passages = Passages(evidence, -evidence, np.array([0.0, 50.0]), np.array([0, 3]))
    proba = calibration.proba(passages)
    np.testing.assert_allclose(proba[0], [0.5, 0.3, 0.2])
    assert not np.allclose(proba[1], proba[0])


def test_a_passage_too_short_for_delta_gets_no_delta_evidence():
    texts = ["the cat sat on the mat", "a dog ran in the park", "the cat ran to the dog"]
    profile = DeltaProfile(n_words=5).fit(texts, [0, 1, 0], 2)
    counts = profile.count(["the cat sat"] * 30)
    passages = passages_of(np.zeros((30, 2)), counts, np.array([[0, 16], [0, 17], [0, 30]]), profile)
    assert passages.words.tolist() == [48, 51, 90] and DELTA_FROM_WORDS == 50
    assert (passages.delta[0] == 0).all() and (passages.delta[1:] != 0).any(axis=1).all()


def test_run_sums_add_each_runs_rows():
    values = np.arange(10.0).reshape(5, 2)
    np.testing.assert_allclose(run_sums(values, np.array([[0, 5], [2, 3], [1, 1]])), [[20, 25], [4, 5], [0, 0]])


def test_a_sampled_run_stops_at_the_first_sentence_that_reaches_its_length():
    words = np.random.default_rng(0).integers(1, 30, 500).astype(float)
    runs = sample_runs(words, 200, np.random.default_rng(1))
    assert len(runs) > 0
    for start, stop in runs:
        assert words[start:stop].sum() >= 200 > words[start : stop - 1].sum()


def test_a_run_of_zero_words_is_one_sentence():
    runs = sample_runs(np.ones(100), 0, np.random.default_rng(1))
    assert (runs[:, 1] - runs[:, 0] == 1).all()


def test_held_out_runs_never_cross_a_work_or_a_gap():
    codes = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    runs = held_out_runs(np.array([7, 0, 1, 2, 3, 6]), codes, np.arange(8))
    assert [run.tolist() for run in runs] == [[0, 1, 2], [3], [6, 7]]


def test_without_works_each_labels_rows_are_cut_into_sets_of_that_label_alone():
    y = np.repeat([0, 1, 2], 50)
    codes, order = passage_layout(y, None, 2, seed=0)
    assert sorted(order.tolist()) == list(range(150))
    for code in np.unique(codes):
        assert len(np.unique(y[codes == code])) == 1


COMMON_WORDS = ["the", "of", "and", "upon", "a", "which", "time", "house", "day", "man", "way", "it", "was", "he"]


def corpus_of_works(works=3, sentences=60, seed=0, first_work=0):
    """Works of three labels, each label using two of the common words twice as often as the others do (a weak
    signal in one sentence, a sure one in many); each work also has its own name, which no other work uses, so a
    model that learns names does well on its own works only."""
    rng = np.random.default_rng(seed)
    texts, labels, groups = [], [], []
    for index, label in enumerate("ABC"):
        weights = np.ones(len(COMMON_WORDS))
        weights[2 * index : 2 * index + 2] = 2
        for work in range(first_work, first_work + works):
            name = "".join(np.random.default_rng([work, index]).choice(list("bcdfghklmnprstvz"), 6))
            for _ in range(sentences):
                words = list(rng.choice(COMMON_WORDS, 8, p=weights / weights.sum())) + [name]
                rng.shuffle(words)
                texts.append(" ".join(words).capitalize() + ".")
                labels.append(label)
                groups.append(f"{label}_{work}")
    return texts, labels, groups


@pytest.fixture(scope="module")
def work_model():
    texts, labels, groups = corpus_of_works()
    return SpookyClassifier(SpookyConfig(models=("nblr",), folds=3)).fit(texts, labels, groups=groups)


def test_a_fit_weighs_the_evidence_of_a_longer_passage_no_less(work_model):
    weights = work_model.documents_.weights(np.array([10.0, 100.0, 1_000.0]))
    assert (weights > 0).all()
    assert (np.diff(weights, axis=0) >= 0).all()


def test_a_longer_passage_of_a_new_work_is_attributed_more_surely(work_model):
    texts, labels, _ = corpus_of_works(works=1, sentences=60, seed=7, first_work=5)
    short = work_model.passage_proba(texts, [(i, i + 1) for i in range(0, 180, 60)])
    long = work_model.passage_proba(texts, [(i, i + 60) for i in range(0, 180, 60)])
    truth = np.array(["A", "B", "C"])
    assert (work_model.classes_[long.argmax(1)] == truth).all()
    assert long.max(1).min() > short.max(1).max()


def test_attribute_weighs_a_whole_text_as_one_passage(work_model):
    texts, _, _ = corpus_of_words_of("B")
    document = " ".join(texts)
    np.testing.assert_allclose(
        work_model.attribute([document]), work_model.passage_proba(texts, [(0, len(texts))]), rtol=1e-6
    )


def corpus_of_words_of(label):
    texts, labels, groups = corpus_of_works(works=1, sentences=30, seed=3, first_work=5)
    keep = [i for i, value in enumerate(labels) if value == label]
    return [texts[i] for i in keep], [labels[i] for i in keep], [groups[i] for i in keep]


def test_a_text_with_no_sentence_gets_the_prior(work_model):
    (proba,) = work_model.attribute(["   "])
    np.testing.assert_allclose(proba, np.exp(work_model.documents_.log_prior))


def test_saved_and_loaded_the_model_gives_the_same_verdicts(work_model, tmp_path):
    texts, _, _ = corpus_of_works(works=1, sentences=20, seed=9, first_work=5)
    work_model.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    runs = [(0, 20), (20, 25), (40, 60)]
    np.testing.assert_array_equal(loaded.passage_proba(texts, runs), work_model.passage_proba(texts, runs))


def test_a_model_fitted_on_sentences_without_works_attributes_passages_too():
    corpus = make_corpus(240)
    model = SpookyClassifier(SpookyConfig(models=("nblr",), folds=2)).fit(corpus["text"], corpus["author"])
    assert model.documents_ is not None
    proba = model.passage_proba(list(corpus["text"][:6]), [(0, 6)])
    assert proba.shape == (1, 3)
