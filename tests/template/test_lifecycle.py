"""A baked project goes through its whole lifecycle with its own Makefile targets.

For each deployment choice: make setup, make test, make pipeline (twice: the second run
does nothing), batch prediction on a file, the HTTP server with real requests; then DVC
push and pull into a second clone, and an experiment with a changed parameter.
"""

from __future__ import annotations

import json

import pytest
from lifecycle_helpers import (
    MODULE,
    Server,
    bake,
    free_port,
    http,
    project_env,
    run,
    set_up,
)

pytestmark = pytest.mark.slow

DVC_OUTPUTS = [
    "data/raw/emails.csv",
    "data/prepared/train.parquet",
    "data/prepared/test.parquet",
    "models/model.skops",
    "data/experiment/results.csv",
]


@pytest.fixture(scope="module", params=["batch", "realtime", "both"])
def pipelined(request, module_tmp, wheel_dir, pre_commit_home):
    """A baked project, set up, tested, with its pipeline run and committed."""
    root = module_tmp(request.param)
    project = bake(root, request.param)
    env = project_env(wheel_dir, pre_commit_home, project)
    set_up(project, env, root / "dvc-storage")
    run(["make", "test"], project, env)
    first = run(["make", "pipeline"], project, env)
    second = run(["make", "pipeline"], project, env)
    run(["git", "add", "dvc.lock", "reports"], project, env)
    run(["git", "commit", "--quiet", "-m", "Pipeline results"], project, env)
    return {
        "deployment": request.param,
        "project": project,
        "env": env,
        "root": root,
        "first": first.stdout,
        "second": second.stdout,
    }


def test_pipeline_runs_every_stage_then_nothing(pipelined):
    for stage in ("sample", "prepare", "train", "evaluate", "experiment"):
        assert f"Running stage '{stage}'" in pipelined["first"]
    assert "Running stage" not in pipelined["second"]
    assert "up to date" in pipelined["second"]
    metrics = json.loads((pipelined["project"] / "reports/metrics.json").read_text())
    assert metrics["gate"]["passed"] is True


def test_the_pipelines_example_experiment_is_analysed_by_mlprod_ab(pipelined):
    project, env = pipelined["project"], pipelined["env"]
    result = run(
        [".venv/bin/mlprod", "ab", "analyze", "data/experiment/results.csv", "--format", "json",
         "--variant-col", "variant", "--control", "control", "--metric-col", "opened"],
        project, env,
    )  # fmt: skip
    analysis = json.loads(result.stdout)
    (model,) = analysis["variants"]
    assert model["name"] == "model"
    assert model["ci_low"] <= 0.02 <= model["ci_high"]  # the true lift: 10% of 0.2
    assert analysis["srm"]["srm"] is False


@pytest.mark.parametrize("pipelined", ["both"], indirect=True)
def test_monitor_passes_on_the_holdout_and_fails_on_a_shifted_batch(pipelined):
    project, env = pipelined["project"], pipelined["env"]
    run(["make", "monitor", "BATCH=data/prepared/test.parquet"], project, env)
    shifted = project / "shifted.csv"
    rows = (project / "data/raw/emails.csv").read_text().splitlines()
    header = rows[0].split(",")
    channel = header.index("channel")
    lines = [rows[0]]
    for row in rows[1:1001]:
        cells = row.split(",")
        cells[channel] = "promotion"
        lines.append(",".join(cells))
    shifted.write_text("\n".join(lines) + "\n")
    refused = run(["make", "monitor", f"BATCH={shifted}"], project, env, check=False)
    assert refused.returncode != 0
    assert "channel" in refused.stdout
    assert (project / "reports/drift.html").is_file()


def test_batch_prediction_scores_a_file(pipelined):
    project, env = pipelined["project"], pipelined["env"]
    if pipelined["deployment"] == "realtime":
        assert not (project / f"src/{MODULE}/predict.py").exists()
        refused = run(["make", "predict", "INPUT=x.csv", "OUTPUT=y.csv"], project, env, check=False)
        assert refused.returncode != 0 and "No rule to make target 'predict'" in refused.stderr
        return
    raw = (project / "data/raw/emails.csv").read_text().splitlines()
    rows = [",".join(line.split(",")[:6]) for line in raw[:201]]
    (project / "new.csv").write_text("\n".join(rows) + "\n")
    result = run(["make", "predict", "INPUT=new.csv", "OUTPUT=out/scored.csv"], project, env)
    assert "200 rows scored" in result.stdout
    scored = (project / "out/scored.csv").read_text().splitlines()
    # Arrow's CSV writer quotes text, the header included: valid CSV for any reader.
    assert scored[0] == '"customer_id","prediction","probability","model_version"'
    assert scored[1].startswith('"C0000001",')
    assert len(scored) == 201

    cells = rows[5].split(",")
    cells[5] = "carrier-pigeon"
    rows[5] = ",".join(cells)
    (project / "bad.csv").write_text("\n".join(rows) + "\n")
    refused = run(
        ["make", "predict", "INPUT=bad.csv", "OUTPUT=out/bad.csv"], project, env, check=False
    )
    assert refused.returncode != 0
    assert "row 5, column 'channel': value 'carrier-pigeon'" in refused.stderr
    assert not (project / "out/bad.csv").exists()

    # SKIP_INVALID=1 reaches the program as --skip-invalid: the bad row is set aside.
    skipped = run(
        ["make", "predict", "INPUT=bad.csv", "OUTPUT=out/bad.csv", "SKIP_INVALID=1"], project, env
    )
    assert "predict: 199 rows scored with model " in skipped.stdout
    assert " to out/bad.csv, 1 rejected to out/bad.rejected.csv" in skipped.stdout
    assert len((project / "out/bad.csv").read_text().splitlines()) == 200
    rejected = (project / "out/bad.rejected.csv").read_text()
    assert "carrier-pigeon" in rejected


def bad_requests(example: dict) -> list[tuple[str, bytes, str]]:
    row = json.dumps(example)
    without_hour = json.dumps({k: v for k, v in example.items() if k != "send_hour"})
    # (what is wrong, the body, the detail the API answers with)
    return [
        (
            "malformed JSON",
            b'{"rows": [' + row.encode(),
            "body: request body is not valid JSON (Expecting ',' delimiter)",
        ),
        ("empty body", b"", 'body: a JSON object {"rows": [...]} is required'),
        (
            "NaN",
            ('{"rows": [' + without_hour[:-1] + ', "send_hour": NaN}]}').encode(),
            "rows[0].send_hour: Input should be a valid integer",
        ),
        (
            "Infinity",
            ('{"rows": [' + without_hour[:-1] + ', "send_hour": Infinity}]}').encode(),
            "rows[0].send_hour: Input should be a valid integer",
        ),
        (
            "unknown field",
            json.dumps({"rows": [{**example, "country": "FR"}]}).encode(),
            "rows[0].country: Extra inputs are not permitted",
        ),
        (
            "wrong type",
            json.dumps({"rows": [{**example, "send_hour": "nine"}]}).encode(),
            "rows[0].send_hour: Input should be a valid integer",
        ),
        (
            "null",
            json.dumps({"rows": [{**example, "weekday": None}]}).encode(),
            "rows[0].weekday: Input should be 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat' or 'Sun'",
        ),
        (
            "out of range",
            json.dumps({"rows": [{**example, "send_hour": 24}]}).encode(),
            "rows[0].send_hour: Input should be less than or equal to 23",
        ),
        (
            "missing field",
            ('{"rows": [' + without_hour + "]}").encode(),
            "rows[0].send_hour: Field required",
        ),
        (
            "empty list",
            b'{"rows": []}',
            "rows: List should have at least 1 item after validation, not 0",
        ),
        (
            "oversize batch",
            json.dumps({"rows": [example] * 1001}).encode(),
            "rows: List should have at most 1000 items after validation, not 1001",
        ),
    ]


def test_http_server_answers_good_and_bad_requests_then_stops(pipelined):
    project, env = pipelined["project"], pipelined["env"]
    if pipelined["deployment"] == "batch":
        assert not (project / f"src/{MODULE}/serve.py").exists()
        assert "fastapi" not in (project / "pyproject.toml").read_text()
        return
    server = Server(project, env, free_port())
    try:
        server.wait_until_up()
        status, body = http("GET", f"{server.url}/metadata")
        assert status == 200
        metadata = json.loads(body)
        example = metadata["example"]
        status, body = http(
            "POST", f"{server.url}/predict", json.dumps({"rows": [example] * 3}).encode()
        )
        assert status == 200
        predictions = json.loads(body)["predictions"]
        assert len(predictions) == 3 and 0.0 <= predictions[0]["probability"] <= 1.0
        for name, payload, detail in bad_requests(example):
            status, body = http("POST", f"{server.url}/predict", payload)
            assert status == 422, (name, status, body)
            assert json.loads(body)["detail"] == detail, name
        assert http("GET", f"{server.url}/health")[0] == 200
    finally:
        returncode = server.stop()
    assert returncode is not None
    assert "Uvicorn running on http://127.0.0.1:" in server.log.read_text()


# DVC does not depend on the deployment choice: checked once, on the project with both.
@pytest.mark.parametrize("pipelined", ["both"], indirect=True)
def test_dvc_push_then_pull_in_a_second_clone_restores_outputs(pipelined):
    project, env, root = pipelined["project"], pipelined["env"], pipelined["root"]
    run([".venv/bin/dvc", "push"], project, env)
    clone = root / "clone"
    run(
        ["git", "clone", "--quiet", "--branch", "feature/lifecycle", str(project), str(clone)],
        root,
        env,
    )
    run(
        [
            str(project / ".venv/bin/dvc"),
            "remote",
            "modify",
            "--local",
            "local",
            "url",
            str(root / "dvc-storage"),
        ],
        clone,
        env,
    )
    run([str(project / ".venv/bin/dvc"), "pull"], clone, env)
    for output in DVC_OUTPUTS:
        assert (clone / output).read_bytes() == (project / output).read_bytes(), output
    status = run([str(project / ".venv/bin/dvc"), "status"], clone, env)
    assert "up to date" in status.stdout


@pytest.mark.parametrize("pipelined", ["both"], indirect=True)
def test_dvc_experiment_with_a_changed_parameter(pipelined):
    project, env = pipelined["project"], pipelined["env"]
    result = run([".venv/bin/dvc", "exp", "run", "-S", "model.learning_rate=0.1"], project, env)
    assert "Running stage 'train'" in result.stdout
    assert "Running stage 'sample'" not in result.stdout
    shown = json.loads(run([".venv/bin/dvc", "exp", "show", "--json"], project, env).stdout)
    rates = json.dumps(shown)
    assert '"learning_rate": 0.1' in rates and '"learning_rate": 0.05' in rates
