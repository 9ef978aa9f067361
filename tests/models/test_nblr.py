import json

import numpy as np
import pytest
import scipy.sparse as sp

from lstm_spooky.config import NBLRConfig
from lstm_spooky.models.nblr import NBLRModel, nb_ratio
from tests.conftest import make_corpus

TRAIN = make_corpus()
HELD_OUT = make_corpus(60, seed=1)


def test_fit_rejects_a_label_missing_from_its_training_rows():
    with pytest.raises(ValueError, match="none for class ids \\[2\\]"):
        NBLRModel().fit(["The raven ; end.", "Eldritch ! end."], np.array([0, 1]), n_classes=3)


def test_nb_ratio_is_positive_for_features_of_the_class_and_negative_for_the_others():
    # Feature 0 occurs only in class rows, feature 1 only in the others, feature 2 in both alike.
    x = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]))
    ratio = nb_ratio(x, np.array([True, True, False, False]), alpha=0.1)
    assert ratio[0] > 0 > ratio[1]
    assert ratio[2] == pytest.approx(0.0)


def test_config_round_trips_through_json():
    config = NBLRConfig(word_ngrams=(1, 3), c=4.0)
    assert NBLRConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown NBLRConfig keys \\['depth'\\]"):
        NBLRConfig.from_dict({"depth": 3})
