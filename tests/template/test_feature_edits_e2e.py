"""Changing the data's description in a generated project: one edit, and everything follows.

In one installed project, the features are reordered, then a float feature is added, one
renamed and one removed, each as a user would: an edit of `schema.py` (and, for the rename,
of the sample generator, to keep the column's signal). After each, `make pipeline` retrains,
and `make predict` and `make serve` (real HTTP requests) work with the new description. A
model trained before an edit is refused, in one line, instead of misreading the columns.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml
from bakery import run
from clones import Project, git
from lifecycle_helpers import Server, free_port, http

pytestmark = pytest.mark.slow

MODULE = "my_ml_project"


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home) -> Project:
    """The default project, installed, on a smaller sample, trained and committed."""
    project = Project(module_tmp("edits"), wheel_dir, pre_commit_home, deployment="both")
    params_file = project.path / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params["sample"]["rows"], params["train"]["cv_folds"] = 2000, 2
    params_file.write_text(yaml.safe_dump(params))
    pipeline(project)
    commit(project, "Smaller sample; first model")
    return project


def pipeline(project: Project) -> list[str]:
    """Run make pipeline; return the stages it ran."""
    output = run("make", "pipeline", cwd=project.path, env=project.env).stdout
    return re.findall(r"^Running stage '([^']+)'", output, re.MULTILINE)


def commit(project: Project, message: str) -> None:
    git(project.path, "add", "-A")
    git(project.path, "commit", "--quiet", "--no-verify", "-m", message, env=project.env)


def edit(project: Project, relative: str, old: str, new: str) -> None:
    path = project.path / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{relative} does not hold {old!r} once"
    path.write_text(text.replace(old, new))


def changed_files(project: Project) -> list[str]:
    return git(project.path, "diff", "--name-only").split()


def scores(project: Project) -> str:
    """make predict on the raw sample; the command's output."""
    result = run("make", "predict", "INPUT=data/raw/emails.csv", "OUTPUT=out/scored.csv", "FORCE=1",
                 cwd=project.path, env=project.env)  # fmt: skip
    return result.stdout


def served_features(project: Project) -> list[str]:
    """The features /metadata describes, after a prediction of its example row over HTTP."""
    server = Server(project.path, project.env, free_port())
    try:
        server.wait_until_up()
        metadata = json.loads(http("GET", f"{server.url}/metadata")[1])
        body = json.dumps({"rows": [metadata["example"]] * 2}).encode()
        status, answer = http("POST", f"{server.url}/predict", body)
        assert status == 200, answer
        assert len(json.loads(answer)["predictions"]) == 2
        return [feature["name"] for feature in metadata["features"]]
    finally:
        server.stop()


def feature_line(name: str, kind: str, description: str, low: str, high: str) -> str:
    return f'    Feature("{name}", Kind.{kind}, "{description}", {low}, {high}),\n'


SEND_HOUR = feature_line("send_hour", "INTEGER", "hour of day the email is sent", "0", "23")
TENURE = feature_line("tenure_months", "INTEGER", "months since the customer signed up", "0", "600")
SCHEMA = f"src/{MODULE}/schema.py"


def test_reordered_features_refuse_the_old_model_until_the_pipeline_retrains(project):
    edit(project, SCHEMA, SEND_HOUR + "    WEEKDAY,\n", "    WEEKDAY,\n" + SEND_HOUR)
    assert changed_files(project) == [SCHEMA]

    refused = run_refused(project, "predict", "INPUT=data/raw/emails.csv", "OUTPUT=out/x.csv")
    assert refused == [
        "predict: models/model.skops was trained on other features than schema.FEATURES "
        "describes (features #1: model name=send_hour kind=integer minimum=0 maximum=23, "
        "code name=weekday kind=category categories=['Mon', 'Tue', 'Wed', 'Thu', 'Fri', "
        "'Sat', 'Sun']); scoring with it would misread the columns. Retrain it: make pipeline"
    ]
    assert not (project.path / "out/x.csv").exists()

    assert "train" in pipeline(project)
    assert "2000 rows scored" in scores(project)
    assert served_features(project)[:2] == ["weekday", "send_hour"]
    commit(project, "Weekday first")


def run_refused(project: Project, *target: str) -> list[str]:
    """Run a make target that must fail; return the lines its command wrote to stderr."""
    result = subprocess.run(["make", *target], cwd=project.path, env=project.env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode != 0, result.stdout
    return [line for line in result.stderr.splitlines() if not line.startswith("make:")]


def test_a_feature_is_added_renamed_and_removed_with_one_edit_each(project):
    # Add a float feature: one edit of schema.py (the sample draws a column for it).
    discount = feature_line("discount_share", "FLOAT", "share off the price", "0.0", "0.5")
    edit(project, SCHEMA, ")\nDERIVED = ", discount + ")\nDERIVED = ")
    assert changed_files(project) == [SCHEMA]
    assert "train" in pipeline(project)
    assert "2000 rows scored" in scores(project)
    assert served_features(project)[-1] == "discount_share"
    commit(project, "Add discount_share")

    # Rename one: schema.py, and the sample generator's column of that name.
    edit(project, SCHEMA, '"tenure_months"', '"months_as_customer"')
    edit(
        project,
        f"src/{MODULE}/sample.py",
        '"tenure_months": tenure',
        '"months_as_customer": tenure',
    )
    assert changed_files(project) == [f"src/{MODULE}/sample.py", SCHEMA]
    assert "train" in pipeline(project)
    assert "2000 rows scored" in scores(project)
    names = served_features(project)
    assert "months_as_customer" in names and "tenure_months" not in names
    commit(project, "Rename tenure_months")

    # Remove it: one edit of schema.py.
    edit(project, SCHEMA, TENURE.replace("tenure_months", "months_as_customer"), "")
    assert changed_files(project) == [SCHEMA]
    assert "train" in pipeline(project)
    assert "2000 rows scored" in scores(project)
    names = served_features(project)
    assert sorted(names) == ["channel", "discount_share", "past_opens_30d", "send_hour", "weekday"]
    metrics = json.loads((project.path / "reports/metrics.json").read_text())
    assert metrics["gate"]["passed"] is True
    assert (project.path / "out/scored.csv").read_text().count("\n") == 2001
