"""Compare base models side by side on the same stratified folds: quality, speed, size.

    python scripts/compare_models.py TRAIN_CSV                                   # bilstm, nblr, lm; first of 5 folds
    python scripts/compare_models.py TRAIN_CSV --models bilstm,tinybert --bert-preset DIR
    python scripts/compare_models.py TRAIN_CSV --run-folds 5                     # all five folds

Every base model is trained as `lstm-spooky fit --models NAME --folds 1` would train it
(one model, early-stopped and temperature-calibrated on a 10% validation split of the
training rows; an n-gram model is then refitted on all of them, keeping that temperature)
on the same outer training rows, and scored on the same held-out rows.
Prints a Markdown table (log loss, accuracy, fit seconds, prediction rows/s, parameters,
size on disk) and writes it with a PNG bar chart into --output-dir.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from benchmark import directory_mib  # noqa: E402  (scripts/ is on sys.path when a script runs)
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from lstm_spooky import AUTHORS, SpookyClassifier, SpookyConfig, read_train  # noqa: E402
from lstm_spooky.data.labels import encode_labels  # noqa: E402
from lstm_spooky.models.registry import MODELS  # noqa: E402
from lstm_spooky.probability import log_loss  # noqa: E402

COLUMNS = ("model", "log loss", "accuracy", "fit s", "predict rows/s", "parameters", "size MiB")


def n_parameters(member) -> int | None:
    """Learned numbers of one fitted base model, for the kinds this script knows (network weights,
    regression weights, n-gram counts); None for any other."""
    for network in ("network_", "classifier_"):  # the BiLSTM's and the BERT's Keras models
        if hasattr(member, network):
            return getattr(member, network).count_params()
    if hasattr(member, "weights_"):  # NB-LR and the linear models
        return member.weights_.size + member.intercepts_.size
    if hasattr(member, "models_"):  # the language models: their counts and the calibration
        counts = sum(table.size for model in member.models_.models for table in model.counts)
        return counts + member.coef_.size + member.intercept_.size
    return None


def evaluate(
    name: str, config: SpookyConfig, texts: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> dict:
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    start = time.perf_counter()
    model = SpookyClassifier(config.replace(models=(name,), folds=1)).fit(
        texts[train], np.array(AUTHORS)[y[train]], log=log
    )
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    proba = model.predict_proba(list(texts[test]))
    predict_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model")
        size = directory_mib(Path(tmp) / "model")
    return {
        "model": name,
        "log loss": log_loss(y[test], proba),
        "accuracy": float(np.mean(proba.argmax(axis=1) == y[test])),
        "fit s": fit_s,
        "predict rows/s": len(test) / predict_s,
        "parameters": n_parameters(model.members_[name][0]),
        "size MiB": size,
    }


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['log loss']:.4f} | {r['accuracy']:.4f} | {r['fit s']:.0f} | "
            f"{r['predict rows/s']:.0f} | {_millions(r['parameters'])} | {r['size MiB']:.1f} |"
        )
    return "\n".join(lines)


def _millions(count: int | None) -> str:
    return "-" if count is None else f"{count / 1e6:.2f}M"


def bar_chart(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        ("log loss", "log loss (lower is better)", False),
        ("accuracy", "accuracy", False),
        ("fit s", "fit seconds (log scale)", True),
        ("predict rows/s", "prediction rows/s (log scale)", True),
    ]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.6))
    names = [r["model"] for r in rows]
    for ax, (key, label, log_scale) in zip(axes, metrics):
        values = [r[key] for r in rows]
        bars = ax.bar(names, values, color=[plt.cm.tab10(i) for i in range(len(rows))])
        ax.bar_label(
            bars,
            labels=[f"{v:.3f}" if not log_scale else f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in values],
            fontsize="small",
        )
        ax.margins(y=0.15)
        ax.set_title(label, fontsize="medium")
        if log_scale:
            ax.set_yscale("log")
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train_csv")
    parser.add_argument("--models", default="bilstm,nblr,lm", help=f"comma-separated, from {', '.join(MODELS)}")
    parser.add_argument("--bert-preset", help="tinybert's preset: a KerasHub name or a local folder")
    parser.add_argument("--bert-epochs", type=int, help="tinybert's most epochs")
    parser.add_argument("--outer-folds", type=int, default=5, help="stratified folds the rows are split into")
    parser.add_argument("--run-folds", type=int, default=1, help="how many of those folds to hold out in turn")
    parser.add_argument("--seed", type=int, default=0, help="seed of the outer folds")
    parser.add_argument("--output-dir", default="comparison", help="where the Markdown table and PNG chart go")
    args = parser.parse_args()

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {', '.join(MODELS)}")
    config = SpookyConfig()
    if args.bert_preset:
        config = config.replace(bert=config.bert.replace(preset=args.bert_preset))
    if args.bert_epochs:
        config = config.replace(bert=config.bert.replace(epochs=args.bert_epochs))
    frame = read_train(args.train_csv)
    texts, y = frame["text"].to_numpy(dtype=object), encode_labels(frame["author"])
    folds = list(StratifiedKFold(args.outer_folds, shuffle=True, random_state=args.seed).split(texts, y))[
        : args.run_folds
    ]
    print(
        f"{len(y)} rows; {args.outer_folds} stratified folds (seed {args.seed}), "
        f"holding out {len(folds)} of them in turn",
        flush=True,
    )

    per_fold = []
    for k, (train, test) in enumerate(folds):
        rows = []
        for name in names:
            rows.append(evaluate(name, config, texts, y, train, test))
            print(
                f"fold {k + 1}: {name} log loss {rows[-1]['log loss']:.4f}  accuracy {rows[-1]['accuracy']:.4f}",
                flush=True,
            )
        per_fold.append(rows)
    rows = [
        {key: (same[0][key] if key == "model" else float(np.mean([r[key] for r in same]))) for key in COLUMNS}
        for same in zip(*per_fold)
    ]
    scope = f"{len(folds)} of {args.outer_folds} stratified folds held out ({len(folds[0][1])} rows each)"
    table = markdown(rows)
    print(f"\n{scope}\n\n{table}")
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    (output / "comparison.md").write_text(f"{scope}; `{' '.join(sys.argv)}`\n\n{table}\n", encoding="utf-8")
    bar_chart(rows, output / "comparison.png", scope)
    print(f"\nwrote {output / 'comparison.md'} and {output / 'comparison.png'}")


if __name__ == "__main__":
    main()
