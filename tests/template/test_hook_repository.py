"""precommit_source=github points the mlprod hooks only at a repository someone named."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from bakery import REPO_ROOT, run

UPSTREAMS = {
    "https://github.com/pre-commit/pre-commit-hooks",
    "https://github.com/astral-sh/ruff-pre-commit",
    "https://github.com/jackdewinter/pymarkdown",
    "https://github.com/kynan/nbstripout",
}
VERSION = json.loads((REPO_ROOT / "cookiecutter.json").read_text())["_mlprod_version"]


def repos(project) -> dict[str, dict]:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    return {repo["repo"]: repo for repo in config["repos"]}


def test_without_a_named_repository_the_mlprod_hooks_come_from_the_index(bake) -> None:
    project = bake(precommit_source="github")
    found = repos(project)
    assert set(found) == UPSTREAMS | {"local"}
    local = found["local"]["hooks"]
    assert [hook["id"] for hook in local] == ["mlprod-check-notebooks", "mlprod-check-data"]
    assert {dep for hook in local for dep in hook["additional_dependencies"]} == {
        f"mlprod=={VERSION}"
    }
    run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project)
    # No file of the project names an account nobody checked.
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert "github.com/mlprod" not in path.read_text(errors="replace"), path


def test_a_named_repository_is_used_at_the_tag_of_the_pinned_version(bake) -> None:
    fork = "https://git.example.com/acme/mlprod-template"
    project = bake(precommit_source="github", mlprod_hooks_repository=fork)
    found = repos(project)
    assert set(found) == UPSTREAMS | {fork}
    assert found[fork]["rev"] == f"v{VERSION}"
    assert [hook["id"] for hook in found[fork]["hooks"]] == [
        "mlprod-check-notebooks",
        "mlprod-check-data",
    ]
    run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project)


def test_the_package_index_mode_ignores_the_repository(bake) -> None:
    project = bake(precommit_source="pypi", mlprod_hooks_repository="https://git.example.com/x")
    assert set(repos(project)) == {"local"}


def test_a_repository_that_is_not_a_git_url_is_refused(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(tmp_path),
            str(REPO_ROOT),
            "precommit_source=github",
            "mlprod_hooks_repository=acme fork",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: mlprod_hooks_repository 'acme fork' is not a git URL; e.g. "
        "mlprod_hooks_repository=https://github.com/<org>/mlprod-template, or leave it empty"
    ]
    assert list(tmp_path.iterdir()) == []
