"""Helpers shared by the tests: the template, baking it, running commands."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def template_context() -> dict:
    return json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))


def rotating_matrix() -> list[dict[str, str]]:
    """Every choice of every option at least once: row i takes choice i of each option."""
    options = {
        key: value
        for key, value in template_context().items()
        if isinstance(value, list) and not key.startswith("_")
    }
    cycles = {key: itertools.cycle(choices) for key, choices in options.items()}
    matrix = [
        {key: next(cycle) for key, cycle in cycles.items()}
        for _ in range(max(len(choices) for choices in options.values()))
    ]
    for row in matrix:
        # The pre-generation hook refuses a Spark batch engine without batch scoring.
        if row["deployment"] == "realtime":
            row["batch_engine"] = "pandas"
    return matrix


# A remote other than local has no default location (the pre-generation hook refuses one
# not given): tests that do not look at it get these.
TEAM_REMOTE_URLS = {
    "s3": "s3://acme-ml-data/dvc",
    "gcs": "gs://acme-ml-data/dvc",
    "azure": "azure://acme-ml-data/dvc",
    "ssh": "ssh://dvc.acme.internal/srv/dvc",
}


def bake_project(output_dir: Path, **options: str) -> Path:
    """Generate a project with cookiecutter's API on this repository; return its path."""
    from cookiecutter.main import cookiecutter

    if options.get("dvc_remote") in TEAM_REMOTE_URLS:
        options.setdefault("dvc_remote_url", TEAM_REMOTE_URLS[options["dvc_remote"]])

    project = cookiecutter(
        str(REPO_ROOT), no_input=True, output_dir=str(output_dir), extra_context=options
    )
    return Path(project)


def mlprod_new(output_dir: Path, *answers: str) -> list[str]:
    """The command line of `mlprod new --no-input` into output_dir, with this Python."""
    return [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(output_dir), *answers]


def run(*cmd: str | Path, cwd: Path, env: dict | None = None, timeout: float = 900):
    """Run a command; on failure, fail the test with its output."""
    result = subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {result.returncode} in {cwd}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result


def generated_project_env(wheel_dir: Path, pre_commit_home: Path) -> dict:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env["UV_FIND_LINKS"] = env["PIP_FIND_LINKS"] = str(wheel_dir)
    env.pop("VIRTUAL_ENV", None)
    # Let Python cache bytecode in the generated .venv: without it every pipeline stage
    # recompiles pandas and scikit-learn on import.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Commits made by the tests need an identity even on a machine with no git config.
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", "mlprod tests")
        env.setdefault(f"GIT_{role}_EMAIL", "tests@example.com")
    return env


def commit_lock(project: Path, env: dict, verify: bool = False) -> None:
    """Commit the lock file the first `make install` wrote, as the project's README asks.
    Without `verify`, the project's git hooks are skipped (they refuse commits on main)."""
    lock = next(name for name in ("uv.lock", "requirements.lock") if (project / name).exists())
    run("git", "add", lock, cwd=project, env=env)
    flags = [] if verify else ["--no-verify"]
    run("git", "commit", "--quiet", *flags, "-m", "Lock the dependencies", cwd=project, env=env)


def run_subprocess(*args: str, env_extra: dict[str, str] | None = None, stdin: str | None = None):
    """Run `python -m mlprod ARGS` in a new process, with this checkout's sources."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "mlprod", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
    )
