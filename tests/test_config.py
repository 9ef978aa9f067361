import json

import pytest

from lstm_spooky import SpookyConfig


def test_json_round_trip_restores_an_equal_config():
    config = SpookyConfig(dense_units=(32, 16, 8), seed=3)
    assert SpookyConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_unknown_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown SpookyConfig keys"):
        SpookyConfig.from_dict({"lstm_unitz": 3})
