"""Cost of the prediction log: /predict latency and 2-worker throughput, logging off and on.

    uv run python benchmarks/serve_loop.py [--project PATH] [--requests 2000] [--rounds 2]

Two servers run side by side, one with prediction_log.enabled false and one with true
(each its own params file), so that whatever else loads the machine loads both alike.
Latency: each gets the same 2,000 single-row requests over one keep-alive connection, sent
alternately, one to each (which goes first alternates too); p50 and p99 per side, the median
over --rounds. Target: p50 with logging at most 1.10 of without. Throughput: two 2-worker
servers, each in turn under locust (headless, from PyPI through uvx), 32 users for
--seconds, twice each; requests/s, p50/p99 and the log's dropped rows from /metrics.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml
from project import prepare_project, project_env, ratio_table
from serve_latency import free_port, percentile, sample_rows, wait_until_up

TARGET_GROWTH = 1.10
START_UP = 300  # seconds; workers load the libraries and the model on a busy machine

LOCUSTFILE = """
import json, random
from locust import FastHttpUser, task

ROWS = json.load(open({rows!r}))

class Client(FastHttpUser):
    @task
    def predict(self):
        row = dict(random.choice(ROWS), customer_id=f"C{{random.randrange(10**6)}}")
        self.client.post("/predict", json={{"rows": [row]}})
"""


def params_file(project: Path, enabled: bool) -> Path:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["prediction_log"]["enabled"] = enabled
    path = project / f".bench-params-{'on' if enabled else 'off'}.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


class Serving:
    """The project's server on a free port, with a params file and a number of workers."""

    def __init__(self, project: Path, module: str, params: Path, workers: int) -> None:
        self.port = free_port()
        command = [".venv/bin/python", "-m", f"{module}.serve", "--port", str(self.port),
                   "--params", str(params), "--workers", str(workers)]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=project,
            env=project_env(project),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def __enter__(self) -> Serving:
        wait_until_up(self.port, timeout=START_UP)
        return self

    def metric(self, name: str) -> float:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", "/metrics")
        for line in connection.getresponse().read().decode().splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
        return 0.0

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def measure_side_by_side(ports: list[int], rows: list[dict]) -> list[list[float]]:
    """Latencies (ms) of the same requests to each server, sent alternately."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for port in ports]
    headers = {"content-type": "application/json"}
    bodies = [json.dumps({"rows": [row]}) for row in rows]
    latencies: list[list[float]] = [[] for _ in ports]
    for n, body in enumerate(bodies[:50] + bodies):
        order = range(len(ports)) if n % 2 else reversed(range(len(ports)))
        for side in order:
            for attempt in (1, 2):
                start = time.perf_counter()
                try:
                    connections[side].request("POST", "/predict", body, headers)
                    response = connections[side].getresponse()
                    response.read()
                    break
                except (ConnectionError, http.client.HTTPException):
                    # Closed by the keep-alive timeout while the other side stalled (a busy
                    # machine): reconnect and send again, timing the second attempt.
                    if attempt == 2:
                        raise
                    connections[side].close()
                    connections[side] = http.client.HTTPConnection("127.0.0.1", ports[side])
            if response.status != 200:
                raise SystemExit(f"request failed with {response.status}")
            if n >= 50:  # the first 50 warm up
                latencies[side].append((time.perf_counter() - start) * 1e3)
    return latencies


def locust(port: int, rows_file: Path, seconds: int, users: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        locustfile = Path(work) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE.format(rows=str(rows_file)))
        command = [
            *("uvx", "--quiet", "--from", "locust==2.47.0", "locust", "-f", str(locustfile)),
            *("--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s"),
            *("--host", f"http://127.0.0.1:{port}", "--csv", f"{work}/run", "--only-summary"),
        ]
        subprocess.run(command, check=True, capture_output=True)
        with open(f"{work}/run_stats.csv", newline="") as f:
            total = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
    return {
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p99": float(total["99%"]),
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a set-up, trained project to reuse")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20, help="of each locust run")
    parser.add_argument("--users", type=int, default=32)
    args = parser.parse_args()
    project, module = prepare_project(args.project)
    rows = sample_rows(project, args.requests)
    files = {enabled: params_file(project, enabled) for enabled in (False, True)}
    latency: dict[bool, list[list[float]]] = {False: [], True: []}
    load: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    rows_file = project / ".bench-rows.json"
    rows_file.write_text(json.dumps(rows))
    try:
        with (
            Serving(project, module, files[False], 1) as off,
            Serving(project, module, files[True], 1) as on,
        ):
            for _ in range(args.rounds):
                without, with_log = measure_side_by_side([off.port, on.port], rows)
                latency[False].append(without)
                latency[True].append(with_log)
        with (
            Serving(project, module, files[False], 2) as off,
            Serving(project, module, files[True], 2) as on,
        ):
            for _ in range(2):
                for enabled, server in ((False, off), (True, on)):
                    run = locust(server.port, rows_file, args.seconds, args.users)
                    run["dropped"] = server.metric("prediction_log_rows_dropped_total")
                    load[enabled].append(run)
    finally:
        rows_file.unlink(missing_ok=True)
        for path in files.values():
            path.unlink(missing_ok=True)

    def median(enabled: bool, share: float) -> float:
        return statistics.median(percentile(run, share) for run in latency[enabled])

    p50_off, p50_on = median(False, 0.5), median(True, 0.5)
    p99_off, p99_on = median(False, 0.99), median(True, 0.99)
    rounds = ", ".join(
        f"{percentile(off, 0.5):.2f}/{percentile(on, 0.5):.2f}"
        for off, on in zip(latency[False], latency[True], strict=True)
    )
    print(f"{args.requests} single-row requests per round, {args.rounds} rounds (p50 off/on: "
          f"{rounds} ms)\n")  # fmt: skip
    growth = p50_on / p50_off
    print(
        ratio_table(
            [
                ("/predict p50, log off", f"{p50_off:.2f} ms", "-", "-"),
                ("/predict p50, log on", f"{p50_on:.2f} ms", f"<= {TARGET_GROWTH:.2f} x off",
                 f"{growth:.3f} x off"),
                ("/predict p99, log off", f"{p99_off:.2f} ms", "-", "-"),
                ("/predict p99, log on", f"{p99_on:.2f} ms", "-", f"{p99_on / p99_off:.3f} x off"),
            ]
        )
    )  # fmt: skip
    print(f"\nlocust, {args.users} users, {args.seconds} s per run, 2 workers, runs alternated\n")
    columns = ("req/s", "p50 ms", "p99 ms", "requests", "failed", "log drops")
    print(f"{'':8}" + "".join(f"{name:>10}" for name in columns))
    for n in range(2):
        for enabled in (False, True):
            run = load[enabled][n]
            figures = [f"{run['rps']:.1f}", *(f"{run[key]:.0f}" for key in
                       ("p50", "p99", "requests", "failures", "dropped"))]  # fmt: skip
            name = "log on" if enabled else "log off"
            print(f"{name:8}" + "".join(f"{x:>10}" for x in figures))
    rps = {enabled: statistics.median(run["rps"] for run in load[enabled]) for enabled in load}
    print(f"throughput with the log: {rps[True] / rps[False]:.3f} of without (medians)")


if __name__ == "__main__":
    main()
