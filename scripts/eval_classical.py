"""Cross-validate the classical base models: NB-LR (lstm_spooky.models.nblr) and n-gram LMs (lstm_spooky.models.lm).

    python scripts/eval_classical.py TRAIN_CSV
    python scripts/eval_classical.py TRAIN_CSV --model lm --set length_power=0.5 --set char_orders=[6]

Every fold fits a fresh model on the other rows only and scores the held-out rows,
so the out-of-fold (OOF) log loss is what unseen sentences would get. Folds are
stratified and shuffled with --seed (0). Prints one line per fold and a summary per
model: OOF log loss and accuracy over all rows, mean fit seconds, predict rows/s.
With several models, the last line scores the plain mean of their probabilities.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold

from lstm_spooky.config import LMConfig, NBLRConfig
from lstm_spooky.data.corpus import read_train
from lstm_spooky.data.labels import encode_labels
from lstm_spooky.models.lm import LMModel
from lstm_spooky.models.nblr import NBLRModel
from lstm_spooky.probability import log_loss

MODELS = {"nblr": (NBLRModel, NBLRConfig), "lm": (LMModel, LMConfig)}


def parse_setting(text: str) -> tuple[str, object]:
    """ "c=16" -> ("c", 16); the value is JSON ("char_analyzer=\"char\"" or bare char)."""
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def cross_validate(model_class, config, texts: np.ndarray, y: np.ndarray, folds: int, seed: int) -> dict:
    oof = np.zeros((len(y), int(y.max()) + 1))
    fit_s, predict_rows_s = [], []
    for k, (train, test) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, y)):
        start = time.perf_counter()
        model = model_class(config).fit(list(texts[train]), y[train])
        fit_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        oof[test] = model.predict_proba(list(texts[test]))
        predict_rows_s.append(len(test) / (time.perf_counter() - start))
        print(
            f"  fold {k + 1}: log loss {log_loss(y[test], oof[test]):.4f}  "
            f"accuracy {np.mean(oof[test].argmax(axis=1) == y[test]):.4f}  "
            f"fit {fit_s[-1]:.1f}s  predict {predict_rows_s[-1]:.0f} rows/s",
            flush=True,
        )
    return {
        "oof": oof,
        "log_loss": log_loss(y, oof),
        "accuracy": float(np.mean(oof.argmax(axis=1) == y)),
        "fit_s": float(np.mean(fit_s)),
        "predict_rows_s": float(np.mean(predict_rows_s)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train_csv")
    parser.add_argument("--model", choices=sorted(MODELS), action="append", help="repeatable; default: all")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a config field")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    frame = read_train(args.train_csv)
    texts, y = frame["text"].to_numpy(dtype=object), encode_labels(frame["author"])
    print(f"{len(y)} rows; {args.folds}-fold stratified CV, seed {args.seed}", flush=True)
    names = args.model or list(MODELS)
    oofs = []
    for name in names:
        model_class, config_cls = MODELS[name]
        config = config_cls.from_dict({**config_cls().to_dict(), **dict(map(parse_setting, args.set))})
        print(f"{name}: {json.dumps(config.to_dict())}", flush=True)
        scores = cross_validate(model_class, config, texts, y, args.folds, args.seed)
        print(
            f"{name}: OOF log loss {scores['log_loss']:.4f}  accuracy {scores['accuracy']:.4f}  "
            f"fit {scores['fit_s']:.1f}s/fold  predict {scores['predict_rows_s']:.0f} rows/s",
            flush=True,
        )
        oofs.append(scores["oof"])
    if len(oofs) > 1:
        mean = np.mean(oofs, axis=0)
        print(
            f"mean of {', '.join(names)}: OOF log loss {log_loss(y, mean):.4f}  "
            f"accuracy {np.mean(mean.argmax(axis=1) == y):.4f}"
        )


if __name__ == "__main__":
    main()
