"""The Memoriser that other tests rely on to catch a row scored by a model that learnt its label."""

import numpy as np

from tests.ensemble.memoriser import CERTAIN, Memoriser


def test_the_memoriser_is_certain_of_each_training_sentence_and_uniform_for_any_other():
    model = Memoriser().fit(["a raven", "a gibbous moon"], np.array([2, 0]), n_classes=3)
    proba = model.predict_proba(["a gibbous moon", "a raven", "a pendulum"])
    assert proba.argmax(axis=1)[:2].tolist() == [0, 2] and proba.max(axis=1)[:2].tolist() == [CERTAIN, CERTAIN]
    np.testing.assert_allclose(proba[2], 1 / 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_the_memoriser_remembers_pseudo_labelled_sentences_too_and_after_a_round_trip(tmp_path):
    model = Memoriser().fit_with_pool(["a raven"], np.array([1]), (["a pendulum"], np.array([0])), 2)
    model.save(tmp_path)
    np.testing.assert_array_equal(Memoriser.load(tmp_path).predict_proba(["a pendulum"]), [[CERTAIN, 1 - CERTAIN]])
