"""This repository's own CI and release workflows: hardened, and doing what they say."""

from __future__ import annotations

import re

import pytest
import yaml
from bakery import REPO_ROOT
from workflow_lint import actionlint, schema_check, unpinned_uses, zizmor

__all__ = ["actionlint"]  # the fixture, imported for the tests below

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
CI_RUN = (REPO_ROOT / ".ci" / "run").read_text()


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def commands(workflow: dict) -> list[str]:
    return [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]


@pytest.mark.slow
def test_workflows_pass_zizmor_actionlint_and_the_schema(actionlint) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "release.yml"]
    audit = zizmor(WORKFLOWS)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert actionlint(*files) == []
    assert schema_check("vendor.github-workflows", *files).returncode == 0
    assert [line for f in files for line in unpinned_uses(f)] == []


def test_ci_runs_the_tiers_of_ci_run() -> None:
    tiers = re.findall(r"^uv run pytest .*$", CI_RUN, re.MULTILINE)
    assert len(tiers) == 2
    ran = commands(load("ci.yml"))
    assert all(tier in ran for tier in tiers), (tiers, ran)
    uv = re.search(r'"uv==[\d.]+"', CI_RUN).group()
    assert f"python -m pip install {uv}" in ran


def test_release_publishes_on_a_tag_with_trusted_publishing_only() -> None:
    release = load("release.yml")
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # no password, no token: OIDC alone
    assert "uv build --out-dir dist" in commands(release)
