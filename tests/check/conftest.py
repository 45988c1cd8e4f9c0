"""Real git repositories to audit: one that meets every standard, copied per test and broken."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from mlprod.check.rules.docs import PHASE_DOCS
from mlprod.cli import main

CLEAN_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]},
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["print(1)\n"],
        },
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def drawn(alphabet: str, length: int, seed: str) -> str:
    """A value as a key generator would draw it (every test secret is made at run time,
    so this repository never holds one; a run of one character reads as a dummy)."""
    return "".join(random.Random(seed).choices(alphabet, k=length))


AWS_ALPHABET = string.ascii_uppercase + "234567"
AWS_ID = "AKIA" + drawn(AWS_ALPHABET, 16, "aws")


def phase_doc(phase: str, status: str = "not-started", body: str = "") -> str:
    return (
        f"---\nphase: {phase}\nstatus: {status}\nowner: ana\nlast_reviewed: 2025-01-01\n---\n"
        f"# {phase}\n\n## Success metric\n\n[FILL: the metric]\n\n## Baseline\n\n[FILL: baseline]\n"
        + body
    )


COMPLIANT_FILES: dict[str, str] = {
    ".pre-commit-config.yaml": "repos: []\n",
    ".gitattributes": "*.ipynb filter=nbstripout diff=jupyternotebook merge=jupyternotebook\n",
    # The generated project's patterns: data and models ignored, .dvc pointers addable.
    ".gitignore": "".join(
        f"/{folder}/**\n!/{folder}/**/\n!/{folder}/**/*.dvc\n!/{folder}/**/.gitignore\n"
        for folder in ("data", "models")
    )
    + ".env\n.venv/\n",
    ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: make test\n",
    ".github/pull_request_template.md": "## What changed\n",
    ".github/CODEOWNERS": "* @data-team\n",
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = /tmp/store\n",
    ".dvc/.gitignore": "/config.local\n/tmp\n/cache\n",
    "Makefile": "setup:\n\tpre-commit install\n\ntest:\n\tpytest\n",
    "pyproject.toml": '[project]\nname = "churn"\n',
    "src/churn/__init__.py": "",
    "tests/test_churn.py": "def test_import():\n    import churn  # noqa: F401\n",
    "notebooks/explore.ipynb": json.dumps(CLEAN_NOTEBOOK, indent=1) + "\n",
    "data/.gitkeep": "",
    "models/.gitkeep": "",
    "README.md": "Never commit AWS_SECRET_ACCESS_KEY or -----BEGIN RSA PRIVATE KEY----- files.\n",
    **{path: phase_doc(Path(path).stem) for path in PHASE_DOCS},
}
# What `make setup` configures in each clone; `cat` stands in for nbstripout's clean
# command, so that the tests can stage notebooks with outputs and watch the audit see them.
CLONE_CONFIG = {
    "filter.nbstripout.clean": "cat",
    "filter.nbstripout.smudge": "cat",
    "diff.jupyternotebook.command": "git-nbdiffdriver diff",
    "merge.jupyternotebook.driver": "git-nbmergedriver merge %O %A %B %L %P",
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


class Checked:
    """The outcome of one `mlprod check` run."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def findings(self) -> list[dict[str, str]]:
        return json.loads(self.stdout)["findings"]

    @property
    def codes(self) -> set[str]:
        return {finding["code"] for finding in self.findings}

    def of(self, code: str) -> list[dict[str, str]]:
        return [finding for finding in self.findings if finding["code"] == code]


def run_check(*args: str) -> Checked:
    """`mlprod check` in this process, as the console script runs it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args])
    return Checked(code, out.getvalue(), err.getvalue())


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def read(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def add(self, path: str, content: str | bytes) -> None:
        """Write a file and stage it (the audit reads the index, not the working tree)."""
        self.write(path, content)
        self.git("add", "-f", "--", path)

    def remove(self, path: str) -> None:
        self.git("rm", "-q", "--cached", "--", path)

    def check(self, *args: str) -> Checked:
        return run_check(str(self.root), "--format", "json", *args)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """No user or system git configuration leaks into the repositories under test."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def init(root: Path) -> Repo:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return Repo(root)


@pytest.fixture(scope="session")
def compliant_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository meeting every standard, set up as `make setup` leaves a clone."""
    root = tmp_path_factory.mktemp("compliant") / "repo"
    env = {
        **os.environ,
        "HOME": str(root.parent),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    for path, content in COMPLIANT_FILES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    for key, value in CLONE_CONFIG.items():
        subprocess.run(["git", "config", key, value], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A", "-f"], cwd=root, check=True, env=env)
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-qm", "Initial commit"],
        cwd=root,
        check=True,
        env=env,
    )
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=root,
        check=True,
        env=env,
        capture_output=True,
    )
    return root


@pytest.fixture
def repo(compliant_template: Path, tmp_path: Path) -> Repo:
    """A private copy of the compliant repository, to break one standard in."""
    root = tmp_path / "repo"
    shutil.copytree(compliant_template, root, symlinks=True)
    return Repo(root)


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    path = tmp_path / "plain"
    path.mkdir()
    return path


@pytest.fixture
def new_repo(tmp_path: Path) -> Repo:
    """A freshly initialised repository with no commit."""
    return init(tmp_path / "new")
