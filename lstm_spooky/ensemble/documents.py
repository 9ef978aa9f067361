"""Document verdicts: who wrote a passage of many sentences, with a confidence learnt on works never seen.

Each sentence's calibrated probabilities are evidence, its log-ratio to the prior. Summed over a
passage (the naive product of its sentences' probabilities) they are wildly overconfident: the
sentences of one book share its names and topics, so on a book the model never saw their errors
go together (the naive product scored a log loss of 6.2 at 1,000 words for 78% right,
docs/documents.md). So a passage's verdict weighs two kinds of evidence by its length in words:

    logits = log prior + a(words) * mean sentence log-ratio - b(words) * Cosine Delta to each label

Cosine Delta (text/mfw.py) reads the passage's 3,000 most frequent words (from 50 words on), the signal
that follows an author from book to book and grows surer with length. Each weight is a power of the
length,

    a(words) = a_1000 * (words / 1,000) ** alpha,    b(words) = b_1000 * (words / 1,000) ** beta

with 0 <= alpha, beta <= 1 (independent sentences would add up, alpha 1; copies of one add nothing,
alpha 0), fitted on out-of-fold passages of every length in PASSAGE_WORDS at once: runs of
consecutive sentences of one held-out work, scored by base models, a stack and a Delta profile
that never saw the work. Beyond the longest length measured the weights are held, so confidence
stops growing where nothing measured it. With `a` and `b` at zero the verdict is the prior: a
passage with little evidence stays near it. Four numbers fitted on all lengths replaced a pair
fitted at each length and interpolated, which swung with the few held-out works behind the longest
lengths (a of 13.8 at 20,000 words, 2.4 at 5,000). On British fiction's held-out novels (1,000
sentences per training novel, --models lm, round 0 of scripts/benchmark_documents.py) the power law
attributed all 9 whole novels right where the pairs got 7, with a log loss of 0.93 at 5,000 words
where they had 2.47, though 1.04 and 0.75 at 1,000 and 2,000 words where they had 0.90 and 0.51;
in round 1 the two were alike (0.31 and 0.33 at 5,000 words; docs/documents.md).

A model fitted on sentences without works (a Kaggle CSV) has no runs of a book to learn from: its
passages are sets of held-out sentences of one label drawn at random, which say how it does on
other pages of the books it knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax

from ..probability import EPS
from ..text.mfw import DeltaProfile, WordCounts
from .groups import blocked_groups

# The lengths (in words) of the passages the weights are fitted on; 0 is a single sentence. Beyond
# 20,000 a held-out work of the corpus rarely gives several disjoint passages.
PASSAGE_WORDS = (0, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
REFERENCE_WORDS = 1_000  # the length whose weights a_1000 and b_1000 are
PASSAGES_PER_RUN = 40  # random starts per held-out run and length
MIN_PASSAGES = 20  # a length with fewer passages is left out of the fit
# Delta's most frequent words. Attribution studies of Delta settle on a few hundred for the Delta alone; weighed
# with the sentence models, more words keep helping on passages of new novels: 300, 1,000, 3,000 and 5,000 words
# gave 0.920, 0.924, 0.948 and 0.931 at 5,000 words, and 0.781, 0.783, 0.828 and 0.827 at 1,000 (British
# fiction, rounds 0-2 of scripts/benchmark_documents.py on 1,000 sentences per training novel; docs/experiments.md).
MFW = 3_000
# A passage of fewer words holds too few of the frequent words for their frequencies to say anything: its Delta
# is left out (the same as zero for every label). With it, one sentence was attributed right 0.415 of the time;
# without, 0.433 (same runs).
DELTA_FROM_WORDS = 50
PSEUDO_WORKS = 5  # without works, each label's sentences are cut into this many random sets


@dataclass(frozen=True)
class Passages:
    """Evidence of R passages: mean_log_ratio (R, n_classes) of their sentences, delta (R, n_classes) their
    Cosine Delta to each label, words (R,) and sentences (R,) their lengths."""

    mean_log_ratio: np.ndarray
    delta: np.ndarray
    words: np.ndarray
    sentences: np.ndarray


def run_sums(values: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Sums of `values`' rows over each run [start, stop) of `runs` (shape (R, 2)), by cumulative sums.

    >>> run_sums(np.array([[1.0], [2.0], [4.0]]), np.array([[0, 2], [1, 3], [2, 2]])).ravel().tolist()
    [3.0, 6.0, 0.0]
    """
    cumulative = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    return cumulative[runs[:, 1]] - cumulative[runs[:, 0]]


def passages_of(log_ratio: np.ndarray, counts: WordCounts, runs: np.ndarray, profile: DeltaProfile) -> Passages:
    """The evidence of each run of sentences, from the sentences' `log_ratio` (n, n_classes) and word `counts`; the
    Delta of a run of fewer than DELTA_FROM_WORDS words is zero."""
    sentences = (runs[:, 1] - runs[:, 0]).astype(float)
    summed = WordCounts(run_sums(counts.counts, runs), run_sums(counts.totals, runs))
    mean_log_ratio = run_sums(log_ratio, runs) / np.maximum(sentences, 1)[:, None]
    delta = profile.distances(summed, "cosine") * (summed.totals >= DELTA_FROM_WORDS)[:, None]
    return Passages(mean_log_ratio, delta, summed.totals, sentences)


def log_ratios(proba: np.ndarray, log_prior: np.ndarray) -> np.ndarray:
    """Each sentence's evidence: the log of its probabilities over the prior's, shape (n, n_classes)."""
    return np.log(np.clip(proba, EPS, 1.0)) - log_prior


@dataclass(frozen=True)
class DocumentCalibration:
    """The weights of a passage's evidence by its length (see the module's docstring).

    log_prior : (n_classes,) the training labels' log frequencies
    profile : the Delta profile of the training works, to score new passages
    powers : (2, 2) the sentences' weight `a` (row 0) and Delta's `b` (row 1), each as its log at REFERENCE_WORDS
        and its exponent
    longest_words : the length beyond which the weights stop growing (the longest passages measured)
    validation : how its verdicts did on the held-out works (ensemble/document_validation.py), JSON-ready, or None
    """

    log_prior: np.ndarray
    profile: DeltaProfile
    powers: np.ndarray
    longest_words: float
    validation: dict | None = None

    def weights(self, words: np.ndarray) -> np.ndarray:
        """`a` and `b` of passages of `words` words: shape (R, 2)."""
        return length_weights(self.powers, np.minimum(np.maximum(words, 1), self.longest_words))

    def proba(self, passages: Passages) -> np.ndarray:
        """Each passage's probabilities, shape (R, n_classes); the prior for a passage of no sentence."""
        weights = self.weights(passages.words)
        logits = self.log_prior + weights[:, :1] * passages.mean_log_ratio - weights[:, 1:] * passages.delta
        logits[passages.sentences == 0] = self.log_prior
        return np.exp(log_softmax(logits, axis=1))

    def proba_of_runs(self, proba: np.ndarray, texts: Sequence[str], runs: np.ndarray) -> np.ndarray:
        """The verdict of each run [start, stop) of consecutive sentences `texts`, whose probabilities are
        `proba` (n, n_classes): shape (R, n_classes)."""
        runs = np.asarray(runs, dtype=int).reshape(-1, 2)
        evidence = log_ratios(proba, self.log_prior)
        return self.proba(passages_of(evidence, self.profile.count(texts), runs, self.profile))

    def to_dict(self) -> dict:
        return {
            "log_prior": self.log_prior.tolist(),
            "reference_words": REFERENCE_WORDS,
            "delta_from_words": DELTA_FROM_WORDS,
            "powers": self.powers.tolist(),
            "longest_words": self.longest_words,
            "profile": self.profile.to_dict(),
            **({"validation": self.validation} if self.validation is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict) -> DocumentCalibration:
        if (data.get("reference_words"), data.get("delta_from_words")) != (REFERENCE_WORDS, DELTA_FROM_WORDS):
            raise ValueError("documents.json was written by another version of lstm-spooky; refit the model")
        return cls(
            np.asarray(data["log_prior"]),
            DeltaProfile.from_dict(data["profile"]),
            np.asarray(data["powers"]),
            float(data["longest_words"]),
            data.get("validation"),
        )


def length_weights(powers: np.ndarray, words: np.ndarray) -> np.ndarray:
    """`a` and `b` (columns) of passages of `words` words under `powers` (DocumentCalibration's): shape (R, 2).

    >>> length_weights(np.array([[0.0, 1.0], [np.log(2), 0.0]]), np.array([1000.0, 4000.0])).round(6).tolist()
    [[1.0, 2.0], [4.0, 2.0]]
    """
    x = np.log(np.asarray(words, dtype=float) / REFERENCE_WORDS)
    return np.exp(powers[:, 0] + np.outer(x, powers[:, 1]))


def fit_powers(lengths: Sequence[tuple[Passages, np.ndarray]], log_prior: np.ndarray) -> np.ndarray:
    """The `powers` (DocumentCalibration's) that minimise the log loss of passages of several `lengths`, each
    (passages, labels), each length weighing alike (the mean of its passages' log losses)."""
    passages, y = _concatenated(list(lengths))
    share = np.concatenate([np.full(len(labels), 1 / (len(labels) * len(lengths))) for _, labels in lengths])
    x = np.log(np.maximum(passages.words, 1) / REFERENCE_WORDS)
    rows = np.arange(len(y))

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        powers = flat.reshape(2, 2)
        weights = length_weights(powers, np.maximum(passages.words, 1))
        log_p = log_softmax(
            log_prior + weights[:, :1] * passages.mean_log_ratio - weights[:, 1:] * passages.delta, axis=1
        )
        p = np.exp(log_p)
        # d loss / d a and d b of each passage, then through a = exp(log a + alpha x) to the four numbers
        by_a = (p * passages.mean_log_ratio).sum(1) - passages.mean_log_ratio[rows, y]
        by_b = passages.delta[rows, y] - (p * passages.delta).sum(1)
        grad = [share @ (by * weights[:, i] * factor) for i, by in enumerate((by_a, by_b)) for factor in (1, x)]
        return float(-share @ log_p[rows, y]), np.array(grad)

    start = np.array([1.0, 0.3, 2.0, 0.5])  # near what British fiction's passages settle on
    bounds = [(-10, 10), (0, 1), (-10, 10), (0, 1)]
    return minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x.reshape(2, 2)


def passage_layout(y: np.ndarray, groups: Sequence | None, blocks: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's work code and the row order its works read in: the fit's groups (a single-work label cut into
    `blocks` contiguous blocks, as the folds cut it) in row order; without groups, each label's rows in a seeded
    random order, cut into PSEUDO_WORKS sets."""
    if groups is not None:
        return blocked_groups(y, groups, blocks), np.arange(len(y))
    order = np.lexsort((np.random.default_rng(seed).random(len(y)), y))
    codes = np.empty(len(y), dtype=int)
    for label in np.unique(y):
        rows = order[y[order] == label]
        codes[rows] = label * PSEUDO_WORKS + np.arange(len(rows)) * PSEUDO_WORKS // len(rows)
    return codes, order


def held_out_runs(rows: np.ndarray, codes: np.ndarray, order: np.ndarray) -> list[np.ndarray]:
    """The held-out `rows` as runs of one work each, every run its rows in reading order."""
    position = np.empty(len(order), dtype=int)
    position[order] = np.arange(len(order))
    rows = rows[np.argsort(position[rows])]
    breaks = np.flatnonzero((np.diff(position[rows]) != 1) | (np.diff(codes[rows]) != 0)) + 1
    return np.split(rows, breaks)


def sample_runs(words: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Runs [start, stop) of consecutive sentences (of one work whose sentences have `words` words each), each from
    a random start to the first sentence that brings it to `target` words (one sentence for 0); shape (R, 2)."""
    ends = np.cumsum(words)
    starts = rng.choice(len(words), size=min(PASSAGES_PER_RUN, len(words)), replace=False)
    if target == 0:
        return np.stack([starts, starts + 1], axis=1)
    stops = np.searchsorted(ends, ends[starts] - words[starts] + target) + 1
    keep = stops <= len(words)
    return np.stack([starts[keep], stops[keep]], axis=1)


def work_profile(texts: np.ndarray, y: np.ndarray, codes: np.ndarray, rows: np.ndarray, n_classes: int) -> DeltaProfile:
    """The Delta profile of `rows`' works: each work's sentences joined into one text."""
    works = [rows[codes[rows] == code] for code in np.unique(codes[rows])]
    return DeltaProfile(MFW).fit([" ".join(texts[work]) for work in works], [y[work[0]] for work in works], n_classes)


def held_out_passages(
    evidence: np.ndarray, texts: np.ndarray, y: np.ndarray, runs: list[np.ndarray], profile: DeltaProfile, seed: int
) -> dict[int, tuple[Passages, np.ndarray]]:
    """Passages of every length in PASSAGE_WORDS sampled from each held-out run, with their labels."""
    rng = np.random.default_rng(seed)
    found: dict[int, list[tuple[Passages, np.ndarray]]] = {target: [] for target in PASSAGE_WORDS}
    for run in runs:
        counts = profile.count(texts[run])
        spans = [sample_runs(counts.totals, target, rng) for target in PASSAGE_WORDS]
        # One pass over the run's counts for all lengths: summing 3,000 words' counts is the cost.
        passages = passages_of(evidence[run], counts, np.concatenate(spans), profile)
        stops = np.cumsum([len(part) for part in spans])
        for target, start, stop in zip(PASSAGE_WORDS, stops - [len(part) for part in spans], stops):
            if stop > start:
                part = Passages(*(getattr(passages, name)[start:stop] for name in Passages.__dataclass_fields__))
                found[target].append((part, np.full(stop - start, y[run[0]])))
    return {target: _concatenated(parts) for target, parts in found.items() if parts}


def _concatenated(parts: list[tuple[Passages, np.ndarray]]) -> tuple[Passages, np.ndarray]:
    passages = Passages(
        *(np.concatenate([getattr(p, name) for p, _ in parts]) for name in Passages.__dataclass_fields__)
    )
    return passages, np.concatenate([labels for _, labels in parts])


@dataclass(frozen=True)
class HeldOut:
    """What the folds' held-out works say of passages: `lengths` {words: (passages, labels)} sampled from them;
    `runs`, each held-out work's rows in reading order with the Delta profile of the fold that held it out;
    `evidence` (n, n_classes) every row's log-ratio to `log_prior` (NaN where never held out); `profile` the
    Delta profile of all works."""

    lengths: dict[int, tuple[Passages, np.ndarray]]
    runs: list[tuple[np.ndarray, DeltaProfile]]
    evidence: np.ndarray
    log_prior: np.ndarray
    profile: DeltaProfile


def held_out(
    proba: np.ndarray,
    texts: Sequence[str],
    y: np.ndarray,
    n_classes: int,
    splits: list[tuple[np.ndarray, np.ndarray]],
    layout: tuple[np.ndarray, np.ndarray],
    seed: int,
) -> HeldOut:
    """The held-out passages of a fit: `proba` (n, n_classes) the rows' out-of-fold probabilities (NaN where a
    row was never held out), `splits` the folds that held them out, `layout` the rows' work codes and reading order
    (`passage_layout`). Each fold's held-out works give passages of every length, scored with a Delta profile of
    that fold's training works; lengths with fewer than MIN_PASSAGES passages are left out."""
    texts, codes = np.asarray(texts, dtype=object), layout[0]
    log_prior = np.log(np.bincount(y, minlength=n_classes) / len(y))
    evidence = log_ratios(proba, log_prior)
    by_length: dict[int, list[tuple[Passages, np.ndarray]]] = {}
    runs = []
    for fold, (train, held) in enumerate(splits):
        profile = work_profile(texts, y, codes, train, n_classes)
        fold_runs = held_out_runs(held, *layout)
        runs += [(run, profile) for run in fold_runs]
        for target, part in held_out_passages(evidence, texts, y, fold_runs, profile, seed + fold).items():
            by_length.setdefault(target, []).append(part)
    lengths = {target: _concatenated(parts) for target, parts in sorted(by_length.items())}
    lengths = {target: part for target, part in lengths.items() if len(part[1]) >= MIN_PASSAGES}
    profile = work_profile(texts, y, codes, np.arange(len(y)), n_classes)
    return HeldOut(lengths, runs, evidence, log_prior, profile)


def fit_document_calibration(found: HeldOut) -> DocumentCalibration | None:
    """The document calibration learnt on `found` (`held_out`), or None when it holds no passages."""
    if not found.lengths:
        return None
    longest = max(float(np.median(passages.words)) for passages, _ in found.lengths.values())
    powers = fit_powers(list(found.lengths.values()), found.log_prior)
    return DocumentCalibration(found.log_prior, found.profile, powers, max(longest, 1.0))
