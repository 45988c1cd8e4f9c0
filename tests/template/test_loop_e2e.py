"""The generated service's loop, for real: uvicorn with two workers on a socket, the Parquet
prediction log on disk, restarts and kills, and a champion/challenger round to a decision.

One project (`deployment=realtime`) is baked and installed once, its runtime with the
team's mlprod (for make ab-report); two models are trained by the project's own code: a
champion on 300 rows with 3 trees, a challenger on 5,000 rows with the project's settings.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bakery import bake_project, generated_project_env, run, template_context
from lifecycle_helpers import Server, free_port, http

pytestmark = pytest.mark.slow

ROLL_SECONDS = 2  # prediction_log.roll_seconds of the project
FLUSH_WINDOW = ROLL_SECONDS + 1  # the documented window: roll_seconds plus the writer's round
START_UP = 300  # seconds a server may take to answer /health on a busy machine

MODELS = """
from {module} import model_io, train
from {module}.config import load_params
from {module}.sample import make_sample
from {module}.stages import example_row

params = load_params()
for path, rows, seed, changes in [
    ("models/model.skops", 300, 1, {{"max_iter": 3}}),
    ("models/challenger.skops", 5000, 2, {{}}),
]:
    sample = make_sample(rows, seed=seed)
    settings = params.model.model_copy(update=changes)
    metadata = model_io.build_metadata(
        params={{"model": settings.model_dump(mode="json")}}, metrics={{}},
        training_data_sha256="0" * 64, training_rows=rows,
        decision_threshold=params.train.decision_threshold, example=example_row(sample),
    )
    model_io.save(model_io.ModelArtifact(train.fit(sample, settings), metadata), path)
"""


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home) -> Path:
    project = bake_project(module_tmp("loop"), project_name="Email Opens", deployment="realtime")
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["prediction_log"]["roll_seconds"] = ROLL_SECONDS
    params["challenger"].update(mode="split", share=0.5, salt="loop-test")
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = generated_project_env(wheel_dir, pre_commit_home)
    venv = project / ".venv"
    mlprod = f"mlprod[stats]=={template_context()['_mlprod_version']}"
    uv = shutil.which("uv")
    if uv:
        run(uv, "venv", "--quiet", "--python", sys.executable, venv, cwd=project, env=env)
        run(uv, "pip", "install", "--quiet", "--python", venv / "bin/python", project, mlprod,
            cwd=project, env=env)  # fmt: skip
    else:
        run(sys.executable, "-m", "venv", venv, cwd=project)
        run(venv / "bin/python", "-m", "pip", "install", "--quiet", project, mlprod, cwd=project,
            env=env)  # fmt: skip
    (project / "models").mkdir(exist_ok=True)
    run(venv / "bin/python", "-c", MODELS.format(module="email_opens"), cwd=project)
    return project


@contextmanager
def serving(project: Path, *args: str):
    server = Server(project, dict(os.environ), free_port(), *args)
    try:
        server.wait_until_up(START_UP)
        yield server
    finally:
        server.stop(timeout=60)


def example(server: Server) -> dict:
    return json.loads(http("GET", f"{server.url}/metadata")[1])["example"]


def post(server: Server, rows: list[dict]) -> tuple[int, dict]:
    status, body = http("POST", f"{server.url}/predict", json.dumps({"rows": rows}).encode())
    return status, json.loads(body) if status == 200 else {}


class Clients:
    """Threads posting rows until stopped; they keep the request ids the server acknowledged
    (a 200), with the time each answer arrived."""

    def __init__(self, server: Server, row: dict, threads: int, prefix: str) -> None:
        self.server, self.row, self.prefix = server, row, prefix
        self.acknowledged: dict[str, float] = {}
        self.failures = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.work, args=(n,)) for n in range(threads)]

    def work(self, n: int) -> None:
        sent = 0
        while not self.stopping.is_set():
            rows = [{**self.row, "customer_id": f"{self.prefix}{n}-{sent}-{k}"} for k in range(3)]
            sent += 1
            try:
                status, body = post(self.server, rows)
            except OSError:
                status = 0
            with self.lock:
                if status == 200:
                    self.acknowledged[body["request_id"]] = time.time()
                else:
                    self.failures += 1
                    time.sleep(0.05)  # the server is down: do not spin

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


def logged(project: Path) -> pd.DataFrame:
    return pd.read_parquet(project / "logs" / "predictions")


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def two_workers(project):
    with serving(project, "WORKERS=2") as server:
        yield server


def test_many_concurrent_clients_against_two_workers(project, two_workers):
    row = example(two_workers)
    with Clients(two_workers, row, threads=8, prefix="load") as clients:
        wait_for(lambda: len(clients.acknowledged) >= 400)
    assert clients.failures == 0
    metrics = http("GET", f"{two_workers.url}/metrics")[1].decode()
    answered = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('http_requests_total{path="/predict",status="200"}')
    ]
    # Both workers' counts, whichever answered the scrape: the multiprocess mode adds them.
    assert answered == [len(clients.acknowledged)]
    time.sleep(FLUSH_WINDOW + 1)  # the flush window, and a margin
    rows = logged(project)
    rows = rows[rows["customer_id"].str.startswith("load")]
    assert set(rows["request_id"]) == set(clients.acknowledged)
    assert len(rows) == 3 * len(clients.acknowledged)  # each row once
    assert rows["customer_id"].is_unique
    pids = {path.name.split("-")[1] for path in (project / "logs/predictions").glob("*.parquet")}
    assert len(pids) >= 2  # one file per worker process
    assert set(rows["variant"]) == {"champion", "challenger"}


def test_a_full_ab_round_finds_the_better_challenger(project, two_workers):
    code = (
        "from email_opens.sample import make_sample; "
        "make_sample(4000, seed=3).to_csv('holdout.csv', index=False)"
    )
    run(project / ".venv/bin/python", "-c", code, cwd=project)
    holdout = pd.read_csv(project / "holdout.csv")
    features = [c for c in holdout.columns if c in example(two_workers)]
    outcomes = []
    for start in range(0, len(holdout), 100):
        part = holdout.iloc[start : start + 100]
        records = part[features].to_dict("records")
        rows = [
            {**record, "customer_id": unit}
            for record, unit in zip(records, part["customer_id"], strict=True)
        ]
        status, body = post(two_workers, rows)
        assert status == 200
        for unit, opened, answer in zip(
            part["customer_id"], part["opened"], body["predictions"], strict=True
        ):
            # The business outcome of the answer: the send decision was right.
            outcomes.append({"customer_id": unit, "outcome": int(answer["label"] == opened)})
    pd.DataFrame(outcomes).to_csv(project / "outcomes.csv", index=False)
    time.sleep(FLUSH_WINDOW + 1)
    result = run("make", "ab-report", "OUTCOMES=outcomes.csv", cwd=project)
    analysis = json.loads((project / "reports/ab/analysis.json").read_text())
    units = pd.read_csv(project / "reports/ab/units.csv")
    counts = units.groupby("variant").size().to_dict()
    (challenger,) = analysis["variants"]
    report = {
        "counts": counts,
        "srm_p": analysis["srm"]["p_value"],
        "lift_abs": challenger["lift_abs"],
        "ci": [challenger["ci_low"], challenger["ci_high"]],
        "p": challenger["p_value"],
        "decision": analysis["decision"],
    }
    print(json.dumps(report))  # the round's figures, for the record (pytest -s)
    assert sum(counts.values()) == 4000 and abs(counts["challenger"] - 2000) < 150
    assert not analysis["srm"]["srm"]
    assert challenger["significant"] and challenger["lift_abs"] > 0.02
    assert analysis["decision"] in result.stdout and "challenger" in analysis["decision"]


def test_a_restart_mid_traffic_loses_no_acknowledged_row(project, two_workers):
    two_workers.stop(timeout=60)  # the module's server: this test runs its own
    with serving(project) as first:
        row = example(first)
        clients = Clients(first, row, threads=4, prefix="restart")
        with clients:
            wait_for(lambda: len(clients.acknowledged) >= 100)
            first.stop(timeout=60)  # SIGTERM in the middle of traffic
            with serving(project) as second:
                clients.server = second
                before = len(clients.acknowledged)
                wait_for(lambda: len(clients.acknowledged) >= before + 100)
                clients.stopping.set()
    assert clients.failures > 0  # requests did meet the server down
    rows = logged(project)
    assert set(clients.acknowledged) <= set(rows["request_id"])


def test_a_killed_server_loses_at_most_the_flush_window(project):
    with serving(project) as server:
        clients = Clients(server, example(server), threads=4, prefix="kill")
        with clients:
            wait_for(lambda: len(clients.acknowledged) >= 50)
            time.sleep(FLUSH_WINDOW * 2)
            os.killpg(server.process.pid, signal.SIGKILL)
            killed = time.time()
            server.process.wait(30)
    rows = logged(project)
    window = killed - FLUSH_WINDOW - 0.5  # half a second for the writer thread's scheduling
    safe = {rid for rid, at in clients.acknowledged.items() if at < window}
    assert len(safe) >= 50
    assert safe <= set(rows["request_id"])


@contextmanager
def params_changed(project: Path, section: str, **changes):
    path = project / "params.yaml"
    original = path.read_text()
    params = yaml.safe_load(original)
    params[section].update(changes)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        yield
    finally:
        path.write_text(original)


def test_an_unwritable_log_folder_warns_once_and_serving_goes_on(project):
    (project / "not-a-folder").write_text("a file where the log folder should be")
    unwritable = params_changed(project, "prediction_log", directory="not-a-folder/log")
    with unwritable, serving(project) as server:
        row = example(server)
        for n in range(20):
            assert post(server, [row, {**row, "customer_id": f"u{n}"}])[0] == 200
        metrics = http("GET", f"{server.url}/metrics")[1].decode()
        wait_for(lambda: "prediction_log_rows_dropped_total 40.0" in
                     http("GET", f"{server.url}/metrics")[1].decode())  # fmt: skip
    output = server.log.read_text()
    assert output.count("prediction log: cannot write to not-a-folder/log") == 1
    assert "set prediction_log.directory in params.yaml" in output
    assert 'http_requests_total{path="/predict",status="200"} 20.0' in metrics
