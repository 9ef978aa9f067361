"""The NumPy Kneser-Ney models (models/kneser_ney.py) on toy alphabets; tests/models/test_lm_reference.py
checks their numbers against NLTK."""

import numpy as np
import pytest

from lstm_spooky.models.kneser_ney import EOS, UNK, KneserNeyLM, Sequences, SymbolTable


def toy_model(order: int = 3) -> tuple[SymbolTable, KneserNeyLM]:
    """Character models of two classes: 'abcab' / 'abab' for class 0, 'cba' / 'ccb' for class 1."""
    texts, y = [list("abcab"), list("abab"), list("cba"), list("ccb")], np.array([0, 0, 1, 1])
    table = SymbolTable.build(texts)
    return table, KneserNeyLM.fit(table.encode(texts), y, order, table.n_ids, n_classes=2)


def test_next_symbol_probabilities_sum_to_one_after_seen_and_unseen_histories():
    table, model = toy_model()
    a, b, c = (table.encode([[s]]).ids[0] for s in "abc")
    for history in ([], [a, b], [c, c], [b, b], [UNK, a]):
        proba = model.next_proba(history)
        assert proba.shape == (2, table.n_ids)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_unseen_ngrams_and_unknown_symbols_get_nonzero_probability():
    table, model = toy_model()
    a, b, c = (table.encode([[s]]).ids[0] for s in "abc")
    proba = model.next_proba([a, b])
    assert (proba[0, [c, EOS, UNK]] > 0).all()
    assert proba[1, a] > 0  # class 1 never saw "b" followed by "a" after "a"


def test_seen_continuation_is_more_probable_than_unseen():
    table, model = toy_model()
    a, b, c = (table.encode([[s]]).ids[0] for s in "abc")
    proba = model.next_proba([b])  # class 0 saw "b" followed by "c", "a" and the end; class 1 by "a" and the end
    assert min(proba[0, a], proba[0, c], proba[0, EOS]) > proba[0, UNK]
    assert min(proba[1, a], proba[1, EOS]) > proba[1, UNK]


def test_lower_orders_count_distinct_left_neighbours_not_occurrences():
    # "francisco" occurs 4 times but only after "san"; "cat" 3 times after 3 different words.
    # After an unseen history Kneser-Ney must prefer "cat", as plain discounting would not.
    lists = [["san", "francisco"]] * 4 + [["the", "cat"], ["a", "cat"], ["my", "cat"]]
    table = SymbolTable.build(lists)
    model = KneserNeyLM.fit(table.encode(lists), np.zeros(len(lists), dtype=np.int64), 2, table.n_ids, n_classes=1)
    (cat, francisco), unseen = table.encode([["cat", "francisco"]]).ids, table.encode([["pigeon"]]).ids[0]
    proba = model.next_proba([unseen])
    assert proba[0, cat] > proba[0, francisco]


def test_log_likelihood_is_the_sum_of_next_symbol_log_probabilities():
    table, model = toy_model()
    ids = list(table.encode([list("cabbx")]).ids)
    by_steps = sum(np.log(model.next_proba(ids[:t])[:, symbol]) for t, symbol in enumerate(ids + [EOS]))
    np.testing.assert_allclose(
        model.log_likelihood(Sequences(np.array(ids), np.array([len(ids)])))[0], by_steps, rtol=1e-12
    )


def test_ngram_codes_write_each_ngram_in_base_n_ids():
    codes, owner = Sequences(np.array([5, 6, 7]), np.array([2, 1])).ngram_codes(order=2, n_ids=10)
    np.testing.assert_array_equal(codes, [5, 56, 60 + EOS, 7, 70 + EOS])  # BOS (0) pads the first history
    np.testing.assert_array_equal(owner, [0, 0, 0, 1, 1])


def test_fit_rejects_an_order_whose_codes_overflow_int64():
    table, _ = toy_model()
    with pytest.raises(ValueError, match="overflow int64"):
        KneserNeyLM.fit(table.encode([list("ab")]), np.array([0]), 40, table.n_ids)
