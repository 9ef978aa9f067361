import numpy as np
import pytest

from lstm_spooky.text.nb_ratios import NBTokenRatios, ngrams_ending_at

TOKENS = [["the", "raven", "spoke"], ["the", "raven", "flew"], ["eldritch", "things"], ["the", "things"]]
Y = np.array([0, 0, 1, 1])


def fitted(orders=(1, 2)) -> NBTokenRatios:
    return NBTokenRatios(orders, alpha=1.0).fit(TOKENS, Y, n_classes=2)


def test_ngrams_end_at_each_token():
    assert ngrams_ending_at(["a", "b", "c"], 1) == ["a", "b", "c"]
    assert ngrams_ending_at(["a", "b", "c"], 2) == [None, "a b", "b c"]


def test_a_word_of_one_class_points_to_that_class():
    ratios = fitted((1,)).transform([["raven"], ["eldritch"]], max_len=1)
    assert ratios[0, 0, 0] > 0 > ratios[0, 0, 1]
    assert ratios[1, 0, 1] > 0 > ratios[1, 0, 0]
    np.testing.assert_allclose(ratios.sum(axis=2), 0, atol=1e-3)  # centred over the classes (float16 tables)


def test_unseen_ngrams_carry_no_evidence():
    ratios = fitted().transform([["zyzzyva", "raven"]], max_len=2)
    np.testing.assert_array_equal(ratios[0, 0], 0)  # unseen word, and no pair ends at the first token
    np.testing.assert_array_equal(ratios[0, 1, 2:], 0)  # "zyzzyva raven" never seen
    assert ratios[0, 1, 0] > 0  # "raven" is


def test_ratios_are_aligned_with_the_vocabulary_padding_and_truncation():
    ratios = fitted((1,))
    short = ratios.transform([["raven"]], max_len=3)
    np.testing.assert_array_equal(short[0, :2], 0)  # padded on the left, like Vocabulary.encode_batch
    long = ratios.transform([["raven", "things", "raven", "raven"]], max_len=2)
    np.testing.assert_allclose(
        long[0], ratios.transform([["raven", "things"]], max_len=2)[0]
    )  # first max_len tokens kept
    assert short.shape == (1, 3, 2) and long.dtype == np.float32


def test_a_training_row_never_sees_its_own_label_in_its_ratios():
    # "nevermore" appears in one training row only: its cross-fitted ratio must be zero there,
    # or the network would learn to trust evidence that is really the row's own label.
    tokens = TOKENS * 5 + [["nevermore", "the", "raven"]]
    y = np.concatenate([np.tile(Y, 5), [0]])
    ratios = NBTokenRatios((1,), alpha=1.0)
    own = ratios.fit_transform(tokens, y, n_classes=2, max_len=3, folds=5)[-1]
    np.testing.assert_array_equal(own[0], 0)
    assert own[2, 0] > 0  # "raven", seen in other rows, keeps its evidence
    assert ratios.transform([["nevermore"]], max_len=1)[0, 0, 0] > 0  # sentences it predicts see every training row


def test_save_then_load_gives_identical_ratios(tmp_path):
    ratios = fitted()
    ratios.save(tmp_path)
    loaded = NBTokenRatios.load(tmp_path)
    sentences = TOKENS + [["the", "zyzzyva", "things"]]
    np.testing.assert_array_equal(loaded.transform(sentences, 4), ratios.transform(sentences, 4))


def test_load_rejects_another_format_version(tmp_path):
    fitted().save(tmp_path)
    path = tmp_path / "nb-ratios.json"
    path.write_text(path.read_text().replace('"format_version": 2', '"format_version": 999'))
    with pytest.raises(ValueError, match="format 999 is not supported"):
        NBTokenRatios.load(tmp_path)


def test_fit_transform_fits_as_fit_does():
    fitted_alone = fitted()
    cross_fitted = NBTokenRatios((1, 2), alpha=1.0)
    cross_fitted.fit_transform(TOKENS, Y, n_classes=2, max_len=3, folds=2)
    sentences = TOKENS + [["the", "zyzzyva"]]
    np.testing.assert_array_equal(cross_fitted.transform(sentences, 3), fitted_alone.transform(sentences, 3))


def test_occurrences_are_the_ngrams_ending_at_each_token_of_each_sentence():
    # The vectorised search over all sentences at once against the readable per-sentence one.
    from lstm_spooky.text.nb_ratios import _Occurrences

    sentences = [["a", "b", "c"], [], ["b"], ["a", "b", "a", "b"], ["c", "a"]]
    names = ["a", "b", "c"]
    ids = np.array([names.index(t) for tokens in sentences for t in tokens])
    lengths = np.array([len(tokens) for tokens in sentences])
    for order in (1, 2, 3):
        found = _Occurrences(ids, lengths, order, n_ids=len(names))
        decoded = [
            " ".join(names[code // len(names) ** k % len(names)] for k in range(order - 1, -1, -1))
            for code in found.codes
        ]
        expected = [
            (r, j, ngram)
            for r, tokens in enumerate(sentences)
            for j, ngram in enumerate(ngrams_ending_at(tokens, order))
            if ngram
        ]
        assert list(zip(found.rows, found.positions, decoded)) == expected


def test_ngrams_with_a_token_the_training_rows_never_had_are_left_out():
    from lstm_spooky.text.nb_ratios import _Occurrences

    found = _Occurrences(np.array([0, -1, 1, 0]), np.array([4]), order=2, n_ids=2)
    assert list(found.positions) == [3]  # "b a": the pairs around the unknown token are skipped
    assert list(found.codes) == [1 * 2 + 0]


def test_orders_too_high_for_int64_codes_are_refused():
    tokens = [[f"w{i}" for i in range(100)]]
    with pytest.raises(ValueError, match="lower nb_orders"):
        NBTokenRatios((10,)).fit(tokens, np.array([0]), n_classes=1)
