import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from lstm_spooky.data.labels import encode_labels
from lstm_spooky.models.bilstm import BiLSTMModel, build_bilstm
from tests.conftest import TINY, make_corpus

TRAIN, HELD_OUT = make_corpus(), make_corpus(60, seed=1)


def random_inputs(n: int = 5, max_len: int = 12, n_ratios: int = 6) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "token_ids": rng.integers(0, 50, size=(n, max_len)).astype("int32"),
        "nb_ratios": rng.normal(size=(n, max_len, n_ratios)).astype("float32"),
    }


def test_outputs_one_probability_row_per_sentence():
    model = build_bilstm(TINY, vocab_size=50, n_ratios=6, n_classes=3)
    proba = np.asarray(model(random_inputs()))
    assert proba.shape == (5, 3)
    assert (proba > 0).all() and np.allclose(proba.sum(axis=1), 1, atol=1e-5)


def test_reads_token_ids_and_their_nb_ratios():
    model = build_bilstm(TINY, vocab_size=50, n_ratios=6, n_classes=3)
    assert {i.name: tuple(i.shape) for i in model.inputs} == {"token_ids": (None, None), "nb_ratios": (None, None, 6)}


def test_without_ratios_reads_token_ids_alone():
    model = build_bilstm(TINY, vocab_size=50, n_ratios=0, n_classes=3)
    assert [i.name for i in model.inputs] == ["token_ids"]
    assert np.asarray(model({"token_ids": random_inputs()["token_ids"]})).shape == (5, 3)


def test_ends_in_softmax_after_a_stacked_dropout_head():
    model = build_bilstm(TINY, vocab_size=50, n_ratios=6, n_classes=3)
    names = [type(layer).__name__ for layer in model.layers]
    assert names.count("Dense") == len(TINY.dense_units) + 1 and names.count("Dropout") == len(TINY.dense_units)
    assert "Bidirectional" in names
    assert model.layers[-1].activation.__name__ == "softmax"


@pytest.fixture(scope="module")
def fitted():
    y = encode_labels(TRAIN["author"])
    validation = (HELD_OUT["text"].tolist(), encode_labels(HELD_OUT["author"]))
    return BiLSTMModel(TINY).fit(TRAIN["text"].tolist(), y, validation)


def test_learns_the_synthetic_authors(fitted):
    predicted = fitted.predict_proba(HELD_OUT["text"].tolist()).argmax(axis=1)
    assert np.mean(predicted == encode_labels(HELD_OUT["author"])) > 0.8


def test_ratios_are_counted_on_the_training_rows_only(fitted):
    # The validation sentences steer early stopping, but their words never enter the ratio tables.
    known = set(fitted.ratios_.tokens_)
    assert "zyzzyva" not in known and known <= {t for text in TRAIN["text"] for t in fitted._tokenize([text])[0]}


def test_a_network_fitted_for_a_stack_counts_the_ratios_its_config_chooses(fitted):
    assert fitted.ratios_.orders == (1, 2, 3)
    stacked = TINY.replace(models=("bilstm", "nblr"), max_epochs=1)
    y = encode_labels(TRAIN["author"])
    member = BiLSTMModel(stacked).fit(
        TRAIN["text"].tolist(), y, (HELD_OUT["text"].tolist(), encode_labels(HELD_OUT["author"]))
    )
    assert member.ratios_.orders == (1,)


def test_save_then_load_predicts_identically(fitted, tmp_path):
    fitted.save(tmp_path)
    loaded = BiLSTMModel.load(tmp_path)
    texts = HELD_OUT["text"].tolist() + ["A sentence of words it never saw: zyzzyva, ñ!"]
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), rtol=1e-6, atol=1e-7)


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted"):
        BiLSTMModel(TINY).predict_proba(["The raven spoke."])


def test_a_sentence_gets_the_same_probabilities_whatever_its_batch(fitted):
    sentence = HELD_OUT["text"].tolist()[0]
    long = " ".join(TRAIN["text"].tolist()[:6])
    alone = fitted.predict_proba([sentence])
    np.testing.assert_allclose(fitted.predict_proba([long, sentence, long])[1], alone[0], rtol=1e-6, atol=1e-7)


def test_the_saved_weights_leave_out_the_optimizer(fitted, tmp_path):
    import h5py

    fitted.save(tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as weights:
        optimizer = weights["optimizer"]["vars"].values() if "optimizer" in weights else []
        assert all(v.shape == () for v in optimizer)  # at most a step counter: no moments
