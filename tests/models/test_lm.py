import json

import pytest

from lstm_spooky.config import LMConfig
from lstm_spooky.data.labels import encode_labels
from lstm_spooky.models.lm import LMModel
from tests.conftest import make_corpus

TRAIN = make_corpus()


def test_config_round_trips_through_json():
    config = LMConfig(char_orders=(4, 6), word_orders=(2,), discount=0.7)
    assert LMConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_fit_rejects_a_discount_that_would_not_leave_a_distribution():
    with pytest.raises(ValueError, match="discount must be in \\(0, 1\\]"):
        LMModel(LMConfig(discount=1.5)).fit(TRAIN["text"].tolist(), encode_labels(TRAIN["author"]))
