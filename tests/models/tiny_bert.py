"""A tiny random BERT written the way the Hugging Face Hub serves TinyBERT.

`write_hub_checkpoint` makes a folder with `config.json` (old style, no `model_type`),
`vocab.txt` and `flax_model.msgpack`: no safetensors and no tokenizer config, so
KerasHub cannot read it until `lstm-spooky convert-bert` has converted it. The msgpack
encoding is Flax's (`flax.serialization.msgpack_serialize`), written here with msgpack
and NumPy. Small enough (2 layers, hidden 32) to fine-tune in seconds.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import numpy as np

HIDDEN, LAYERS, HEADS, INTERMEDIATE, MAX_POSITIONS = 32, 2, 2, 64, 64
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_vocabulary(words: list[str]) -> list[str]:
    """Special tokens, the given words lowercased, single letters and their ## pieces, punctuation."""
    letters = list(string.ascii_lowercase)
    pieces = [*sorted({w.lower() for w in words}), *letters, *(f"##{c}" for c in letters), *string.punctuation]
    return SPECIAL + list(dict.fromkeys(pieces))


def flax_parameters(vocab_size: int, seed: int = 0) -> dict:
    """A FlaxBertForPreTraining-shaped parameter tree of random float32 arrays."""
    rng = np.random.default_rng(seed)

    def dense(n_in: int, n_out: int) -> dict:
        return {
            "kernel": rng.normal(0, 0.02, (n_in, n_out)).astype(np.float32),
            "bias": rng.normal(0, 0.02, n_out).astype(np.float32),
        }

    def norm() -> dict:
        return {
            "scale": (1 + rng.normal(0, 0.02, HIDDEN)).astype(np.float32),
            "bias": rng.normal(0, 0.02, HIDDEN).astype(np.float32),
        }

    def embedding(rows: int) -> dict:
        return {"embedding": rng.normal(0, 0.02, (rows, HIDDEN)).astype(np.float32)}

    layer = lambda: {  # noqa: E731
        "attention": {
            "self": {"query": dense(HIDDEN, HIDDEN), "key": dense(HIDDEN, HIDDEN), "value": dense(HIDDEN, HIDDEN)},
            "output": {"dense": dense(HIDDEN, HIDDEN), "LayerNorm": norm()},
        },
        "intermediate": {"dense": dense(HIDDEN, INTERMEDIATE)},
        "output": {"dense": dense(INTERMEDIATE, HIDDEN), "LayerNorm": norm()},
    }
    bert = {
        "embeddings": {
            "word_embeddings": embedding(vocab_size),
            "position_embeddings": embedding(MAX_POSITIONS),
            "token_type_embeddings": embedding(2),
            "LayerNorm": norm(),
        },
        "encoder": {"layer": {str(i): layer() for i in range(LAYERS)}},
        "pooler": {"dense": dense(HIDDEN, HIDDEN)},
    }
    # The pre-training heads come along in Hub checkpoints; the converter must skip them.
    heads = {
        "predictions": {
            "bias": np.zeros(vocab_size, np.float32),
            "transform": {"dense": dense(HIDDEN, HIDDEN), "LayerNorm": norm()},
        }
    }
    return {"bert": bert, "cls": heads}


def write_hub_checkpoint(folder: Path, words: list[str], seed: int = 0) -> dict:
    """Write config.json, vocab.txt and flax_model.msgpack into `folder`; return the parameter tree."""
    import msgpack

    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = tiny_vocabulary(words)
    params = flax_parameters(len(vocabulary), seed)
    config = {
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": INTERMEDIATE,
        "max_position_embeddings": MAX_POSITIONS,
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "type_vocab_size": 2,
        "vocab_size": len(vocabulary),
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n")

    def encode(value):
        if isinstance(value, np.ndarray):  # Flax's ndarray extension: (shape, dtype name, C-order bytes)
            return msgpack.ExtType(
                1, msgpack.packb((value.shape, value.dtype.name, value.tobytes("C")), use_bin_type=True)
            )
        raise TypeError(type(value))

    (folder / "flax_model.msgpack").write_bytes(msgpack.packb(params, default=encode, strict_types=True))
    return params
