"""Benchmark the default model: cross-validated log loss, accuracy, speed and memory.

    python scripts/benchmark.py TRAIN_CSV                 # 5-fold CV of a single network (--folds 1)
    python scripts/benchmark.py TRAIN_CSV --model-folds 5 --cv 1   # the bagged default on one 80/20 split

Every outer fold trains a fresh model on the other rows only and scores the held-out
rows, so the numbers are what a submission on unseen sentences would get. With
--cv 1 a single stratified 80/20 split is used (a bagged model trains 5 networks per
outer fold, so 5 outer folds would take 25 network fits).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402

from lstm_spooky import SpookyClassifier, SpookyConfig, read_train  # noqa: E402
from lstm_spooky.calibration import log_loss  # noqa: E402
from lstm_spooky.data import encode_labels  # noqa: E402


def outer_splits(y: np.ndarray, cv: int, seed: int):
    if cv == 1:
        return [train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)]
    return list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(y, y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train_csv")
    parser.add_argument("--cv", type=int, default=5, help="outer folds (1: one 80/20 split)")
    parser.add_argument("--model-folds", type=int, default=1, help="folds inside the model (SpookyConfig.folds)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the outer split")
    args = parser.parse_args()

    frame = read_train(args.train_csv)
    y = encode_labels(frame["author"])
    config = SpookyConfig(folds=args.model_folds)
    print(f"{len(frame)} rows; outer CV {args.cv}; model folds {config.folds}", flush=True)
    scores = []
    for k, (train, test) in enumerate(outer_splits(y, args.cv, args.seed)):
        start = time.perf_counter()
        model = SpookyClassifier(config).fit(frame["text"].iloc[train], frame["author"].iloc[train])
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        proba = model.predict_proba(frame["text"].iloc[test])
        predict_s = time.perf_counter() - start
        row = (log_loss(y[test], proba), float(np.mean(proba.argmax(axis=1) == y[test])), fit_s, len(test) / predict_s)
        scores.append(row)
        print(f"fold {k + 1}: log loss {row[0]:.4f}  accuracy {row[1]:.4f}  fit {row[2]:.0f}s  predict {row[3]:.0f} rows/s", flush=True)
    mean = np.mean(scores, axis=0)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"mean: log loss {mean[0]:.4f} (sd {np.std([s[0] for s in scores]):.4f})  accuracy {mean[1]:.4f}  "
        f"fit {mean[2]:.0f}s  predict {mean[3]:.0f} rows/s  peak memory {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    sys.exit(main())
