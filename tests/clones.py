"""A generated project installed once, and clones of it that share its `.venv`.

Installing a project's dev tools takes most of an end-to-end test's time; clones of a bare
origin link the installed `.venv` and run `make hooks`, which is what `make setup` adds on
top of the install, so each clone has the real hooks, filter and drivers of a set-up clone.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import yaml
from bakery import bake_project, commit_lock, generated_project_env, run


class Project:
    """A baked project with its dev tools installed, published to a bare origin."""

    def __init__(self, root: Path, wheel_dir: Path, pre_commit_home: Path, **options: str):
        self.root = root
        self.env = generated_project_env(wheel_dir, pre_commit_home)
        self.path = bake_project(root / "bake", **options)
        run("make", "install", cwd=self.path, env=self.env)
        commit_lock(self.path, self.env)
        self.origin = root / "origin.git"
        run("git", "clone", "--quiet", "--bare", self.path, self.origin, cwd=root)

    def clone(self, where: Path, setup: bool = True) -> Path:
        run("git", "clone", "--quiet", self.origin, where, cwd=where.parent)
        (where / ".venv").symlink_to(self.path / ".venv")
        if setup:
            run("make", "hooks", cwd=where, env=self.env)
        return where

    def shell_env(self, clone: Path) -> dict:
        """The environment of a developer shell with the clone's `.venv` activated."""
        env = dict(self.env)
        env["PATH"] = f"{clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
        return env


def git(clone: Path, *args: str, env: dict | None = None) -> str:
    return run("git", *args, cwd=clone, env=env).stdout


def attempt(clone: Path, *cmd: str | Path, env: dict) -> subprocess.CompletedProcess[str]:
    """Run a command that may be refused; stdout and stderr interleaved as a user sees them."""
    return subprocess.run(
        [str(part) for part in cmd],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def local_dvc_storage(clone: Path, storage: Path, env: dict) -> None:
    """Point the `local` remote at a test directory, in the untracked .dvc/config.local."""
    run(clone / ".venv" / "bin" / "dvc", "remote", "modify", "--local", "local", "url", storage,
        cwd=clone, env=env)  # fmt: skip


def pipeline_stages(clone: Path) -> dict:
    """dvc.yaml's stages with `${section.key}` filled in from params.yaml, as DVC does."""
    params = yaml.safe_load((clone / "params.yaml").read_text())

    def value(match: re.Match) -> str:
        found = params
        for key in match.group(1).split("."):
            found = found[key]
        return str(found)

    text = re.sub(r"\$\{([A-Za-z_][\w.]*)\}", value, (clone / "dvc.yaml").read_text())
    return yaml.safe_load(text)["stages"]


def pipeline_outputs(clone: Path) -> list[str]:
    """The cached outputs that dvc.yaml declares (metrics and plots stay in git)."""
    stages = pipeline_stages(clone).values()
    return sorted(
        out if isinstance(out, str) else next(iter(out))
        for stage in stages
        for out in stage.get("outs", [])
        if isinstance(out, str) or next(iter(out.values())).get("cache", True)
    )


def output_hashes(clone: Path) -> dict[str, str]:
    """Every file under data/ and models/ (what DVC manages) with its SHA-256."""
    found = {}
    for folder in ("data", "models"):
        for path in sorted((clone / folder).rglob("*")):
            if path.is_file() and path.name != ".gitignore" and path.suffix != ".dvc":
                found[path.relative_to(clone).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return found
