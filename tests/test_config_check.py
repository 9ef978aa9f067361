from dataclasses import dataclass

import pytest

from lstm_spooky.config import SpookyConfig, _Config, at_least
from lstm_spooky.config_check import check_config
from tests.conftest import TINY


@pytest.mark.parametrize(
    "config", [SpookyConfig(), TINY, SpookyConfig.from_dict({"lm": {"discount": 0.75}, "models": ["nblr", "lm"]})]
)
def test_sound_configs_pass(config):
    check_config(config)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"folds": "five"}, "folds: expected int, got 'five'"),
        ({"folds": 0}, "folds: must be at least 1, got 0"),
        ({"max_epochs": -1}, "max_epochs: must be at least 1"),
        ({"lowercase": "yes"}, "lowercase: expected bool"),
        ({"models": "nblr"}, "models: expected a list of str, got 'nblr'"),
        ({"lm": 3}, "lm: expected an object of settings, got 3"),
        ({"lm": {"char_orders": "x"}}, "lm.char_orders: expected a list of int, got 'x'"),
        ({"lm": {"discount": "high"}}, "lm.discount: expected float or null"),
        ({"nblr": {"word_ngrams": [1, 2, 3]}}, r"nblr.word_ngrams: expected a list of 2 int"),
        ({"dense_units": [64, 0]}, r"dense_units: must be at least 1, got \(64, 0\)"),
        ({"learning_rate": float("nan")}, "learning_rate: expected float, got nan"),
    ],
)
def test_a_wrong_value_is_named_by_its_field(values, message):
    with pytest.raises(ValueError, match=message):
        check_config(SpookyConfig.from_dict(values))


@dataclass(frozen=True)
class WidthSettings(_Config):
    width: int = at_least(2, 4)


def test_a_bound_written_beside_its_field_is_checked():
    with pytest.raises(ValueError, match=r"width: must be at least 2, got 1"):
        check_config(WidthSettings(width=1))
