"""Latency of POST /predict with one row, next to the bare model on the same rows.

    uv run python benchmarks/serve_latency.py [--project PATH] [--requests 2000]

Starts the project's server (make serve) on 127.0.0.1, sends single-row requests one after
another over one keep-alive connection, and prints p50/p99 against the target (p50 < 5 ms).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import time
from pathlib import Path

from project import in_project, prepare_project, project_env, ratio_table

TARGET_P50_MS = 5.0

BARE_MODEL = """
import json, sys, time
from threadpoolctl import threadpool_limits
from {module} import model_io
from {module}.config import load_params
from {module}.features import to_matrix
rows = json.load(open(sys.argv[1]))
threadpool_limits(limits=1, user_api="openmp")  # as the server does
artifact = model_io.load(load_params().paths.model)
score_ms, predict_ms = [], []
for row in rows[:50]:
    artifact.score({{k: [v] for k, v in row.items()}})
for row in rows:
    columns = {{k: [v] for k, v in row.items()}}
    start = time.perf_counter()
    artifact.score(columns)
    score_ms.append((time.perf_counter() - start) * 1e3)
    matrix = to_matrix(columns)
    start = time.perf_counter()
    artifact.model.predict_proba(matrix)
    predict_ms.append((time.perf_counter() - start) * 1e3)
print(json.dumps({{"score": score_ms, "predict": predict_ms}}))
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def sample_rows(project: Path, count: int) -> list[dict]:
    """Feature rows of the project's sample, as a client would send them."""
    with (project / "data/raw/emails.csv").open(newline="") as f:
        rows = [
            {
                k: int(v) if v.isdigit() else v
                for k, v in record.items()
                if k not in ("customer_id", "opened")
            }
            for _, record in zip(range(count), csv.DictReader(f), strict=False)
        ]
    if len(rows) < count:
        raise SystemExit(f"data/raw/emails.csv has fewer than {count} rows")
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def measure_http(port: int, rows: list[dict]) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"content-type": "application/json"}
    bodies = [json.dumps({"rows": [row]}) for row in rows]
    for body in bodies[:50]:
        connection.request("POST", "/predict", body, headers)
        connection.getresponse().read()
    latencies = []
    for body in bodies:
        start = time.perf_counter()
        connection.request("POST", "/predict", body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1e3)
        if response.status != 200:
            raise SystemExit(f"request failed with {response.status}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a set-up, trained project to reuse")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    project, module = prepare_project(args.project)
    rows = sample_rows(project, args.requests)
    rows_file = project / ".bench-rows.json"
    rows_file.write_text(json.dumps(rows))
    bare = json.loads(in_project(project, BARE_MODEL.format(module=module), str(rows_file)))
    rows_file.unlink()

    port = free_port()
    server = subprocess.Popen(
        ["make", "serve", f"PORT={port}"],
        cwd=project,
        env=project_env(project),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
        latencies = measure_http(port, rows)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)

    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    score_p50 = statistics.median(bare["score"])
    predict_p50 = statistics.median(bare["predict"])
    print(f"{len(latencies)} single-row requests, one keep-alive connection, 127.0.0.1\n")
    print(
        ratio_table(
            [
                (
                    "HTTP /predict p50",
                    f"{p50:.2f} ms",
                    f"< {TARGET_P50_MS} ms",
                    f"{p50 / TARGET_P50_MS:.2f} of target",
                ),
                ("HTTP /predict p99", f"{p99:.2f} ms", "-", "-"),
                (
                    "encode + model p50",
                    f"{score_p50:.3f} ms",
                    "-",
                    f"HTTP p50 is {p50 / score_p50:.1f}x",
                ),
                ("encode + model p99", f"{percentile(bare['score'], 0.99):.3f} ms", "-", "-"),
                (
                    "bare predict_proba p50",
                    f"{predict_p50:.3f} ms",
                    "-",
                    f"HTTP p50 is {p50 / predict_p50:.1f}x",
                ),
            ]
        )
    )


if __name__ == "__main__":
    main()
