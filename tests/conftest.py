"""Fixtures shared by the whole suite: baking the template and the local mlprod wheel."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from bakery import REPO_ROOT, bake_project, run


@pytest.fixture
def bake(tmp_path):
    """bake(**options) -> path of a project generated into a fresh temporary directory."""

    def _bake(**options: str) -> Path:
        out = tmp_path / f"bake{len(list(tmp_path.iterdir()))}"
        out.mkdir()
        return bake_project(out, **options)

    return _bake


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory) -> Path:
    """A directory holding the mlprod wheel built from this checkout.

    Generated projects pin `mlprod==<version>` as a dev dependency; pointing the standard
    UV_FIND_LINKS / PIP_FIND_LINKS at this directory is how they find it before release.
    CI builds it once and passes MLPROD_WHEEL_DIR.
    """
    given = os.environ.get("MLPROD_WHEEL_DIR")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("wheels")
    uv = shutil.which("uv")
    cmd = (
        [uv, "build", "--wheel", "-o", str(out)]
        if uv
        else [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO_ROOT)]
    )
    run(*cmd, cwd=REPO_ROOT)
    return out


@pytest.fixture
def project_env(wheel_dir) -> dict:
    """Environment for running a generated project's make targets against the local wheel."""
    env = dict(os.environ)
    env["UV_FIND_LINKS"] = env["PIP_FIND_LINKS"] = str(wheel_dir)
    env.pop("VIRTUAL_ENV", None)
    # Commits made by the tests need an identity even on a machine with no git config.
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", "mlprod tests")
        env.setdefault(f"GIT_{role}_EMAIL", "tests@example.com")
    return env
