"""A generated project's runtime installs alone: `pip install <project>` without the dev group.

A production image installs the package, not the team's tools: in a clean virtual
environment holding only the project's declared dependencies (no mlprod, no dvc), every
pipeline stage, batch prediction and the HTTP server must run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest
import yaml
from bakery import bake_project, run
from lifecycle_helpers import free_port, http

pytestmark = pytest.mark.slow

MODULE = "email_opens"
STAGES = ["sample", "prepare", "train", "evaluate", "experiment"]


def test_the_package_alone_runs_the_pipeline_predict_and_serve(tmp_path):
    project = bake_project(tmp_path / "bake", project_name="Email Opens", deployment="both")
    # A smaller sample than the default: the point is that every stage runs.
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["sample"]["rows"], params["train"]["cv_folds"] = 2000, 2
    (project / "params.yaml").write_text(yaml.safe_dump(params))

    venv = tmp_path / "runtime"
    uv = shutil.which("uv")
    if uv:
        run(uv, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path)
        run(uv, "pip", "install", "--quiet", "--python", venv / "bin/python", project,
            cwd=tmp_path)  # fmt: skip
    else:
        run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
        run(venv / "bin/python", "-m", "pip", "install", "--quiet", project, cwd=tmp_path)
    python = str(venv / "bin/python")
    specs = f"import importlib.util as u; print(*map(u.find_spec, ['mlprod', 'dvc', '{MODULE}']))"
    installed = run(python, "-c", specs, cwd=tmp_path)
    absent_mlprod, absent_dvc, package = installed.stdout.split(maxsplit=2)
    assert (absent_mlprod, absent_dvc) == ("None", "None")
    assert f"origin='{venv}" in package, "the stages must run the installed package"

    for stage in STAGES:
        run(python, "-m", f"{MODULE}.stages", stage, cwd=project)
    metrics = json.loads((project / "reports/metrics.json").read_text())
    assert metrics["gate"]["passed"] is True
    assert (
        (project / "data/experiment/results.csv")
        .read_text()
        .startswith("customer_id,variant,opened\n")
    )

    # The report reads what the stages wrote; mlprod's analysis and check are dev-only,
    # so their sections say which command writes them.
    assert "report: wrote reports/index.html" in run(python, "-m", f"{MODULE}.report",
                                                     cwd=project).stdout  # fmt: skip
    page = (project / "reports/index.html").read_text()
    assert "No A/B analysis in reports/ab.json" in page and "Gate passed" in page

    scored = run(python, "-m", f"{MODULE}.predict", "data/raw/emails.csv", "scored.parquet",
                 cwd=project)  # fmt: skip
    assert "2000 rows scored" in scored.stdout

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [python, "-m", f"{MODULE}.serve", "--port", str(port)],
        cwd=project,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if http("GET", f"{url}/health")[0] == 200:
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        example = json.loads(http("GET", f"{url}/metadata")[1])["example"]
        status, body = http("POST", f"{url}/predict", json.dumps({"rows": [example]}).encode())
        assert status == 200, body
        assert 0.0 <= json.loads(body)["predictions"][0]["probability"] <= 1.0
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
