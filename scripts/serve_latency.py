"""How fast `lstm-spooky serve` answers: one sentence at a time, and batches, against `submit`.

    python scripts/serve_latency.py MODEL_DIR TEST_CSV [--requests 200] [--batch 1000]

Starts the real command (`lstm-spooky serve --port 0`, the model loaded as it loads it: its
networks in a second process) and talks to it over loopback HTTP from this process, one
kept-alive connection, as a client program would. Measured, in order:

- one sentence per request, `--requests` times (the first sentences of TEST_CSV), without and
  with explanations (the page asks for them): median and 90th percentile of the round trip;
- every sentence of TEST_CSV in requests of `--batch` sentences: rows per second;
- a whole `lstm-spooky submit` of TEST_CSV, start-up included: rows per second.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

COMMAND = [sys.executable, "-c", "from lstm_spooky.ui.cli import main; main()"]


def start_server(model_dir: Path, max_texts: int) -> tuple[subprocess.Popen, str, int]:
    """`lstm-spooky serve` on a free loopback port, once it answers: the process, its host and port."""
    command = [*COMMAND, "serve", "--model-dir", str(model_dir), "--port", "0", "--max-texts", str(max_texts)]
    serve = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = serve.stdout.readline()  # printed once the model is loaded and has scored a first sentence
    address = re.search(r"http://([^:/]+):(\d+)/", line)
    if address is None:
        serve.kill()
        raise SystemExit(f"serve did not start: {line!r}")
    return serve, address.group(1), int(address.group(2))


def post_seconds(connection: http.client.HTTPConnection, body: dict) -> float:
    """Seconds from sending POST /predict to having read the whole answer."""
    payload = json.dumps(body).encode()
    start = time.perf_counter()
    connection.request("POST", "/predict", payload, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    seconds = time.perf_counter() - start
    if response.status != 200:
        raise SystemExit(f"POST /predict: {response.status} {answer[:200]!r}")
    return seconds


def latency_ms(connection: http.client.HTTPConnection, texts: list[str], explain: bool) -> tuple[float, float]:
    """Median and 90th percentile, in milliseconds, of one request per text."""
    times = sorted(1000 * post_seconds(connection, {"texts": [text], "explain": explain}) for text in texts)
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def batch_rows_per_second(connection: http.client.HTTPConnection, texts: list[str], batch: int) -> float:
    batches = [texts[start : start + batch] for start in range(0, len(texts), batch)]
    return len(texts) / sum(post_seconds(connection, {"texts": texts}) for texts in batches)


def submit_rows_per_second(model_dir: Path, test_csv: Path, rows: int) -> float:
    """Rows per second of one whole `lstm-spooky submit` of `test_csv`, start-up included."""
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        command = [*COMMAND, "submit", str(test_csv), "--model-dir", str(model_dir), "--output", f"{directory}/s.csv"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return rows / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("test_csv", type=Path)
    parser.add_argument("--requests", type=int, default=200, help="single-sentence requests to time (default 200)")
    parser.add_argument("--batch", type=int, default=1000, help="sentences per batch request (default 1000)")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    texts = pd.read_csv(args.test_csv, dtype=str, keep_default_na=False)["text"].tolist()

    start = time.perf_counter()
    serve, host, port = start_server(args.model_dir, args.batch)
    started = time.perf_counter() - start
    try:
        connection = http.client.HTTPConnection(host, port, timeout=300)
        plain = latency_ms(connection, texts[: args.requests], explain=False)
        explained = latency_ms(connection, texts[: args.requests], explain=True)
        batched = batch_rows_per_second(connection, texts, args.batch)
        connection.close()
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=60)
    submitted = submit_rows_per_second(args.model_dir, args.test_csv, len(texts))

    models = json.loads((args.model_dir / "config.json").read_text())["config"]["models"]
    print(f"model {args.model_dir} ({', '.join(models)}); {os.cpu_count()} cores; serve started in {started:.1f}s")
    print("| measure | value |\n|---|---|")
    print(f"| one sentence, median / p90 | {plain[0]:.1f} / {plain[1]:.1f} ms ({args.requests} requests) |")
    print(f"| one sentence with explanations, median / p90 | {explained[0]:.1f} / {explained[1]:.1f} ms |")
    print(f"| batches of {args.batch} | {batched:.0f} rows/s ({len(texts)} rows) |")
    print(f"| whole `lstm-spooky submit`, start-up included | {submitted:.0f} rows/s |")


if __name__ == "__main__":
    main()
