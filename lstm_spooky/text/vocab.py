"""Vocabulary: token <-> id maps built from training text, with padding and JSON I/O.

Ids 0 and 1 are reserved: PAD fills short sequences, UNK stands for any token the
training text did not contain often enough. Ids above 1 go to tokens by falling
frequency (ties broken alphabetically so the same text always gives the same ids).
The sequence length cap is learned from the data, not guessed, and saved with it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
FORMAT_VERSION = 1


class Vocabulary:
    """A frozen token list; `tokens[i]` is the token with id `i`."""

    def __init__(self, tokens: Sequence[str], max_len: int):
        if list(tokens[:2]) != [PAD, UNK]:
            raise ValueError(f"a vocabulary starts with {PAD!r}, {UNK!r}")
        if max_len < 1:
            raise ValueError(f"max_len must be at least 1, got {max_len}")
        self.tokens = list(tokens)
        self.max_len = max_len
        self._ids = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def build(
        cls,
        token_lists: Sequence[Sequence[str]],
        min_count: int = 1,
        max_size: int | None = None,
        max_len_percentile: float = 100.0,
    ) -> Vocabulary:
        """Keep tokens seen at least `min_count` times, at most `max_size` ids in all.

        `max_len` becomes the given percentile of the sentence lengths (at least 1).
        """
        counts = Counter(token for tokens in token_lists for token in tokens)
        ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            ranked = ranked[: max(max_size - 2, 0)]
        lengths = [len(tokens) for tokens in token_lists] or [1]
        max_len = max(1, int(np.ceil(np.percentile(lengths, max_len_percentile))))
        return cls([PAD, UNK, *ranked], max_len=max_len)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Map tokens to ids, unknown ones to UNK_ID."""
        return [self._ids.get(token, UNK_ID) for token in tokens]

    def encode_batch(self, token_lists: Iterable[Sequence[str]]) -> np.ndarray:
        """Encode and pad to shape (n_samples, max_len) with int32 ids.

        Long sentences keep their first `max_len` tokens; short ones are padded on the
        left, so the last LSTM steps always read real words.
        """
        rows = [self.encode(tokens)[: self.max_len] for tokens in token_lists]
        out = np.full((len(rows), self.max_len), PAD_ID, dtype=np.int32)
        for i, ids in enumerate(rows):
            if ids:
                out[i, -len(ids) :] = ids
        return out

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids back to tokens, dropping padding."""
        return [self.tokens[i] for i in ids if i != PAD_ID]

    def to_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, "max_len": self.max_len, "tokens": self.tokens}

    @classmethod
    def from_dict(cls, data: dict) -> Vocabulary:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(f"vocabulary format {version!r} is not supported (expected {FORMAT_VERSION})")
        return cls(data["tokens"], max_len=data["max_len"])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
