import json

import pytest

from lstm_spooky import SpookyConfig
from lstm_spooky.config import LinearConfig, LMConfig, NBLRConfig


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


def test_a_network_alone_reads_the_ratios_of_word_pairs_and_triples():
    assert SpookyConfig(models=("bilstm",)).network_nb_orders() == (1, 2, 3)
    assert SpookyConfig(models=("bilstm", "mnb_words")).network_nb_orders() == (1, 2, 3)  # it counts single words only


def test_a_network_stacked_beside_a_word_pair_counting_model_reads_word_ratios_only():
    assert SpookyConfig().network_nb_orders() == (1,)
    assert SpookyConfig(models=("bilstm", "lm")).network_nb_orders() == (1,)


def test_a_network_stacked_beside_models_set_to_count_no_word_pairs_reads_all_orders():
    single_words = SpookyConfig(
        models=("bilstm", "nblr", "lm", "svm_words", "svm_chars"),
        nblr=NBLRConfig(word_ngrams=(1, 1)),
        lm=LMConfig(word_orders=(1,)),
        svm_words=LinearConfig(analyzer="word", ngrams=(1, 1)),
    )
    assert single_words.network_nb_orders() == (1, 2, 3)
    assert single_words.replace(lm=LMConfig(word_orders=(1, 2))).network_nb_orders() == (1,)


def test_nb_orders_given_by_hand_are_kept():
    assert SpookyConfig(nb_orders=(1, 2)).network_nb_orders() == (1, 2)
    assert SpookyConfig(models=("bilstm",), nb_orders=()).network_nb_orders() == ()
