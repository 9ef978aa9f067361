"""The tinybert model fine-tunes a real (tiny, random, locally built) BERT through KerasHub."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.exceptions import NotFittedError

keras_hub = pytest.importorskip(
    "keras_hub", reason="the tinybert model needs the bert extra: pip install '.[bert]' (tox -e bert)"
)

from lstm_spooky import SpookyClassifier, SpookyConfig  # noqa: E402
from lstm_spooky.config import BertConfig  # noqa: E402
from lstm_spooky.models.convert_bert import convert_bert_checkpoint  # noqa: E402
from lstm_spooky.models.tinybert import TinyBERTModel, build_classifier, compile_classifier, preset_source  # noqa: E402
from lstm_spooky.ui.cli import main  # noqa: E402
from tests.conftest import COMMON, STYLES, make_corpus  # noqa: E402
from tests.models.tiny_bert import write_hub_checkpoint  # noqa: E402

CORPUS = make_corpus()
WORDS = COMMON + [word for words, _ in STYLES.values() for word in words] + ["end"]


@pytest.fixture(scope="module")
def preset(tmp_path_factory):
    root = tmp_path_factory.mktemp("bert")
    write_hub_checkpoint(root / "hub", WORDS)
    convert_bert_checkpoint(root / "hub", root / "keras")
    return str(root / "keras")


@pytest.fixture(scope="module")
def config(preset):
    bert = BertConfig(preset=preset, sequence_length=24, batch_size=8, epochs=10, learning_rate=2e-3, patience=2)
    return SpookyConfig(models=("tinybert",), folds=1, validation_fraction=0.2, seed=3, bert=bert)


@pytest.fixture(scope="module")
def fit_warnings(config):
    """The fitted classifier, and every warning raised while fitting it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = SpookyClassifier(config).fit(CORPUS["text"], CORPUS["author"])
    return model, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def fitted(fit_warnings):
    return fit_warnings[0]


def test_fine_tuning_learns_the_synthetic_authors(fitted):
    assert np.mean(fitted.predict(CORPUS["text"]) == CORPUS["author"]) > 0.8


def test_predictions_are_probability_rows(fitted):
    proba = fitted.predict_proba(["The raven ; end.", "Something else entirely, unseen: zyzzyva ñ."])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert ((proba > 0) & (proba < 1)).all()


def test_the_head_is_a_softmax_trained_with_a_probability_loss(config):
    classifier = build_classifier(config.bert)
    compile_classifier(classifier, config.bert, total_steps=10)
    assert classifier.activation.__name__ == "softmax"
    assert classifier.loss.get_config()["from_logits"] is False


def test_fitting_raises_no_logits_warning(fit_warnings):
    assert not [w for w in fit_warnings[1] if "logits" in w], fit_warnings[1]


def test_predict_before_fit_raises(config):
    with pytest.raises(NotFittedError, match="not fitted"):
        TinyBERTModel(config.bert).predict_proba(["The raven spoke."])


def test_save_then_load_predicts_identically(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    loaded = SpookyClassifier.load(tmp_path / "model")
    assert loaded.config == fitted.config
    texts = list(CORPUS["text"][:20])
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), rtol=1e-5, atol=1e-7)


def test_same_seed_gives_the_same_model(fitted, config):
    again = SpookyClassifier(config).fit(CORPUS["text"], CORPUS["author"])
    texts = list(CORPUS["text"][:20])
    np.testing.assert_allclose(again.predict_proba(texts), fitted.predict_proba(texts), rtol=1e-5, atol=1e-7)


def test_cli_fits_submits_and_predicts_with_the_tinybert_model(preset, config, train_csv, test_csv, tmp_path):
    settings = tmp_path / "bert.json"
    settings.write_text(json.dumps(config.replace(bert=config.bert.replace(epochs=2)).to_dict()))
    model_dir = tmp_path / "model"
    fit = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--config",
            str(settings),
            "--models",
            "tinybert",
            "--bert-preset",
            preset,
            "--model-dir",
            str(model_dir),
        ],
    )
    assert fit.exit_code == 0, fit.output
    assert "tinybert  fold 1/1  epoch 2/2" in fit.output and "left" in fit.output
    submit = CliRunner().invoke(
        main, ["submit", str(test_csv), "--model-dir", str(model_dir), "--output", str(tmp_path / "s.csv")]
    )
    assert submit.exit_code == 0, submit.output
    submission = pd.read_csv(tmp_path / "s.csv")
    assert list(submission.columns) == ["id", "EAP", "HPL", "MWS"]
    np.testing.assert_allclose(submission[["EAP", "HPL", "MWS"]].sum(axis=1), 1.0, atol=1e-6)
    predict = CliRunner().invoke(main, ["predict", "--model-dir", str(model_dir), "The raven ; end."])
    assert predict.exit_code == 0, predict.output


def test_an_unreachable_hub_preset_fails_with_one_sentence(train_csv, tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("Failed to resolve 'www.kaggle.com' ([Errno -2] Name or service not known)")

    monkeypatch.setattr(keras_hub.models.BertBackbone, "from_preset", offline)
    monkeypatch.setattr("lstm_spooky.models.tinybert._resolves", lambda host: False)
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(train_csv),
            "--models",
            "tinybert",
            "--bert-preset",
            "bert_tiny_en_uncased",
            "--model-dir",
            str(tmp_path / "m"),
        ],
    )
    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]
    assert message == (
        "Error: could not load BERT preset 'bert_tiny_en_uncased': www.kaggle.com cannot be reached from this machine; "
        "without internet, download the model where you have it and pass --bert-preset /path/to/its/folder "
        "(see `lstm-spooky convert-bert --help`)"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "m").exists()


def test_an_unconverted_hub_folder_is_refused_with_the_command_that_converts_it(tmp_path):
    write_hub_checkpoint(tmp_path / "TinyBERT", WORDS)
    with pytest.raises(
        ValueError,
        match=r"without model.safetensors, tokenizer_config.json; convert it first: lstm-spooky convert-bert",
    ):
        preset_source(str(tmp_path / "TinyBERT"))


def test_a_missing_local_folder_is_named(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        TinyBERTModel(BertConfig(preset=str(tmp_path / "absent"))).fit(
            ["a"] * 3, np.array([0, 1, 2]), (["a"], np.array([0]))
        )
