"""The generated project's git wiring and Makefile promises, run for real in seconds.

The slow tier proves the same promises through `make setup` in an installed project; these
tests catch a broken ignore pattern, filter command or target without installing anything:
they run the generated `.gitignore` and `.gitattributes` through git itself, the filter
command that `make hooks` configures through the real nbstripout, and read what `make`
would run (`make -n`) from the generated Makefile.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from bakery import bake_project


@pytest.fixture(scope="module")
def project(module_tmp) -> Path:
    """A generated project (batch and realtime), a git repository as the post-gen hook left it."""
    return bake_project(module_tmp("wiring"), deployment="both")


def git(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(project), *args], capture_output=True, text=True, check=check
    )


def make_n(project: Path, *args: str) -> str:
    """What `make ARGS` would run, without running it."""
    return subprocess.run(
        ["make", "-n", "-C", str(project), "--no-print-directory", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


IGNORED = [
    "data/raw/emails.csv",
    "data/processed/features.parquet",
    "models/model.pkl",
    "reports/drift.html",
    "reports/drift.json",
    ".env",
    ".env.production",
    ".dvc/config.local",
]
TRACKED = [
    "data/raw/emails.csv.dvc",
    "data/raw/.gitignore",
    "data/README.md",
    "models/model.pkl.dvc",
    "models/.gitignore",
    ".env.example",
    "reports/metrics.json",
    "src/my_ml_project/predict.py",
]


def test_gitignore_keeps_data_out_and_dvc_pointers_in(project):
    ignored = subprocess.run(
        ["git", "-C", str(project), "check-ignore", "--no-index", "--stdin"],
        input="\n".join(IGNORED + TRACKED) + "\n",
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.splitlines() == IGNORED


def test_gitignore_ignores_data_files_at_any_depth(project):
    for path in ("data/a.csv", "data/raw/2024/01/batch.parquet"):
        assert git(project, "check-ignore", "--no-index", path).stdout == f"{path}\n"
    assert (
        git(
            project, "check-ignore", "--no-index", "data/raw/2024/01/batch.parquet.dvc", check=False
        ).returncode
        == 1
    )


def test_notebooks_go_through_nbstripout_and_nbdime(project):
    attributes = git(project, "check-attr", "filter", "diff", "merge", "--", "notebooks/a.ipynb")
    assert attributes.stdout.splitlines() == [
        "notebooks/a.ipynb: filter: nbstripout",
        "notebooks/a.ipynb: diff: jupyternotebook",
        "notebooks/a.ipynb: merge: jupyternotebook",
    ]


def _notebook_with_outputs() -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 3,
                "id": "a1",
                "metadata": {},
                "outputs": [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}],
                "source": ["print(42)"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_the_filter_make_hooks_configures_strips_outputs_from_what_is_staged(project, tmp_path):
    # `make hooks` installs pre-commit too; only its git configuration is under test here, so
    # its `git config` lines are run as the Makefile writes them, with the project's
    # .venv/bin/python standing for an interpreter that has nbstripout (this one has).
    config_lines = [
        line for line in make_n(project, "hooks").splitlines() if line.startswith("git config ")
    ]
    assert 'git config filter.nbstripout.clean ".venv/bin/python -m nbstripout"' in config_lines
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    python.chmod(0o755)
    for line in config_lines:
        subprocess.run(line, shell=True, cwd=project, check=True, executable="/bin/bash")

    notebook = project / "notebooks" / "explore.ipynb"
    notebook.write_text(json.dumps(_notebook_with_outputs()))
    git(project, "add", "notebooks/explore.ipynb")
    staged = json.loads(git(project, "show", ":notebooks/explore.ipynb").stdout)
    (cell,) = staged["cells"]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["source"] == ["print(42)"]
    # The working copy keeps its outputs: only what git stores is stripped.
    assert json.loads(notebook.read_text())["cells"][0]["outputs"] != []


def test_predict_maps_skip_invalid_to_the_flag(project):
    with_flag = make_n(project, "predict", "SKIP_INVALID=1", "INPUT=a.csv", "OUTPUT=b.csv")
    assert with_flag.splitlines()[-1] == (
        '.venv/bin/python -m my_ml_project.predict "a.csv" "b.csv" --skip-invalid'
    )
    without = make_n(project, "predict", "INPUT=a.csv", "OUTPUT=b.csv")
    assert without.splitlines()[-1] == '.venv/bin/python -m my_ml_project.predict "a.csv" "b.csv"'


def test_predict_without_files_is_a_usage_error(project):
    result = subprocess.run(
        ["make", "-C", str(project), "--no-print-directory", "predict", "INPUT=a.csv"],
        capture_output=True,
        text=True,
    )
    # make exits 2 whenever a recipe fails; the recipe's own status is in make's message.
    assert result.returncode == 2 and "predict] Error 2" in result.stderr
    assert "predict: give INPUT=<file .csv|.parquet> OUTPUT=<file .csv|.parquet>" in result.stderr


def test_audit_runs_mlprod_audit_inside_the_venv(project):
    assert make_n(project, "audit").splitlines()[-1] == ".venv/bin/mlprod audit"
    offline = make_n(project, "audit", "AUDIT_DB=/data/all.zip", "AUDIT_IGNORE=GHSA-1 CVE-2")
    assert offline.splitlines()[-1] == (
        '.venv/bin/mlprod audit --db "/data/all.zip" --ignore GHSA-1 --ignore CVE-2'
    )


def test_audit_reads_the_database_from_the_environment_as_ci_sets_it(project):
    result = subprocess.run(
        ["make", "-n", "-C", str(project), "--no-print-directory", "audit"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AUDIT_DB": "/cache/all.zip"},
    )
    assert result.stdout.splitlines()[-1] == '.venv/bin/mlprod audit --db "/cache/all.zip"'


def test_audit_before_install_says_to_install(project):
    result = subprocess.run(
        ["make", "-C", str(project), "--no-print-directory", "audit"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "audit] Error 1" in result.stderr
    assert "audit: the dev tools are not installed; run: make install" in result.stderr
