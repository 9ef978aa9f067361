"""convert-bert turns a Hub-layout BERT checkpoint (Flax or PyTorch weights, no tokenizer config) into a
KerasHub preset."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

keras_hub = pytest.importorskip(
    "keras_hub", reason="the tinybert model needs the bert extra: pip install '.[bert]' (tox -e bert)"
)

from lstm_spooky.models.convert_bert import ConversionError, convert_bert_checkpoint, is_uncased  # noqa: E402
from lstm_spooky.ui.cli import main  # noqa: E402
from tests.models.tiny_bert import HEADS, HIDDEN, write_hub_checkpoint  # noqa: E402

WORDS = ["raven", "night", "eldritch", "plague"]


@pytest.fixture(scope="module")
def hub_checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub") / "TinyBERT"
    params = write_hub_checkpoint(folder, WORDS)
    return folder, params


@pytest.fixture(scope="module")
def converted(hub_checkpoint, tmp_path_factory):
    destination = tmp_path_factory.mktemp("converted") / "tinybert-keras"
    summary = convert_bert_checkpoint(hub_checkpoint[0], destination)
    return destination, summary


def test_flax_weights_land_in_the_matching_keras_hub_layers(hub_checkpoint, converted):
    params = hub_checkpoint[1]["bert"]
    backbone = keras_hub.models.BertBackbone.from_preset(str(converted[0]))
    np.testing.assert_array_equal(
        backbone.get_layer("token_embedding").embeddings.numpy(), params["embeddings"]["word_embeddings"]["embedding"]
    )
    layer = backbone.get_layer("transformer_layer_1")
    query = params["encoder"]["layer"]["1"]["attention"]["self"]["query"]["kernel"]
    np.testing.assert_array_equal(
        layer._self_attention_layer.query_dense.kernel.numpy(), query.reshape(HIDDEN, HEADS, HIDDEN // HEADS)
    )
    intermediate = params["encoder"]["layer"]["1"]["intermediate"]["dense"]["kernel"]
    np.testing.assert_array_equal(layer._feedforward_intermediate_dense.kernel.numpy(), intermediate)
    np.testing.assert_array_equal(
        backbone.get_layer("pooled_dense").kernel.numpy(), params["pooler"]["dense"]["kernel"]
    )


def test_conversion_adds_what_keras_hub_needs(converted):
    folder, summary = converted
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "model.safetensors",
        "tokenizer_config.json",
        "vocab.txt",
    ]
    assert json.loads((folder / "config.json").read_text())["model_type"] == "bert"
    assert json.loads((folder / "tokenizer_config.json").read_text())["do_lower_case"] is True
    assert summary["weights"] == "flax_model.msgpack"


def test_the_converted_tokenizer_lowercases(converted):
    tokenizer = keras_hub.models.BertTokenizer.from_preset(str(converted[0]))
    np.testing.assert_array_equal(tokenizer("The Raven"), tokenizer("the raven"))


def test_pytorch_weights_are_read_when_torch_is_installed(hub_checkpoint, tmp_path):
    torch = pytest.importorskip(
        "torch", reason="reading pytorch_model.bin needs PyTorch, which lstm-spooky does not install"
    )
    from lstm_spooky.models.convert_bert import flax_to_pytorch_names, read_flax_msgpack

    source = tmp_path / "pt"
    source.mkdir()
    for name in ("config.json", "vocab.txt"):
        (source / name).write_bytes((hub_checkpoint[0] / name).read_bytes())
    tensors = flax_to_pytorch_names(read_flax_msgpack(hub_checkpoint[0] / "flax_model.msgpack"))
    torch.save({name: torch.from_numpy(array.copy()) for name, array in tensors.items()}, source / "pytorch_model.bin")
    summary = convert_bert_checkpoint(source, tmp_path / "out")
    assert summary["weights"] == "pytorch_model.bin"
    keras_hub.models.BertBackbone.from_preset(str(tmp_path / "out"))


def test_a_folder_without_weights_is_rejected(hub_checkpoint, tmp_path):
    source = tmp_path / "no-weights"
    source.mkdir()
    for name in ("config.json", "vocab.txt"):
        (source / name).write_bytes((hub_checkpoint[0] / name).read_bytes())
    with pytest.raises(
        ConversionError, match="no weights; expected model.safetensors, flax_model.msgpack or pytorch_model.bin"
    ):
        convert_bert_checkpoint(source, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_vocabulary_without_bert_special_tokens_is_rejected(hub_checkpoint, tmp_path):
    source = tmp_path / "odd-vocab"
    source.mkdir()
    (source / "config.json").write_bytes((hub_checkpoint[0] / "config.json").read_bytes())
    (source / "vocab.txt").write_text("a\nb\n")
    with pytest.raises(ConversionError, match=r"lacks the special tokens \[PAD\]"):
        convert_bert_checkpoint(source, tmp_path / "out")


def test_casing_is_guessed_from_the_vocabulary():
    assert is_uncased(["[CLS]", "[SEP]", "the", "##s"])
    assert not is_uncased(["[CLS]", "The", "the"])


def test_cli_converts_and_checks_the_result_loads(hub_checkpoint, tmp_path):
    result = CliRunner().invoke(main, ["convert-bert", str(hub_checkpoint[0]), str(tmp_path / "keras")])
    assert result.exit_code == 0, result.output
    assert "converted 44 tensors from" in result.output and "KerasHub loads the" in result.output


def test_cli_refuses_to_overwrite_a_folder_with_files(hub_checkpoint, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["convert-bert", str(hub_checkpoint[0]), str(tmp_path)])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert (tmp_path / "keep.txt").read_text() == "mine"
