"""A fresh clone of a generated project: `make setup`, then every check it ships passes.

Slow: installs the project's real dependencies and pre-commit hook environments.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bakery import commit_lock, run

pytestmark = pytest.mark.slow


LOCK_FILES = {"uv": "uv.lock", "pip": "requirements.lock"}


def git(project: Path, *args: str) -> str:
    return run("git", *args, cwd=project).stdout


def fresh_clone(project: Path, tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    run("git", "clone", "--quiet", project, clone, cwd=tmp_path)
    return clone


def refused_install(clone: Path, env: dict) -> str:
    """`make install` that must fail: its stderr on one line (uv wraps its messages)."""
    result = subprocess.run(["make", "install"], cwd=clone, env=env, capture_output=True,
                            text=True, timeout=900)  # fmt: skip
    assert result.returncode != 0, result.stdout
    return " ".join(result.stderr.split())


def assert_nothing_modified(clone: Path) -> None:
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize("env_manager", ["uv", "pip"])
def test_fresh_clone_sets_up_and_passes_its_own_checks(bake, tmp_path, project_env, env_manager):
    clone = fresh_clone(bake(env_manager=env_manager), tmp_path)

    run("make", "setup", cwd=clone, env=project_env)
    # The first setup writes the lock file; committed (through the project's own hooks:
    # the large-file check must let it pass), it leaves the clone clean.
    lock = LOCK_FILES[env_manager]
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == f"?? {lock}\n"
    git(clone, "switch", "--quiet", "-c", "feature/lock")
    commit_lock(clone, project_env, verify=True)
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

    # CI's install (REQUIRE_LOCK=1) takes the committed lock as it is, and refuses one that
    # no longer matches pyproject.toml, or none.
    locked = {**project_env, "REQUIRE_LOCK": "1"}
    run("make", "install", cwd=clone, env=locked)
    assert_nothing_modified(clone)
    pyproject = (clone / "pyproject.toml").read_text()
    (clone / "pyproject.toml").write_text(
        pyproject.replace("dependencies = [\n", 'dependencies = [\n    "humanize>=4",\n', 1)
    )
    assert {
        "uv": "The lockfile at `uv.lock` needs to be updated, but `--locked` was provided",
        "pip": "install: requirements.lock does not satisfy pyproject.toml; run make lock",
    }[env_manager] in refused_install(clone, locked)
    git(clone, "checkout", "pyproject.toml")
    (clone / lock).unlink()
    assert {
        "uv": "Unable to find lockfile at `uv.lock`, but `--locked` was provided",
        "pip": "install: requirements.lock is missing; run make lock and commit requirements.lock",
    }[env_manager] in refused_install(clone, locked)
