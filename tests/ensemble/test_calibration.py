import numpy as np

from lstm_spooky.ensemble.calibration import apply_temperature, fit_temperature, geometric_mean
from lstm_spooky.probability import log_loss


def overconfident_predictions(n=600, seed=0):
    """Right 70% of the time but always 99% sure."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    guess = np.where(rng.random(n) < 0.7, y, (y + 1) % 3)
    proba = np.full((n, 3), 0.005)
    proba[np.arange(n), guess] = 0.99
    return proba, y


def test_temperature_softens_an_overconfident_model_and_lowers_log_loss():
    proba, y = overconfident_predictions()
    temperature = fit_temperature(proba, y)
    assert temperature > 1
    assert log_loss(y, apply_temperature(proba, temperature)) < log_loss(y, proba) - 0.5


def test_temperature_keeps_rows_normalised_and_argmax_unchanged():
    proba, _ = overconfident_predictions(50)
    scaled = apply_temperature(proba, 2.5)
    assert np.allclose(scaled.sum(axis=1), 1)
    assert (scaled.argmax(axis=1) == proba.argmax(axis=1)).all()


def test_log_loss_clips_zero_probabilities_as_kaggle_does():
    assert np.isclose(log_loss(np.array([0]), np.array([[0.0, 1.0, 0.0]])), -np.log(1e-15), rtol=1e-6)


def test_geometric_mean_of_identical_models_is_the_model():
    proba, _ = overconfident_predictions(20)
    np.testing.assert_allclose(geometric_mean([proba, proba, proba]), proba, rtol=1e-9)
