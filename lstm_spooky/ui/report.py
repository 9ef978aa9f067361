"""An HTML report on a trained model: scores, learning curves, confusion matrix, calibration, errors.

It reads only the model directory's files (config.json, the out-of-fold CSVs, the
Keras-trained folds' history.json) and, to highlight what misled the model in its worst
errors, the NB-LR (or language-model) base model, never the networks, so it needs no TensorFlow.
Plots are drawn with matplotlib (the `report` extra) and embedded in the page as PNG, so the
report is one portable file.
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.labels import encode_labels
from ..models.base import HISTORY_FILE
from ..probability import log_loss
from ..store.model_dir import DOCUMENTS_FILE, OOF_FILE, base_oof_file, member_dir, read_model_meta
from .highlight import HTML_COLOURS


def build_report(
    model_dir: str | Path, texts: dict[str, str] | None = None, labels_by_id: dict[str, str] | None = None
) -> str:
    """The report page as an HTML string. `texts` maps ids to sentences for the error table;
    with `labels_by_id` too (the training file's labels), the table marks what misled the model."""
    import matplotlib

    matplotlib.use("Agg")
    model_dir = Path(model_dir)
    meta = read_model_meta(model_dir)
    models = meta["config"]["models"]
    labels = [str(label) for label in meta["classes"]]
    final_oof = pd.read_csv(model_dir / OOF_FILE, dtype={"id": str, "author": str})
    y = encode_labels(final_oof["author"], labels)
    final = final_oof[labels].to_numpy(dtype=np.float64)
    base = {name: pd.read_csv(model_dir / base_oof_file(name))[labels].to_numpy(dtype=np.float64) for name in models}
    cv = meta["cv"]
    how = f"temperature {meta['temperature']:.3f}" if "temperature" in meta else "a stacked logistic regression"
    sections = [
        f"<h1>lstm-spooky model report</h1><p><code>{html.escape(str(model_dir))}</code>: "
        f"{', '.join(models)} on {cv['folds']} fold(s), {cv['rows']} held-out rows, combined by {how}; "
        f"labels {html.escape(', '.join(labels))}.</p>",
        "<h2>Cross-validated scores</h2>" + _scores_table(cv),
    ]
    for name in models:
        histories = [member_dir(model_dir, name, member) / HISTORY_FILE for member in meta["members"][name]]
        if all(path.is_file() for path in histories):  # the networks trained by Keras, epoch by epoch
            curves = _learning_curves([json.loads(path.read_text(encoding="utf-8")) for path in histories])
            sections.append(f"<h2>{name} learning curves</h2>" + _img(curves))
    sections += [
        "<h2>Confusion matrix (out-of-fold, final model)</h2>" + _img(_confusion(y, final.argmax(axis=1), labels)),
        "<h2>Reliability before and after calibration</h2>"
        "<p>Each point is a bin of predicted probabilities (all labels pooled): a calibrated model lies on "
        "the diagonal. The base models are shown raw; the final model's calibration was fitted without each row.</p>"
        + _img(_reliability(y, {**{f"{name} (raw)": p for name, p in base.items()}, "final": final})),
        "<h2>Per-label precision and recall (final model)</h2>" + _per_label_table(y, final.argmax(axis=1), labels),
        "<h2>The 10 most confidently wrong sentences</h2>"
        + _wrong_table(final_oof, y, final, labels, texts, labels_by_id, meta),
        _documents_section(model_dir, labels),
    ]
    style = (
        "body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}img{max-width:100%}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>lstm-spooky report</title>"
        f"<style>{style}</style></head><body>{''.join(sections)}</body></html>"
    )


def _scores_table(cv: dict) -> str:
    rows = [
        (name, scores["log_loss"], scores["accuracy"], ", ".join(f"{v:.4f}" for v in scores["fold_log_loss"]))
        for name, scores in cv["models"].items()
    ]
    rows.append((f"final ({cv['combined_by']})", cv["log_loss"], cv["accuracy"], ""))
    body = "".join(
        f"<tr><td>{n}</td><td>{ll:.4f}</td><td>{acc:.4f}</td><td>{folds}</td></tr>" for n, ll, acc, folds in rows
    )
    return (
        "<table><tr><th>model</th><th>log loss</th><th>accuracy</th><th>log loss per fold</th></tr>" + body + "</table>"
    )


def _learning_curves(histories: list[dict]):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for fold, history in enumerate(histories):
        color = plt.cm.tab10(fold % 10)
        epochs = np.arange(1, len(history["loss"]) + 1)
        ax.plot(epochs, history["loss"], color=color, linestyle="--", label=f"fold {fold + 1} train")
        ax.plot(epochs, history["val_loss"], color=color, marker="o", label=f"fold {fold + 1} validation")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("log loss")
    ax.legend(fontsize="small", ncol=2)
    ax.grid(alpha=0.3)
    return fig


def _confusion(y: np.ndarray, predicted: np.ndarray, labels: list[str]):
    import matplotlib.pyplot as plt

    n = len(labels)
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (y, predicted), 1)
    side = 3 + 0.5 * n  # room for every cell's count, from 2 labels to about 20
    fig, ax = plt.subplots(figsize=(side + 0.5, side))
    ax.imshow(counts, cmap="Blues")
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                counts[i, j],
                ha="center",
                va="center",
                color="white" if counts[i, j] > counts.max() / 2 else "black",
            )
    ax.set_xticks(range(n), labels, rotation=90 if n > 8 else 0)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true label")
    return fig


def reliability_bins(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted probability, observed frequency and count per probability bin, all classes pooled."""
    predicted = proba.ravel()
    observed = (y[:, None] == np.arange(proba.shape[1])[None, :]).ravel()
    which = np.minimum((predicted * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    mean_p = np.bincount(which, predicted, minlength=bins) / np.maximum(count, 1)
    freq = np.bincount(which, observed, minlength=bins) / np.maximum(count, 1)
    keep = count > 0
    return mean_p[keep], freq[keep], count[keep]


def _reliability(y: np.ndarray, curves: dict[str, np.ndarray]):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    for name, proba in curves.items():
        mean_p, freq, _ = reliability_bins(y, proba)
        # The final model is the one that is submitted: drawn last, black and thick.
        style = {"color": "black", "linewidth": 2.5, "zorder": 3} if name == "final" else {"alpha": 0.8}
        ax.plot(mean_p, freq, marker="o", label=f"{name}: log loss {log_loss(y, proba):.4f}", **style)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_aspect("equal")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    ax.grid(alpha=0.3)
    return fig


def _per_label_table(y: np.ndarray, predicted: np.ndarray, labels: list[str]) -> str:
    rows = []
    for k, author in enumerate(labels):
        true_positive = np.sum((predicted == k) & (y == k))
        precision = true_positive / max(np.sum(predicted == k), 1)
        recall = true_positive / max(np.sum(y == k), 1)
        rows.append(
            f"<tr><td>{html.escape(author)}</td><td>{precision:.3f}</td><td>{recall:.3f}</td>"
            f"<td>{np.sum(y == k)}</td></tr>"
        )
    return "<table><tr><th>label</th><th>precision</th><th>recall</th><th>rows</th></tr>" + "".join(rows) + "</table>"


def _wrong_table(
    oof: pd.DataFrame,
    y: np.ndarray,
    calibrated: np.ndarray,
    labels: list[str],
    texts: dict[str, str] | None,
    labels_by_id: dict[str, str] | None,
    meta: dict,
) -> str:
    """The most confidently wrong rows. With every training sentence and label, the words that
    pushed each towards the wrong label and towards the true one are marked in those labels'
    colours, by word language models fitted without the rows shown (so none explains itself)."""
    from ..ensemble.explanation import HELD_OUT_LM, source_description

    predicted = calibrated.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    worst = wrong[np.argsort(-calibrated[wrong, predicted[wrong]])][:10]
    shown_ids = [oof["id"].iloc[i] for i in worst]
    sentences = [(texts or {}).get(i) for i in shown_ids]
    explained = bool(labels_by_id) and all(s is not None for s in sentences) and len(worst) > 0
    explanations = (
        _held_out_explanations(sentences, shown_ids, texts, labels_by_id, labels, meta)
        if explained
        else [None] * len(worst)
    )
    rows = [
        _wrong_row(oof["id"].iloc[i], int(y[i]), int(predicted[i]), calibrated[i], sentence, explanation, labels)
        for i, sentence, explanation in zip(worst, sentences, explanations)
    ]
    note = ""
    if explained:
        note = (
            f"<p>Marked in each label's colour: the words that pushed the sentence most towards the wrong label and "
            f"towards the true one: the {html.escape(source_description(HELD_OUT_LM))}. They explain the "
            "language models' part of the verdict, fitted without these sentences, as the held-out prediction was.</p>"
        )
    header = (
        "<tr><th>id</th><th>true</th><th>predicted</th><th>probability</th><th>sentence</th>"
        + ("<th>what pushed it</th>" if explained else "")
        + "</tr>"
    )
    return note + "<table>" + header + "".join(rows) + "</table>"


def _held_out_explanations(
    sentences: list[str],
    shown_ids: list[str],
    texts: dict[str, str],
    labels_by_id: dict[str, str],
    labels: list[str],
    meta: dict,
) -> list:
    """The `sentences`' explanations by word language models fitted on every other training sentence."""
    from ..config import LMConfig
    from ..ensemble.explanation import HELD_OUT_LM, explain
    from ..models.lm import held_out_word_models

    shown = set(shown_ids)
    others = [i for i in texts if i not in shown and labels_by_id.get(i) in labels]
    lm_config = LMConfig.from_dict(meta["config"].get("lm", {}))  # the model's own settings
    explainer = held_out_word_models(
        [texts[i] for i in others],
        np.array([labels.index(labels_by_id[i]) for i in others]),
        len(labels),
        lm_config,
    )
    return explain(explainer, sentences, labels, HELD_OUT_LM)


def _wrong_row(
    row_id: str, true: int, guess: int, proba: np.ndarray, sentence: str | None, explanation, labels: list[str]
) -> str:
    """One wrongly predicted row of the table: its sentence marked, and what pushed it, when explained."""
    from .highlight import html_highlighted, html_label

    if explanation is None:
        shown, why = html.escape(sentence or "(sentence not available: pass --train-csv)"), None
    else:
        shown = html_highlighted(explanation, [guess, true])
        why = "<br>".join(
            f"{html_label(labels[k], k)}: "
            + (", ".join(f"{html.escape(t)} {s:+.2f}" for t, s in explanation.reasons(k)) or "nothing")
            for k in (guess, true)
        )
    return (
        f"<tr><td>{html.escape(row_id)}</td><td>{html_label(labels[true], true)}</td>"
        f"<td>{html_label(labels[guess], guess)}</td>"
        f"<td>{proba[guess]:.3f}</td><td>{shown}</td>" + (f"<td>{why}</td>" if why is not None else "") + "</tr>"
    )


def _documents_section(model_dir: Path, labels: list[str]) -> str:
    """Whole texts: accuracy and log loss per passage length on the held-out works, and each held-out work's
    passage map (ensemble/document_validation.py)."""
    path = model_dir / DOCUMENTS_FILE
    validation = json.loads(path.read_text(encoding="utf-8")).get("validation") if path.is_file() else None
    heading = "<h2>Whole texts: passages of the works the folds held out</h2>"
    if validation is None:
        return heading + "<p>This model was saved without its held-out passages: fit it again to see them.</p>"
    rows = "".join(
        f"<tr><td>{_passage_length(s['words'])}</td><td>{s['passages']}</td>"
        f"<td>{s['accuracy']:.3f}</td><td>{s['log_loss']:.3f}</td></tr>"
        for s in validation["lengths"]
    )
    parts = [
        heading,
        "<p>Passages of consecutive sentences of each held-out work, scored by models and a word-frequency profile "
        "fitted without that work, weighed by their length as <code>attribute</code> weighs them. The four numbers "
        "of that weighing were fitted on these passages, so a new corpus may score a little lower.</p>",
        "<table><tr><th>passage</th><th>passages</th><th>accuracy</th><th>log loss</th></tr>" + rows + "</table>",
    ]
    if not validation["works"]:
        parts.append("<p>The model was fitted on sentences without works (a CSV): no book to map.</p>")
    for work in sorted(validation["works"], key=lambda work: work["work"]):
        verdict = np.asarray(work["verdict"])
        best = int(verdict.argmax())
        parts.append(
            f"<h3>{html.escape(work['work'])}: by {html.escape(labels[work['label']])}, read as "
            f"{html.escape(labels[best])} {verdict[best]:.3f}</h3>" + _img(_work_map(work, labels))
        )
    return "".join(parts)


def _passage_length(words: int) -> str:
    return "1 sentence" if words == 0 else f"{words:,} words"


def _work_map(work: dict, labels: list[str]):
    """A held-out work's passage map: each label's probability along the work, and a band of the likeliest label
    per window, stronger when surer (as `attribute --html` draws it)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    windows, proba = np.asarray(work["windows"]), np.asarray(work["proba"])
    colours = [to_rgb(HTML_COLOURS[k % len(HTML_COLOURS)]) for k in range(len(labels))]
    fig, (ax, band) = plt.subplots(2, 1, figsize=(9, 2.6), sharex=True, height_ratios=(5, 1))
    middles = windows.mean(axis=1)
    for k, label in enumerate(labels):
        if proba[:, k].max() >= 0.05:  # a label that never rises leaves the plot readable
            ax.plot(middles, proba[:, k], color=_line_colour(colours[k]), linewidth=1.5, label=label)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability")
    ax.legend(fontsize="x-small", ncol=6, loc="upper left", bbox_to_anchor=(0, 1.35), frameon=False)
    ax.grid(alpha=0.3)
    surety = (proba.max(axis=1) - 1 / len(labels)) / (1 - 1 / len(labels))
    for (start, stop), k, strength in zip(windows, proba.argmax(axis=1), surety):
        band.axvspan(start, stop, color=colours[k], alpha=0.2 + 0.8 * max(float(strength), 0.0), linewidth=0)
    band.set_yticks([])
    band.set_xlim(0, work["sentences"])
    band.set_xlabel(f"sentence of {work['sentences']:,} (windows of {int(np.max(windows[:, 1] - windows[:, 0]))})")
    return fig


def _line_colour(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """A label's pastel made a line colour: its hue, saturated and dark (as map.js draws it); a grey stays grey."""
    hue, _, saturation = colorsys.rgb_to_hls(*rgb)
    return colorsys.hls_to_rgb(hue, 0.38, 0.75 if saturation > 0.1 else 0.0)


def _img(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"
