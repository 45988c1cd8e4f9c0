"""The post-generation hook: first commit, and a complete project even without git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hooks import post_gen_project


def test_without_git_the_project_is_complete_and_the_hook_says_what_to_run(tmp_path):
    env = {"PATH": str(tmp_path / "no-such-dir"), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    project = tmp_path / "my-ml-project"
    assert (project / "Makefile").is_file()
    assert not (project / ".git").exists()
    assert "warning: git was not found" in result.stdout
    assert "git init -b main && git add -A && git commit" in result.stdout


def test_next_steps_are_printed(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "make setup" in result.stdout
    assert "git switch -c feature/" in result.stdout


# The steps themselves, without a bake: hooks/post_gen_project.py is a plain module.

CONTEXT = {
    "project_slug": "churn",
    "module_name": "churn",
    "deployment": "batch",
    "batch_engine": "pandas",
    "ci": "none",
    "notebook_format": "ipynb",
    "author_name": "Data Team",
    "author_email": "data@example.com",
    "_mlprod_version": "9.9.9",
}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["src/churn/serve.py", "tests/test_serve.py", "src/churn/spark_predict.py",
              "src/churn/spark_monitor.py", "tests/test_spark.py", ".github/workflows",
              ".gitlab-ci.yml", ".gitlab", "jupytext.toml"]),
        ({"deployment": "both", "batch_engine": "spark", "ci": "gitlab",
          "notebook_format": "jupytext"}, [".github"]),
        ({"deployment": "realtime", "ci": "github"},
         ["src/churn/predict.py", "tests/test_predict.py", "src/churn/spark_predict.py",
          "src/churn/spark_monitor.py", "tests/test_spark.py", ".gitlab-ci.yml", ".gitlab",
          "jupytext.toml"]),
    ],
)  # fmt: skip
def test_the_chosen_options_name_the_paths_to_remove(options, expected):
    assert post_gen_project.paths_to_remove({**CONTEXT, **options}) == expected


def write(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x\n")


def test_remove_drops_files_and_folders_and_bytecode(tmp_path):
    bytecode = ("src/churn/__pycache__/data.cpython-311.pyc", "tests/__pycache__/conftest.pyc")
    write(tmp_path, "src/churn/serve.py", ".gitlab/CODEOWNERS", "keep.txt", *bytecode)
    post_gen_project.remove(tmp_path, ["src/churn/serve.py", ".gitlab"])
    post_gen_project.remove_bytecode(tmp_path)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["keep.txt", "src", "src/churn", "tests"]


def test_the_first_commit_is_on_main_with_the_author_where_git_has_no_identity(
    tmp_path, monkeypatch
):
    for name in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{name}_{part}", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    write(tmp_path / "churn", "README.md")
    project = tmp_path / "churn"
    assert post_gen_project.first_commit(project, CONTEXT) is True
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae>|%s", "main"], cwd=project,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert log == "Data Team <data@example.com>|Initial commit from mlprod-template 9.9.9\n"


def test_next_steps_say_how_to_commit_when_git_could_not():
    text = post_gen_project.next_steps(CONTEXT, committed=False)
    assert "cd churn && git init -b main && git add -A && git commit" in text
    assert "cd churn && git init" not in post_gen_project.next_steps(CONTEXT, committed=True)
