import json

import numpy as np
import pytest

from lstm_spooky.text.vocab import PAD, PAD_ID, UNK, UNK_ID, Vocabulary

SENTENCES = [["the", "raven", "."], ["the", "night", "."], ["the", "raven", "spoke", "!"]]


def test_reserves_pad_and_unk_then_orders_by_frequency():
    vocab = Vocabulary.build(SENTENCES)
    assert vocab.tokens[:5] == [PAD, UNK, "the", ".", "raven"]


def test_min_count_drops_rare_tokens_to_unk():
    vocab = Vocabulary.build(SENTENCES, min_count=2)
    assert vocab.encode(["raven", "night"]) == [vocab.tokens.index("raven"), UNK_ID]


def test_max_size_counts_the_reserved_ids():
    assert len(Vocabulary.build(SENTENCES, max_size=4)) == 4


def test_max_len_is_the_requested_percentile_of_lengths():
    assert Vocabulary.build(SENTENCES).max_len == 4
    assert Vocabulary.build(SENTENCES, max_len_percentile=50).max_len == 3


def test_encode_batch_pads_on_the_left_and_truncates_to_max_len():
    vocab = Vocabulary.build(SENTENCES, max_len_percentile=50)
    batch = vocab.encode_batch([["the"], ["the", "raven", "spoke", "!"]])
    assert batch.shape == (2, 3) and batch.dtype == np.int32
    assert list(batch[0][:2]) == [PAD_ID, PAD_ID]
    assert vocab.decode(batch[1]) == ["the", "raven", "spoke"]


def test_save_load_round_trip(tmp_path):
    vocab = Vocabulary.build(SENTENCES + [["Æneas", "—"]])
    vocab.save(tmp_path / "vocab.json")
    loaded = Vocabulary.load(tmp_path / "vocab.json")
    assert loaded.tokens == vocab.tokens and loaded.max_len == vocab.max_len
    assert (loaded.encode_batch(SENTENCES) == vocab.encode_batch(SENTENCES)).all()


def test_load_rejects_another_format_version(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_text(json.dumps({"format_version": 99, "max_len": 3, "tokens": [PAD, UNK]}))
    with pytest.raises(ValueError, match="format 99"):
        Vocabulary.load(path)
