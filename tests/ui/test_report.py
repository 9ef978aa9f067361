import numpy as np

from lstm_spooky.ui.report import reliability_bins


def test_reliability_bins_pool_classes_and_match_observed_frequency():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.95, 0.05, 0.0], [0.95, 0.05, 0.0], [0.55, 0.45, 0.0], [0.05, 0.95, 0.0]])
    mean_p, freq, count = reliability_bins(y, proba, bins=10)
    assert count.sum() == proba.size
    top = np.argmax(mean_p)
    assert np.isclose(mean_p[top], 0.95) and np.isclose(freq[top], 1.0)
