"""Scoring many sentences: in chunks, and with a stack's networks in a second process.

Every base model scores each sentence on its own (the networks batch sentences of one width,
never mixing their results), so chunks of rows join into the one-shot result while what
scoring holds (n-gram codes and matrices, network inputs) stays the size of a chunk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from ..models import registry
from ..models.base import BaseModel
from ..text.ngrams import shared_analysis
from .network_process import NetworkProcess
from .pool_scores import PoolScores
from .stack import stack_features

# Rows scored at a time: submitting 8,392 rows with a small default model peaked at 1.08 GiB
# in chunks of 2,048 against 1.42 GiB at once, and was no slower.
CHUNK_ROWS = 2048
NETWORK_LOOKAHEAD = 4  # chunks scored by the n-gram models ahead of the network process

Blocks = dict[str, np.ndarray]  # each base model's stack features of the same texts


def text_chunks(texts: list[str], chunk_rows: int = CHUNK_ROWS) -> list[list[str]]:
    """`texts` cut into runs of `chunk_rows`; one empty chunk for no texts, so that shapes come out right."""
    return [texts[start : start + chunk_rows] for start in range(0, max(len(texts), 1), chunk_rows)]


def member_blocks(members: dict[str, list[BaseModel]], texts: list[str], pool: PoolScores | None = None) -> Blocks:
    """The stack features of every base model in `members`, averaged over its members; a sentence of the `pool`
    (`fit --unlabeled`) is not scored, its features are read from what the pool kept.

    TensorFlow lets go of the GIL while a network runs, so the networks here predict in a
    second thread while this one counts n-grams (which the n-gram models analyse once between them).
    """
    with ThreadPoolExecutor(max_workers=1) as networks, shared_analysis():
        pending = {
            name: networks.submit(_averaged, models, texts)
            for name, models in members.items()
            if registry.entry(name).network
        }
        blocks = {
            name: _averaged(models, texts) if pool is None else pool.scores("features", name, texts, _scorer(models))
            for name, models in members.items()
            if name not in pending
        }
        return blocks | {name: block.result() for name, block in pending.items()}


def stacked_chunks(
    chunks: list[list[str]],
    members: dict[str, list[BaseModel]],
    network_process: NetworkProcess | None,
    combine: Callable[[list[str], Blocks], np.ndarray],
    pool: PoolScores | None = None,
) -> Iterator[np.ndarray]:
    """`combine(chunk, blocks)` of every chunk in order, the blocks from `members` here (a `pool` sentence's
    from what the pool kept) and, with a `network_process`, from the networks it runs.

    The network process gets every chunk at once and works through them, while this one scores
    the n-gram models up to NETWORK_LOOKAHEAD chunks ahead of it (their features are small):
    neither waits for the other until the end.
    """
    if network_process is None:
        for chunk in chunks:
            yield combine(chunk, member_blocks(members, chunk, pool))
        return
    remote = [network_process.stack_blocks(chunk) for chunk in chunks]
    scored: deque[tuple[list[str], Blocks, Future]] = deque()
    for chunk, networks in zip(chunks, remote):
        scored.append((chunk, member_blocks(members, chunk, pool), networks))
        while scored and (scored[0][2].done() or len(scored) > NETWORK_LOOKAHEAD):
            chunk_done, blocks, network_blocks = scored.popleft()
            yield combine(chunk_done, blocks | network_blocks.result())
    for chunk_done, blocks, network_blocks in scored:
        yield combine(chunk_done, blocks | network_blocks.result())


def _averaged(models: list[BaseModel], texts: list[str]) -> np.ndarray:
    return np.mean([stack_features(model, texts) for model in models], axis=0)


def _scorer(models: list[BaseModel]) -> Callable[[list[str]], np.ndarray]:
    return lambda texts: _averaged(models, texts)
