"""Benchmark lstm-spooky on sentences its model never saw: log loss, accuracy, speed, size, memory.

    python scripts/benchmark.py TRAIN_CSV                              # the default model, one 80/20 split
    python scripts/benchmark.py TRAIN_CSV --models bilstm --folds 1 --cv 5   # 5-fold CV of a single BiLSTM
    python scripts/benchmark.py TRAIN_CSV --ablate bilstm              # and the same stack without the BiLSTM
    python scripts/benchmark.py TRAIN_CSV --models bilstm --folds 1 --set nb_orders=[1,2]  # one network
    python scripts/benchmark.py TRAIN_CSV --pool TEST_CSV              # and with an unlabelled pool

Each outer fold fits a fresh model (all its inner folds, calibration or stack) on the
other rows only and scores the held-out rows, for every base model (its fold members
averaged) and for the final model. `--cv 1` uses one stratified 80/20 split: a bagged
model already trains `--folds` models per outer fold.

With `--pool TEST_CSV`, the same model is then fitted again with the held-out rows and
TEST_CSV's sentences as its unlabelled pool (`fit --unlabeled`), reusing the first fit's
folds from checkpoints, and every row is scored again ("+pool"; its fit seconds are the
pool's alone): the held-out rows, sentences of the pool, are each scored by models fitted
without them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from eval_classical import parse_setting  # noqa: E402  (scripts/ is on the path: the same FIELD=VALUE syntax)
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402

from lstm_spooky import SpookyClassifier, SpookyConfig, read_test, read_train  # noqa: E402
from lstm_spooky.data.labels import encode_labels  # noqa: E402
from lstm_spooky.probability import log_loss  # noqa: E402

COLUMNS = ("model", "log loss", "accuracy", "fit s", "predict rows/s", "size MiB")


def outer_splits(y: np.ndarray, cv: int, seed: int):
    if cv == 1:
        return [train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)]
    return list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(y, y))


def directory_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def evaluate(
    model: SpookyClassifier, texts: list[str], y: np.ndarray, fit_s: float, ablate: list[str], suffix: str = ""
) -> list[tuple]:
    """One row per base model, then the final model, then the final model without each of `ablate`
    (the stack refitted on the same out-of-fold features), scored on held-out texts; `suffix` ends each name."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model")
        for name in model.config.models:
            start = time.perf_counter()
            proba = model.base_proba(texts, [name])[name]
            seconds = time.perf_counter() - start
            rows.append(
                (
                    name + suffix,
                    log_loss(y, proba),
                    np.mean(proba.argmax(1) == y),
                    model.fit_seconds_[name],
                    len(y) / seconds,
                    directory_mib(Path(tmp) / "model" / name),
                )
            )
        start = time.perf_counter()
        proba = model.predict_proba(texts)
        seconds = time.perf_counter() - start
        rows.append(
            (
                "final" + suffix,
                log_loss(y, proba),
                np.mean(proba.argmax(1) == y),
                fit_s,
                len(y) / seconds,
                directory_mib(Path(tmp) / "model"),
            )
        )
    for name in ablate:
        start = time.perf_counter()
        proba = model.without(name).predict_proba(texts)
        seconds = time.perf_counter() - start
        rows.append(
            (
                f"final without {name}{suffix}",
                log_loss(y, proba),
                np.mean(proba.argmax(1) == y),
                fit_s - model.fit_seconds_[name],
                len(y) / seconds,
                float("nan"),
            )
        )
    return rows


def print_table(rows: list[tuple]) -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for name, ll, acc, fit_s, rate, mib in rows:
        print(f"| {name} | {ll:.4f} | {acc:.4f} | {fit_s:.0f} | {rate:.0f} | {mib:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train_csv")
    parser.add_argument("--models", help="comma-separated base models (default: SpookyConfig's)")
    parser.add_argument("--folds", type=int, help="folds inside the model (default: SpookyConfig's)")
    parser.add_argument("--cv", type=int, default=1, help="outer folds (1: one 80/20 split)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the outer split")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="override a SpookyConfig field (JSON value)"
    )
    parser.add_argument(
        "--ablate",
        action="append",
        default=[],
        metavar="MODEL",
        help="also score the stack without MODEL, refitted on the same folds (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true", help="print the fit's progress lines")
    parser.add_argument("--save-models", metavar="DIR", help="save each fitted model in DIR (fold-1, fold-1+pool, ...)")
    parser.add_argument("--pool", metavar="TEST_CSV", help="also fit with the held-out rows and TEST_CSV as unlabelled")
    args = parser.parse_args()

    frame = read_train(args.train_csv)
    y = encode_labels(frame["author"])
    config = SpookyConfig()
    if args.models:
        config = config.replace(models=tuple(args.models.split(",")))
    if args.folds:
        config = config.replace(folds=args.folds)
    if args.set:
        config = SpookyConfig.from_dict({**config.to_dict(), **dict(map(parse_setting, args.set))})
    print(
        f"{len(frame)} rows; models {','.join(config.models)}; model folds {config.folds}; outer CV {args.cv}; "
        f"settings {args.set or 'default'}",
        flush=True,
    )
    all_rows = []
    for k, (train, test) in enumerate(outer_splits(y, args.cv, args.seed)):
        held_out = list(frame["text"].iloc[test])
        with tempfile.TemporaryDirectory() as checkpoints:
            start = time.perf_counter()
            fit = {"checkpoint_dir": checkpoints, "log": print if args.verbose else None}
            model = SpookyClassifier(config).fit(frame["text"].iloc[train], frame["author"].iloc[train], **fit)
            fit_s = time.perf_counter() - start
            rows = evaluate(model, held_out, y[test], fit_s, args.ablate)
            if args.save_models:
                model.save(Path(args.save_models) / f"fold-{k + 1}")
            if args.pool:
                pool = held_out + list(read_test(args.pool)["text"])
                start = time.perf_counter()
                model = SpookyClassifier(config).fit(
                    frame["text"].iloc[train], frame["author"].iloc[train], unlabeled=pool, resume=True, **fit
                )
                rows += evaluate(model, held_out, y[test], time.perf_counter() - start, args.ablate, " +pool")
                if args.save_models:
                    model.save(Path(args.save_models) / f"fold-{k + 1}+pool")
        print(f"\nouter fold {k + 1}/{args.cv}: {len(train)} training rows, {len(test)} held out", flush=True)
        print_table(rows)
        all_rows.append(rows)
    if args.cv > 1:
        print(f"\nmean over {args.cv} outer folds")
        print_table([(same[0][0], *np.mean([row[1:] for row in same], axis=0)) for same in zip(*all_rows)])
    print(f"\npeak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
