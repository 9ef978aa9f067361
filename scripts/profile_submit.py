"""Where `submit`'s time goes, and how its time and memory grow with the input.

    python scripts/profile_submit.py MODEL_DIR TEST_CSV                 # the phases of one submit
    python scripts/profile_submit.py MODEL_DIR TEST_CSV --scale 1,10    # and whole `lstm-spooky submit` runs
                                                                        # on TEST_CSV repeated 1x and 10x

The phases are timed in this process through the package's own functions (nothing is
re-implemented here), with the model loaded as `submit` loads it, its networks in a second
process (network_process.py): starting Python, importing, reading the CSV, loading and
checking the model, scoring (wall clock: every base model, the meta features and the stack,
over the same chunks `submit` uses) and writing. Scoring is then split into the seconds of
each base model scored in this process and the time spent waiting for the network process.
`--scale` runs the real command as a child process per size and reports its wall-clock
seconds and peak memory (what it and its network process held together), so time should
grow linearly and memory stay flat.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def python_start_seconds() -> float:
    """Wall-clock seconds of `python -c pass`: the interpreter's own start, before any import."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def phases(model_dir: Path, test_csv: Path, output: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds per phase of one submit of `test_csv` with the model in `model_dir`, loaded as
    `submit` loads it (its networks in a second process); and the seconds of each base model
    scored in this process, with the time spent waiting for the network process."""
    seconds: dict[str, float] = defaultdict(float)
    start = time.perf_counter()
    from lstm_spooky.data.corpus import read_test
    from lstm_spooky.data.submission import write_submission
    from lstm_spooky.ensemble.classifier import SpookyClassifier
    from lstm_spooky.store.model_dir import read_model_meta

    seconds["imports (scikit-learn, pandas; TensorFlow only in the network process)"] = time.perf_counter() - start

    def timed(phase: str, call, *args, **kwargs):
        begin = time.perf_counter()
        result = call(*args, **kwargs)
        seconds[phase] += time.perf_counter() - begin
        return result

    meta = timed("reading the model's config", read_model_meta, model_dir)
    columns = {"text": "text", "id": "id", **meta.get("columns", {})}
    frame = timed("reading the CSV", read_test, test_csv, columns["text"], columns["id"])
    model = timed(
        "loading the model (manifest checked; the network process starts)",
        SpookyClassifier.load,
        model_dir,
        networks_apart=True,
    )
    for name, members in model.members_.items():
        for member in members:  # the one method the classifier calls on it
            method = "stack_features" if model.config.stacked and hasattr(member, "stack_features") else "predict_proba"
            original = getattr(member, method)
            setattr(member, method, lambda *args, _call=original, _name=name: timed(f"  {_name}", _call, *args))
    process = model._network_process
    if process is not None:
        waiting = "  waiting for the network process (" + ", ".join(process.names) + ")"
        send = process.stack_blocks

        def timed_blocks(texts):
            future = send(texts)
            result = future.result
            future.result = lambda *args, **kwargs: timed(waiting, result, *args, **kwargs)
            return future

        process.stack_blocks = timed_blocks
    chunks = model.iter_proba(frame["text"])

    def timed_chunks():
        while True:
            begin = time.perf_counter()
            chunk = next(chunks, None)
            seconds["scoring"] += time.perf_counter() - begin
            if chunk is None:
                return
            yield chunk

    begin = time.perf_counter()
    write_submission(frame["id"], timed_chunks(), model.classes_, output)
    total, scoring = time.perf_counter() - begin, seconds.pop("scoring")
    members = {phase: value for phase, value in seconds.items() if phase.startswith("  ")}
    for phase in members:  # listed under the scoring they are part of
        del seconds[phase]
    seconds["scoring (wall clock; the networks run beside the n-gram models)"] = scoring
    seconds["writing"] = total - scoring
    model.close()
    return dict(seconds), members


def repeated_csv(test_csv: Path, times: int, directory: Path) -> tuple[Path, int]:
    """`test_csv` repeated `times` times, ids made unique, in `directory`; and its number of rows."""
    import pandas as pd

    frame = pd.read_csv(test_csv, dtype=str, keep_default_na=False)
    copies = [frame.assign(id=frame["id"] + (f"_{k}" if k else "")) for k in range(times)]
    path = directory / f"test-x{times}.csv"
    pd.concat(copies).to_csv(path, index=False)
    return path, len(frame) * times


def whole_submit(model_dir: Path, test_csv: Path, output: Path) -> tuple[float, float]:
    """Wall-clock seconds and peak memory (GiB) of one `lstm-spooky submit`: the most its
    process and the network process held together, sampled every 50 ms (Linux's /proc)."""
    command = [
        sys.executable,
        "-c",
        "from lstm_spooky.ui.cli import main; main()",
        "submit",
        str(test_csv),
        "--model-dir",
        str(model_dir),
        "--output",
        str(output),
    ]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss_bytes(child.pid))
        time.sleep(0.05)
    if child.returncode != 0:
        raise SystemExit(f"submit failed on {test_csv}")
    return time.perf_counter() - start, peak / 2**30


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` and all its descendants, in bytes (0 for those already gone)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = (int(fields[1]), int(fields[21]))  # parent pid, resident pages
    tree: set[int] = set()
    grown = {pid}
    while grown != tree:
        tree = grown
        grown = tree | {process for process, (parent, _) in parents.items() if parent in tree}
    return sum(parents[process][1] for process in tree if process in parents) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("test_csv", type=Path)
    parser.add_argument("--scale", help="comma-separated repeats of TEST_CSV to run whole submits on, e.g. 1,10")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = python_start_seconds()
        timed, members = phases(args.model_dir, args.test_csv, tmp / "submission.csv")
        seconds = {"starting Python": start, **timed}
        print(f"submit of {args.test_csv} with {args.model_dir}\n")
        print("| phase | seconds |\n|---|---|")
        for phase, value in seconds.items():
            print(f"| {phase} | {value:.2f} |")
        print(f"| **total** | **{sum(seconds.values()):.2f}** |")
        print("\n| scoring, per base model in this process, and the wait for the other | seconds |\n|---|---|")
        for phase, value in members.items():
            print(f"| {phase.strip()} | {value:.2f} |")
        if args.scale:
            print("\n| rows | whole submit s | rows/s | peak memory GiB |\n|---|---|---|---|")
            for times in map(int, args.scale.split(",")):
                csv, rows = repeated_csv(args.test_csv, times, tmp)
                wall, peak = whole_submit(args.model_dir, csv, tmp / "submission.csv")
                print(f"| {rows} | {wall:.1f} | {rows / wall:.0f} | {peak:.2f} |")


if __name__ == "__main__":
    main()
