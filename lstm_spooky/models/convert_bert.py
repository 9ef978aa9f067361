"""Turn a Hugging Face BERT folder, as the Hub serves TinyBERT, into one KerasHub loads.

KerasHub reads a local Hugging Face BERT folder that has `config.json` (with a
`model_type`), `vocab.txt`, `model.safetensors` and `tokenizer_config.json`.
`huawei-noah/TinyBERT_General_4L_312D` ships only `config.json`, `vocab.txt`,
`pytorch_model.bin` and `flax_model.msgpack`, so `convert_bert_checkpoint` writes
the missing pieces:

- the weights, under their PyTorch names, as `model.safetensors`. They are read from
  `model.safetensors` if the folder has one, else from `flax_model.msgpack` (with
  msgpack and NumPy: no JAX or Flax needed), else from `pytorch_model.bin` (needs
  PyTorch, which lstm-spooky does not install);
- `config.json` with `model_type: bert` added when it is missing (old checkpoints);
- `tokenizer_config.json` saying whether the vocabulary is lowercased, guessed from
  `vocab.txt` unless given.

Nothing here imports KerasHub; `tinybert.check_preset` loads the result to prove it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from ..store.atomic import atomic_directory

CONFIG, VOCAB, TOKENIZER_CONFIG = "config.json", "vocab.txt", "tokenizer_config.json"
SAFETENSORS, FLAX, PYTORCH = "model.safetensors", "flax_model.msgpack", "pytorch_model.bin"
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
FLAX_NDARRAY, FLAX_SCALAR = 1, 3  # flax.serialization's msgpack extension type codes


class ConversionError(ValueError):
    """A source folder that cannot be converted; the message says what is missing."""


def convert_bert_checkpoint(source: str | Path, destination: str | Path, lowercase: bool | None = None) -> dict:
    """Write a KerasHub-loadable copy of the BERT folder `source` to `destination` (atomically).

    Returns a summary: which weights file was read, how many tensors, and whether the
    tokenizer lowercases.
    """
    source, destination = Path(source), Path(destination)
    if not source.is_dir():
        raise ConversionError(f"{source}: no such folder; give a downloaded Hugging Face BERT folder")
    for required in (CONFIG, VOCAB):
        if not (source / required).is_file():
            raise ConversionError(
                f"{source}: no {required}; a Hugging Face BERT folder has {CONFIG}, {VOCAB} and weights"
            )
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    if config.setdefault("model_type", "bert") != "bert":
        raise ConversionError(
            f"{source}: model_type is {config['model_type']!r}; only BERT checkpoints can be converted"
        )
    vocabulary = (source / VOCAB).read_text(encoding="utf-8").splitlines()
    missing = [token for token in SPECIAL_TOKENS if token not in vocabulary]
    if missing:
        raise ConversionError(
            f"{source}/{VOCAB}: lacks the special tokens {', '.join(missing)}; is it a BERT WordPiece vocabulary?"
        )
    weights_file, tensors = read_weights(source)
    if lowercase is None:
        lowercase = is_uncased(vocabulary)
    with atomic_directory(destination) as tmp:
        _save_safetensors(tensors, tmp / SAFETENSORS)
        shutil.copyfile(source / VOCAB, tmp / VOCAB)
        (tmp / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
        tokenizer = {"tokenizer_class": "BertTokenizer", "do_lower_case": lowercase}
        (tmp / TOKENIZER_CONFIG).write_text(json.dumps(tokenizer, indent=2), encoding="utf-8")
    return {
        "weights": weights_file,
        "tensors": len(tensors),
        "lowercase": lowercase,
    }


def read_weights(source: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(file read, tensors by PyTorch name) from the first weights file `source` has."""
    if (source / SAFETENSORS).is_file():
        safetensors_numpy = _require("safetensors.numpy", "safetensors")
        return SAFETENSORS, dict(safetensors_numpy.load_file(source / SAFETENSORS))
    if (source / FLAX).is_file():
        return FLAX, flax_to_pytorch_names(read_flax_msgpack(source / FLAX))
    if (source / PYTORCH).is_file():
        return PYTORCH, read_pytorch_bin(source / PYTORCH)
    raise ConversionError(f"{source}: no weights; expected {SAFETENSORS}, {FLAX} or {PYTORCH}")


def read_flax_msgpack(path: Path) -> dict[tuple[str, ...], np.ndarray]:
    """The arrays of a Flax `msgpack_serialize`d parameter tree, keyed by their path in the tree."""
    msgpack = _require("msgpack", "msgpack")

    def decode(code: int, data: bytes):
        if code in (FLAX_NDARRAY, FLAX_SCALAR):
            shape, dtype, buffer = msgpack.unpackb(data, raw=True)
            if dtype == b"bfloat16":
                raise ConversionError(f"{path}: holds bfloat16 arrays, which NumPy cannot read; use {PYTORCH} instead")
            array = np.frombuffer(buffer, dtype=np.dtype(dtype.decode())).reshape(shape)
            return array if code == FLAX_NDARRAY else array[()]
        return msgpack.ExtType(code, data)

    tree = msgpack.unpackb(path.read_bytes(), ext_hook=decode, raw=False)
    flat: dict[tuple[str, ...], np.ndarray] = {}

    def walk(node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, dict) and "__msgpack_chunked_array__" in node:
            # Flax splits arrays over 1 GiB into chunks; BERTs this small never have one.
            raise ConversionError(f"{path}: holds chunked (over 1 GiB) arrays; use {PYTORCH} instead")
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*prefix, str(key)))
        elif isinstance(node, np.ndarray):
            flat[prefix] = node

    walk(tree, ())
    if not flat:
        raise ConversionError(f"{path}: no arrays found; is it a Flax checkpoint?")
    return flat


def flax_to_pytorch_names(flax: dict[tuple[str, ...], np.ndarray]) -> dict[str, np.ndarray]:
    """Rename Flax BERT parameters as PyTorch names them, which KerasHub's loader expects.

    >>> sorted(flax_to_pytorch_names({("encoder", "dense", "kernel"): np.zeros((2, 3))}).items())[0][1].shape
    (3, 2)

    Dense `kernel`s are (in, out) in Flax and `weight`s (out, in) in PyTorch; embedding
    tables and LayerNorm scales are both called `weight` there.
    """
    tensors = {}
    for path, array in flax.items():
        *module, leaf = path
        if leaf == "kernel":
            leaf, array = "weight", array.T
        elif leaf in ("embedding", "scale"):
            leaf = "weight"
        tensors[".".join((*module, leaf))] = np.ascontiguousarray(array)
    return tensors


def read_pytorch_bin(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a PyTorch state dict, as NumPy arrays. Needs PyTorch."""
    try:
        import torch
    except ImportError:
        raise ConversionError(
            f"{path}: reading {PYTORCH} needs PyTorch, which is not installed; "
            f"`pip install torch`, or download the checkpoint's {FLAX} (read without PyTorch)"
        ) from None
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {name: tensor.float().numpy() for name, tensor in state.items() if tensor.is_floating_point()}


def is_uncased(vocabulary: list[str]) -> bool:
    """True when no ordinary token has a capital letter, as in BERT's uncased vocabularies.

    >>> is_uncased(["[CLS]", "[SEP]", "the", "##s"]), is_uncased(["[CLS]", "The"])
    (True, False)
    """
    return not any(
        token.lower() != token for token in vocabulary if not (token.startswith("[") and token.endswith("]"))
    )


def _save_safetensors(tensors: dict[str, np.ndarray], path: Path) -> None:
    safetensors_numpy = _require("safetensors.numpy", "safetensors")
    safetensors_numpy.save_file({name: np.ascontiguousarray(t) for name, t in tensors.items()}, str(path))


def _require(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConversionError(f"converting BERT checkpoints needs {package}: pip install 'lstm-spooky[bert]'") from None
