"""Attribute passages of novels the model never saw, by their length: lstm-spooky against the Deltas.

    python scripts/benchmark_documents.py CORPUS_DIR                           # every round, as `fit CORPUS_DIR` trains
    python scripts/benchmark_documents.py CORPUS_DIR --sentences-per-work 1500 --rounds 1  # a development run
    python scripts/benchmark_documents.py CORPUS_DIR --models nblr,lm --folds 2 --passages 100
    python scripts/benchmark_documents.py CORPUS_DIR --output passages.csv   # and every passage's verdicts, to analyse

CORPUS_DIR is a folder of `Label_Title.txt` files (lstm_spooky/data/documents.py). Leave one work out:
round r holds out, of every label with two or more works, its r-th work (by file name; a label with
fewer works than rounds starts again from its first), and a label of one work only trains and
distracts. There are as many rounds as the most works of one label; `--rounds N` runs the first N.

Each round trains a sentence splitter and lstm-spooky (`--models`, `--folds`, its folds grouped by work)
on the other works alone, or on a seeded random sample of each one's sentences, kept in text order
(`--sentences-per-work`, for quick development runs), and profiles the training works' 300 most
frequent words for the Deltas. From each held-out work it draws `--passages` passages of each size: a
single sentence; runs of consecutive sentences from a random one on, until they reach 50 ... 5000
words (starts that run off the work's end are not drawn); and the whole work, once. Each passage is
attributed four ways:

- lstm-spooky: the model's calibrated verdict on the passage (`SpookyClassifier.passage_proba`);
- lstm-spooky summed: its sentences' probabilities multiplied as if independent evidence (the sum of
  log p minus (n - 1) log prior, softmaxed), the baseline that grows overconfident with length;
- Burrows's Delta and Cosine Delta (lstm_spooky/text/mfw.py): the label whose centroid is nearest,
  without probabilities (no log loss).

It prints the accuracy of each method at each size over all rounds, the log loss of those with
probabilities (and the prior's: the training sentences' label frequencies), every held-out work's
verdicts on its whole text, then each round's seconds and the peak memory. Progress goes to stderr;
`--output FILE.csv` keeps every passage's verdicts (round, work, label, size, words, method,
predicted, p_true), the prior's among them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sys
import time
from collections import defaultdict
from collections.abc import Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lstm_spooky import SpookyClassifier, SpookyConfig  # noqa: E402
from lstm_spooky.data.documents import Document, read_documents, sentence_rows  # noqa: E402
from lstm_spooky.data.errors import DataError  # noqa: E402
from lstm_spooky.probability import EPS  # noqa: E402
from lstm_spooky.text.mfw import DeltaProfile, WordCounts, words  # noqa: E402
from lstm_spooky.text.sentences import Splitter, train_splitter  # noqa: E402

WORD_SIZES = (50, 200, 500, 1000, 2000, 5000)  # a paragraph, a page, ... a chapter
SIZES = ("1 sentence", *map(str, WORD_SIZES), "whole")
METHODS = ("lstm-spooky", "lstm-spooky summed", "Burrows's Delta", "Cosine Delta")
DELTAS = {"Burrows's Delta": "burrows", "Cosine Delta": "cosine"}
PRIOR = "prior"  # the method that always answers the training labels' frequencies: the log loss to beat
DELTA_WORDS = 300  # the most frequent words the Deltas read, a common choice since Burrows (2002)
CSV_COLUMNS = ("round", "work", "label", "size", "words", "method", "predicted", "p_true")


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def held_out_works(documents: Sequence[Document], rounds: int | None) -> list[list[str]]:
    """The works each round holds out: of every label with two or more works (by name), the round's
    one, counting again from the first when a label has fewer works than rounds.

    >>> held_out_works([Document(n, n[0], "", None) for n in ["A_1", "A_2", "A_3", "B_1", "B_2", "C_1"]], None)
    [['A_1', 'B_1'], ['A_2', 'B_2'], ['A_3', 'B_1']]
    """
    by_label = defaultdict(list)
    for document in sorted(documents, key=lambda document: document.name):
        by_label[document.label].append(document.name)
    several = [works for _, works in sorted(by_label.items()) if len(works) >= 2]
    if not several:
        raise DataError("no label has two or more works: hold-one-work-out needs one to hold out and one to train on")
    n_rounds = max(map(len, several))
    return [[works[r % len(works)] for works in several] for r in range(min(rounds or n_rounds, n_rounds))]


def sample_sentences(rows: pd.DataFrame, per_work: int | None, rng: np.random.Generator) -> pd.DataFrame:
    """`per_work` random sentences of each work (all of a shorter one), in text order; all rows for None."""
    if per_work is None:
        return rows
    keep = []
    for work in sorted(rows["work"].unique()):
        positions = np.flatnonzero(rows["work"].to_numpy() == work)
        keep.extend(rng.choice(positions, size=min(per_work, len(positions)), replace=False))
    return rows.iloc[np.sort(keep)]


def passage_runs(word_counts: np.ndarray, n_passages: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each size's passages of a work of sentences with `word_counts` words, as (start, stop) rows of sentence
    indices: single sentences, runs from a random sentence until they reach each of WORD_SIZES words, the whole.

    >>> runs = passage_runs(np.array([30, 30, 30]), 5, np.random.default_rng(0))
    >>> runs["50"].tolist(), runs["200"].shape, runs["whole"].tolist()
    ([[0, 2], [1, 3]], (0, 2), [[0, 3]])
    """
    n = len(word_counts)
    ends = np.concatenate([[0], np.cumsum(word_counts)])  # ends[i]: the words before sentence i
    single = np.sort(rng.choice(n, size=min(n_passages, n), replace=False))
    runs = {SIZES[0]: np.column_stack([single, single + 1])}
    for size in WORD_SIZES:
        stops = np.searchsorted(ends, ends[:-1] + size)  # the first stop whose run reaches `size` words; n + 1: none
        fits = np.flatnonzero(stops <= n)
        starts = np.sort(rng.choice(fits, size=min(n_passages, len(fits)), replace=False))
        runs[str(size)] = np.column_stack([starts, stops[starts]]).reshape(-1, 2)
    runs[SIZES[-1]] = np.array([[0, n]])
    return runs


def softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def summed_proba(log_proba: np.ndarray, runs: np.ndarray, log_prior: np.ndarray) -> np.ndarray:
    """The passages' naive-Bayes verdicts from their sentences' log probabilities (shape (n_sentences,
    n_classes)): sum of log p minus (n - 1) log prior, softmaxed; shape (len(runs), n_classes)."""
    totals = np.vstack([np.zeros(log_proba.shape[1]), np.cumsum(log_proba, axis=0)])
    lengths = (runs[:, 1] - runs[:, 0])[:, None]
    return softmax(totals[runs[:, 1]] - totals[runs[:, 0]] - (lengths - 1) * log_prior)


def passage_counts(counts: WordCounts, runs: np.ndarray) -> WordCounts:
    """The passages' word counts, sums of their sentences' (shape (n_sentences, n_words))."""
    words_at = np.vstack([np.zeros(counts.counts.shape[1]), np.cumsum(counts.counts, axis=0, dtype=np.float64)])
    totals_at = np.concatenate([[0.0], np.cumsum(counts.totals)])
    return WordCounts(words_at[runs[:, 1]] - words_at[runs[:, 0]], totals_at[runs[:, 1]] - totals_at[runs[:, 0]])


def delta_profile(train: pd.DataFrame, classes: np.ndarray) -> DeltaProfile:
    """The Deltas' profile of the training works, each one its training sentences joined."""
    works = train.groupby("work", sort=True)
    texts = [" ".join(group["text"]) for _, group in works]
    labels = [int(np.searchsorted(classes, group["label"].iloc[0])) for _, group in works]
    return DeltaProfile(DELTA_WORDS).fit(texts, labels, len(classes))


def fit_model(train: pd.DataFrame, splitter: Splitter, args: argparse.Namespace) -> SpookyClassifier:
    config = SpookyConfig(models=tuple(args.models.split(",")), folds=args.folds, seed=args.seed)
    return SpookyClassifier(config).fit(
        train["text"].tolist(),
        train["label"].tolist(),
        ids=train["id"].tolist(),
        groups=train["work"].tolist(),
        splitter=splitter,
        log=progress if args.verbose else None,
    )


class Verdicts:
    """A fitted round's verdicts on passages of its held-out works: the model, its sentence scores' prior and
    the Deltas' profile, with every held-out sentence scored once (`score`), each passage summed from them."""

    def __init__(self, model: SpookyClassifier, profile: DeltaProfile, prior: np.ndarray):
        self.model, self.profile, self.prior = model, profile, prior

    def score(self, test: pd.DataFrame) -> None:
        """Score every held-out sentence once: the model's probabilities and the Deltas' word counts."""
        texts = test["text"].tolist()
        self.log_proba = np.log(np.clip(self.model.predict_proba(texts), EPS, 1.0))
        self.counts = self.profile.count(texts)
        self.word_counts = np.array([len(words(text)) for text in texts])

    def passages(self, rows: np.ndarray, sentences: list[str], runs: np.ndarray) -> dict[str, np.ndarray]:
        """Method -> the passages' probabilities (shape (len(runs), n_classes)), or for a Delta their negated
        distances, so that the largest wins everywhere; `rows` are the work's sentences' positions in `score`'s."""
        counts = WordCounts(self.counts.counts[rows], self.counts.totals[rows])
        summed = passage_counts(counts, runs)
        verdicts = {
            METHODS[0]: self.model.passage_proba(sentences, [tuple(map(int, run)) for run in runs]),
            METHODS[1]: summed_proba(self.log_proba[rows], runs, np.log(self.prior)),
            PRIOR: np.tile(self.prior, (len(runs), 1)),
        }
        return verdicts | {method: -self.profile.distances(summed, kind) for method, kind in DELTAS.items()}


def work_records(
    verdicts: Verdicts, test: pd.DataFrame, work: str, n_passages: int, rng: np.random.Generator
) -> list[dict]:
    """One record per passage of held-out `work` and method (CSV_COLUMNS but the round)."""
    rows = np.flatnonzero(test["work"].to_numpy() == work)
    label = test["label"].iloc[rows[0]]
    runs = passage_runs(verdicts.word_counts[rows], n_passages, rng)
    sizes = [size for size, size_runs in runs.items() for _ in size_runs]
    flat = np.vstack(list(runs.values()))
    progress(f"  {work}: {len(flat)} passages of {len(rows)} sentences")
    ends = np.concatenate([[0], np.cumsum(verdicts.word_counts[rows])])
    scores = verdicts.passages(rows, test["text"].iloc[rows].tolist(), flat)
    classes = verdicts.model.classes_
    truth = int(np.searchsorted(classes, label))
    return [
        {
            "work": work,
            "label": label,
            "size": size,
            "words": int(ends[stop] - ends[start]),
            "method": method,
            "predicted": classes[score[i].argmax()],
            "p_true": float(score[i, truth]) if method not in DELTAS else float("nan"),
        }
        for method, score in scores.items()
        for i, (size, (start, stop)) in enumerate(zip(sizes, flat))
    ]


def split_round(documents: list[Document], held: list[str]) -> tuple[Splitter, pd.DataFrame]:
    """A splitter trained on the round's training works alone, and every work's sentence rows."""
    splitter = train_splitter(document.text for document in documents if document.name not in held)
    return splitter, sentence_rows(documents, splitter)


def run_round(r: int, documents: list[Document], held: list[str], args: argparse.Namespace) -> tuple[list, dict]:
    """Round `r`'s passage records (CSV_COLUMNS) and what it took: the seconds of each step, the sentences' numbers."""
    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return clock[-1] - clock[-2]

    progress(f"round {r + 1}: holding out {', '.join(held)}; splitting sentences")
    splitter, rows = split_round(documents, held)
    test, train = rows[rows["work"].isin(held)], rows[~rows["work"].isin(held)]
    train = sample_sentences(train, args.sentences_per_work, np.random.default_rng([args.seed, r, 0]))
    took = {"split": lap()}
    progress(f"round {r + 1}: fitting {args.models} on {len(train)} sentences of {train['work'].nunique()} works")
    model = fit_model(train, splitter, args)
    took["fit"] = lap()
    progress(f"round {r + 1}: scoring {len(test)} held-out sentences and their passages")
    prior = train["label"].value_counts(normalize=True).reindex(model.classes_).to_numpy()
    verdicts = Verdicts(model, delta_profile(train, model.classes_), prior)
    verdicts.score(test)
    rng = np.random.default_rng([args.seed, r, 1])
    records = [
        record | {"round": r + 1} for work in held for record in work_records(verdicts, test, work, args.passages, rng)
    ]
    took |= {"score": lap(), "training": len(train), "held out": len(test)}
    return records, took


def markdown(header: Sequence[str], rows: list[Sequence]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows])


def by_size(results: pd.DataFrame, methods: Sequence[str], column: str, number: str) -> list[list[str]]:
    """A row per method: the mean of `column` over its passages of each size, "—" where there are none (or NaN)."""
    means = results.groupby(["method", "size"])[column].mean()
    return [
        [
            method,
            *(number.format(means[method, size]) if pd.notna(means.get((method, size))) else "—" for size in SIZES),
        ]
        for method in methods
    ]


def passages_line(results: pd.DataFrame) -> str:
    """How many passages each size has, and their mean words."""
    counted = results[results["method"] == PRIOR].groupby("size")["words"].agg(["size", "mean"])
    return "passages per size: " + "; ".join(
        f"{size} {counted.at[size, 'size']} (mean {counted.at[size, 'mean']:.0f} words)"
        for size in SIZES
        if size in counted.index
    )


def whole_works(results: pd.DataFrame) -> list[list]:
    """A row per held-out work and round: its label, lstm-spooky's verdict on the whole text and the
    probability it gives the true label, and Cosine Delta's verdict."""
    whole = results[results["size"] == SIZES[-1]].set_index(["round", "work", "method"])
    rows = []
    for (r, work), group in whole.groupby(level=["round", "work"], sort=True):
        model, cosine = group.loc[(r, work, METHODS[0])], group.loc[(r, work, METHODS[3])]
        rows.append([r, work, model["label"], model["predicted"], f"{model['p_true']:.3f}", cosine["predicted"]])
    return rows


def print_report(results: pd.DataFrame, took: list[dict]) -> None:
    rounds = results["round"].nunique()
    results = results.assign(
        correct=results["predicted"] == results["label"],
        loss=-np.log(np.clip(results["p_true"], EPS, 1.0)),
    )
    print(f"\naccuracy over {rounds} round(s); {passages_line(results)}\n")
    print(markdown(["method", *SIZES], by_size(results, METHODS, "correct", "{:.3f}")))
    print("\nlog loss (the prior: the training sentences' label frequencies)\n")
    print(markdown(["method", *SIZES], by_size(results, (*METHODS, PRIOR), "loss", "{:.4f}")))
    print("\nwhole works\n")
    print(markdown(["round", "work", "label", "lstm-spooky", "its p(label)", "Cosine Delta"], whole_works(results)))
    print()
    for r, seconds in enumerate(took):
        print(
            f"round {r + 1}: fit {seconds['fit']:.0f} s on {seconds['training']} sentences; sentences split in "
            f"{seconds['split']:.0f} s; {seconds['held out']} held-out sentences and their passages scored in "
            f"{seconds['score']:.0f} s"
        )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus_dir", help="a folder of Label_Title.txt files")
    corpus = SpookyConfig.for_corpus()  # what `fit CORPUS_DIR` trains
    parser.add_argument(
        "--models",
        default=",".join(corpus.models),
        help=f"comma-separated base models (default: {','.join(corpus.models)})",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=corpus.folds,
        help=f"folds inside the model, grouped by work (default: {corpus.folds})",
    )
    parser.add_argument(
        "--seed", type=int, default=SpookyConfig().seed, help="the model's, the sample's, the passages'"
    )
    parser.add_argument("--rounds", type=int, help="run the first N rounds (default: all)")
    parser.add_argument("--passages", type=int, default=30, help="passages of each size per held-out work")
    parser.add_argument(
        "--sentences-per-work", type=int, help="train on N random sentences of each work (default: all)"
    )
    parser.add_argument("--output", metavar="FILE.csv", help="write every passage's verdicts there")
    parser.add_argument("--verbose", action="store_true", help="print the fit's progress lines")
    args = parser.parse_args()
    for name in ("folds", "rounds", "passages", "sentences_per_work"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def read_rounds(corpus_dir: str, rounds: int | None) -> tuple[list[Document], list[list[str]]]:
    """Print the command, then read the corpus and the works each round holds out; a corpus that cannot be read
    ends the program with one line."""
    print("command: " + shlex.join(["python", *sys.argv]), flush=True)
    try:
        documents = read_documents(corpus_dir)
        return documents, held_out_works(documents, rounds)
    except DataError as error:
        sys.exit(f"error: {error}")


def main() -> None:
    args = parse_args()
    documents, rounds = read_rounds(args.corpus_dir, args.rounds)
    records, took = [], []
    for r, held in enumerate(rounds):
        round_records, round_took = run_round(r, documents, held, args)
        records += round_records
        took.append(round_took)
    results = pd.DataFrame(records, columns=CSV_COLUMNS)
    if args.output:
        results.to_csv(args.output, index=False)
    print_report(results, took)


if __name__ == "__main__":
    sys.exit(main())
