import json

import pytest

from lstm_spooky import SpookyConfig


def test_json_round_trip_restores_an_equal_config():
    config = SpookyConfig(dense_units=(32, 16, 8), seed=3)
    assert SpookyConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_unknown_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown SpookyConfig keys"):
        SpookyConfig.from_dict({"lstm_unitz": 3})


def test_a_partial_nested_setting_keeps_the_rest_of_that_fields_default():
    config = SpookyConfig.from_dict({"mnb_chars": {"alpha": 1.0}, "lm": {"seed": 7}})
    assert config.mnb_chars == SpookyConfig().mnb_chars.replace(alpha=1.0)
    assert config.lm == SpookyConfig().lm.replace(seed=7)
