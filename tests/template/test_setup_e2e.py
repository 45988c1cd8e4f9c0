"""A fresh clone of a generated project: `make setup`, then every check it ships passes.

Slow: installs the project's real dependencies and pre-commit hook environments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bakery import run

pytestmark = pytest.mark.slow


def git(project: Path, *args: str) -> str:
    return run("git", *args, cwd=project).stdout


def fresh_clone(project: Path, tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    run("git", "clone", "--quiet", project, clone, cwd=tmp_path)
    return clone


def assert_nothing_modified(clone: Path) -> None:
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize("env_manager", ["uv", "pip"])
def test_fresh_clone_sets_up_and_passes_its_own_checks(bake, tmp_path, project_env, env_manager):
    clone = fresh_clone(bake(env_manager=env_manager), tmp_path)

    run("make", "setup", cwd=clone, env=project_env)
    assert_nothing_modified(clone)
    config_after_first_setup = (clone / ".git" / "config").read_text()
    hook = (clone / ".git" / "hooks" / "pre-commit").read_text()
    assert "pre-commit" in hook

    check = run(clone / ".venv" / "bin" / "mlprod", "check", cwd=clone, env=project_env)
    assert check.stdout.startswith("All checks passed")

    run("make", "setup", cwd=clone, env=project_env)
    assert (clone / ".git" / "config").read_text() == config_after_first_setup
    assert_nothing_modified(clone)

    assert "passed" in run("make", "test", cwd=clone, env=project_env).stdout
    run("make", "lint", cwd=clone, env=project_env)
    assert_nothing_modified(clone)

    git(clone, "switch", "--quiet", "-c", "feature/first-change")
    run(clone / ".venv" / "bin" / "pre-commit", "run", "--all-files", cwd=clone, env=project_env)
    assert_nothing_modified(clone)
