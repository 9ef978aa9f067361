import numpy as np

from lstm_spooky.models.training import cut, padded_widths, width_batches

IDS = np.array([[0, 0, 0, 0, 5], [0, 0, 3, 4, 5], [2, 3, 4, 5, 6], [0, 0, 0, 1, 1]], dtype=np.int32)


def test_a_sentence_is_cut_to_its_token_count_rounded_up_to_the_step():
    np.testing.assert_array_equal(padded_widths(IDS, step=2), [2, 4, 5, 2])  # never wider than max_len
    np.testing.assert_array_equal(padded_widths(IDS, step=16), [5, 5, 5, 5])


def test_every_row_is_in_exactly_one_batch_of_one_width():
    widths = np.array([2, 4, 2, 4, 2, 6, 2])
    for rng in (None, np.random.default_rng(0)):
        batches = width_batches(widths, batch_size=2, rng=rng)
        assert sorted(np.concatenate(batches).tolist()) == list(range(len(widths)))
        assert all(len(set(widths[rows])) == 1 and len(rows) <= 2 for rows in batches)


def test_shuffled_batches_follow_the_seed():
    widths = np.repeat([2, 4, 6], 10)
    first = width_batches(widths, 3, np.random.default_rng(1))
    again = width_batches(widths, 3, np.random.default_rng(1))
    assert all((a == b).all() for a, b in zip(first, again))
    assert any((a != b).any() for a, b in zip(first, width_batches(widths, 3, np.random.default_rng(2))))


def test_cut_keeps_the_last_positions_where_the_tokens_are():
    cut_ids = cut({"token_ids": IDS}, np.array([0, 1]), 3)["token_ids"]
    np.testing.assert_array_equal(cut_ids, [[0, 0, 5], [3, 4, 5]])
