"""`mlprod new` gives the tree that stock cookiecutter gives, from the bundled template."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from bakery import REPO_ROOT


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def generate(cmd, cwd):
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


def test_mlprod_new_equals_stock_cookiecutter(tmp_path):
    options = ["deployment=both", "ci=gitlab", "project_name=Churn Model"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    generate([sys.executable, "-m", "mlprod", "new", "--no-input", *options], tmp_path / "a")
    generate(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT), *options],
        tmp_path / "b",
    )
    a, b = tmp_path / "a" / "churn-model", tmp_path / "b" / "churn-model"
    assert tree(a) == tree(b)
    assert not filecmp.dircmp(a, b).diff_files


def test_unknown_option_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "colour=blue"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("mlprod new: error: unknown option 'colour'")
    assert list(tmp_path.iterdir()) == []


def test_existing_project_directory_is_refused_and_kept(tmp_path):
    cmd = [sys.executable, "-m", "mlprod", "new", "--no-input"]
    generate(cmd, tmp_path)
    marker = tmp_path / "my-ml-project" / "work.txt"
    marker.write_text("mine")
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "already exists" in result.stderr
    assert marker.read_text() == "mine"


def test_an_output_directory_that_does_not_exist_is_created(tmp_path):
    target = tmp_path / "projects" / "2026"
    generate([sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(target)], tmp_path)
    assert (target / "my-ml-project" / "Makefile").is_file()


def test_a_refused_answer_leaves_no_created_output_directory(tmp_path):
    target = tmp_path / "projects" / "2026"
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(target),
         "author_email=nobody"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: author_email 'nobody' is not an email address")
    assert list(tmp_path.iterdir()) == []
