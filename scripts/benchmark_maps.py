"""Passage maps of texts spliced from two novels the model never saw: does the map find the splice, how sharply?

    python scripts/benchmark_maps.py CORPUS_DIR                        # round 1's novels, as `fit CORPUS_DIR` trains
    python scripts/benchmark_maps.py CORPUS_DIR --sentences-per-work 1000 --windows 10,25  # a development run

CORPUS_DIR is a folder of `Label_Title.txt` files. As scripts/benchmark_documents.py's first round does,
one work of every label with two or more is held out and lstm-spooky is fitted on the others. Each
ordered pair of held-out works by different labels gives one spliced text: consecutive sentences of the
first from a random start (a random number from half to one and a half times `--sentences`, so that the
splice falls anywhere in a window), then `--sentences` of the second, each part as it stands in its
file. Each text is mapped (`SpookyClassifier.passage_map`) with windows of each of `--windows`
sentences, which tile it. A window's truth is the work most of its sentences come from. Per window size it prints:

- window accuracy: the share of windows whose most probable label is their truth's;
- found: the share of texts whose best single cut of the map (the window boundary that leaves fewest
  windows on the wrong side of it: before it the first label, after it the second) is within one window
  of the splice;
- median error: how far that cut is from the splice, in sentences;
- changes: the mean number of times the most probable label changes along a text (1 is a clean map).

Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from benchmark_documents import fit_model, markdown, progress, read_rounds, sample_sentences, split_round  # noqa: E402

from lstm_spooky import SpookyConfig  # noqa: E402


def spliced_text(first: str, second: str, rows: pd.DataFrame, n: int, rng: np.random.Generator) -> tuple[str, int]:
    """Consecutive sentences of work `first` from a random start, as many as a random draw from n/2 to 3n/2 (so
    that the splice falls anywhere in a window, not always on a window's edge), then `n` of `second`, as they
    stand in their texts (rows: every work's sentence rows, with `start`, `end` and the work's `document_text`);
    and the character where the second part starts."""
    parts = []
    for work, length in ((first, int(rng.integers(n // 2, n + n // 2 + 1))), (second, n)):
        mine = rows[rows["work"] == work]
        start = int(rng.integers(0, max(len(mine) - length, 0) + 1))
        run = mine.iloc[start : start + length]
        parts.append(run["document_text"].iloc[0][run["start"].iloc[0] : run["end"].iloc[-1]])
    return parts[0] + "\n\n" + parts[1], len(parts[0]) + 2


def best_cut(predicted: np.ndarray, before: int, after: int) -> int:
    """The window boundary (0 ... len(predicted)) that leaves fewest windows on the wrong side: label `before`
    before it, `after` after it.

    >>> best_cut(np.array([0, 0, 1, 0, 1, 1]), 0, 1)
    2
    """
    wrong_before = np.concatenate([[0], np.cumsum(predicted != before)])
    wrong_after = np.concatenate([np.cumsum((predicted != after)[::-1])[::-1], [0]])
    return int(np.argmin(wrong_before + wrong_after))


def map_record(model, text: str, splice_char: int, labels: tuple[int, int], window: int) -> dict:
    """How the map of one spliced text with windows of `window` sentences finds its splice."""
    found = model.passage_map(text, window)
    splice = int(np.searchsorted([sentence.start for sentence in found.sentences], splice_char))
    middles = found.windows.mean(axis=1)
    truth = np.where(middles <= splice, labels[0], labels[1])
    predicted = found.proba.argmax(axis=1)
    cut = best_cut(predicted, *labels)
    cut_sentence = found.windows[cut, 0] if cut < len(found.windows) else found.windows[-1, 1]
    return {
        "window": window,
        "windows": len(predicted),
        "accuracy": float(np.mean(predicted == truth)),
        "error": abs(int(cut_sentence) - splice),
        "found": abs(int(cut_sentence) - splice) <= window,
        "changes": int(np.sum(predicted[1:] != predicted[:-1])),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus_dir", help="a folder of Label_Title.txt files")
    corpus = SpookyConfig.for_corpus()
    parser.add_argument("--models", default=",".join(corpus.models), help="comma-separated base models")
    parser.add_argument("--folds", type=int, default=corpus.folds, help="folds inside the model, grouped by work")
    parser.add_argument("--seed", type=int, default=SpookyConfig().seed, help="the model's, the sample's, the texts'")
    parser.add_argument("--sentences", type=int, default=200, help="sentences of each work in a spliced text")
    parser.add_argument("--windows", default="10,20,50", help="comma-separated window sizes, in sentences")
    parser.add_argument("--sentences-per-work", type=int, help="train on N random sentences of each work")
    parser.add_argument("--verbose", action="store_true", help="print the fit's progress lines")
    args = parser.parse_args()
    args.window_sizes = [int(size) for size in args.windows.split(",")]
    if min(args.window_sizes) < 1 or args.sentences < 1 or (args.sentences_per_work or 1) < 1:
        parser.error("--windows, --sentences and --sentences-per-work must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    documents, [held] = read_rounds(args.corpus_dir, 1)
    started = time.perf_counter()
    progress(f"holding out {', '.join(held)}; splitting sentences")
    splitter, rows = split_round(documents, held)
    rows["document_text"] = rows["work"].map({document.name: document.text for document in documents})
    train = sample_sentences(rows[~rows["work"].isin(held)], args.sentences_per_work, np.random.default_rng(args.seed))
    progress(f"fitting {args.models} on {len(train)} sentences of {train['work'].nunique()} works")
    model = fit_model(train, splitter, args)
    label_of = {document.name: list(model.classes_).index(document.label) for document in documents}
    rng = np.random.default_rng([args.seed, 1])
    pairs = [(a, b) for a, b in itertools.permutations(held, 2) if label_of[a] != label_of[b]]
    records = []
    for number, (first, second) in enumerate(pairs, start=1):
        progress(f"{number}/{len(pairs)}  {first} then {second}")
        text, splice_char = spliced_text(first, second, rows, args.sentences, rng)
        for window in args.window_sizes:
            records.append(map_record(model, text, splice_char, (label_of[first], label_of[second]), window))
    results = pd.DataFrame(records).groupby("window")
    table = [
        [
            window,
            f"{group['windows'].mean():.0f}",
            f"{group['accuracy'].mean():.3f}",
            f"{group['found'].mean():.3f}",
            f"{group['error'].median():.0f}",
            f"{group['changes'].mean():.2f}",
        ]
        for window, group in results
    ]
    n = args.sentences
    print(f"{len(pairs)} spliced texts of {n // 2}-{n + n // 2} + {n} sentences from {len(held)} held-out works")
    header = ("window (sentences)", "windows", "window accuracy", "found", "median error (sentences)", "changes")
    print(markdown(header, table))
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
