"""The post-generation hook: first commit, and a complete project even without git."""

from __future__ import annotations

import subprocess
import sys
import types
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
        ({}, ["src/churn/serve.py", "src/churn/champion_challenger.py",
              "src/churn/service_metrics.py", "src/churn/ab_report.py", "tests/test_serve.py",
              "tests/test_ab_report.py", "tests/test_serve_loop.py",
              "src/churn/spark_predict.py",
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


@pytest.fixture
def git_home(tmp_path, monkeypatch):
    """A git without identity, system config or hooks, whose global config a test may write."""
    for name in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{name}_{part}", raising=False)
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return config


def git_out(where: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=where, capture_output=True, text=True, check=True
    ).stdout


NEXT_STEPS = """
Created churn/ with the batch deployment scaffold.
Next steps:
  cd churn
  make setup                      # .venv, dev tools, git hooks, notebook drivers
  git switch -c feature/first-change
  make test && make pipeline      # tests, then the DVC pipeline on the sample
  make help                       # every target"""


def test_finish_prunes_commits_and_prints_the_next_steps(tmp_path, git_home, capsys):
    project = tmp_path / "churn"
    # Bytecode folders nested in one another go innermost first.
    removed = post_gen_project.paths_to_remove(CONTEXT)
    write(project, "README.md", *removed, "src/churn/__pycache__/x/__pycache__/y.pyc")
    assert post_gen_project.finish(CONTEXT, project) == 0
    assert capsys.readouterr().out == NEXT_STEPS + "\n"
    assert git_out(project, "ls-files").splitlines() == ["README.md"]
    assert git_out(project, "log", "--format=%an|%s") == (
        "Data Team|Initial commit from mlprod-template 9.9.9\n"
    )


def test_a_configured_identity_is_kept_and_global_hooks_do_not_run(tmp_path, git_home):
    hooks = tmp_path / "global-hooks"
    write(hooks, "pre-commit")
    (hooks / "pre-commit").write_text("#!/bin/sh\necho refused >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    git_home.write_text(
        f"[user]\n\tname = Configured Person\n\temail = me@example.org\n"
        f"[core]\n\thooksPath = {hooks}\n"
    )
    project = tmp_path / "churn"
    write(project, "README.md")
    assert post_gen_project.first_commit(project, CONTEXT) is True
    assert git_out(project, "log", "--format=%an <%ae>|%cn <%ce>") == (
        "Configured Person <me@example.org>|Configured Person <me@example.org>\n"
    )


def test_the_identity_of_the_repository_it_runs_in_is_not_used(tmp_path, git_home, monkeypatch):
    # `mlprod new` run inside another clone: that clone's own identity is not the project's.
    other = tmp_path / "other"
    other.mkdir()
    git_out(other, "init", "--quiet")
    git_out(other, "config", "user.name", "Someone Else")
    git_out(other, "config", "user.email", "else@example.org")
    monkeypatch.chdir(other)
    project = tmp_path / "churn"
    write(project, "README.md")
    assert post_gen_project.first_commit(project, CONTEXT) is True
    assert git_out(project, "log", "--format=%an <%ae>") == "Data Team <data@example.com>\n"


def test_a_failing_git_is_one_warning_naming_the_step(tmp_path, git_home, capsys):
    project = tmp_path / "churn"
    write(project, "README.md")
    (project / ".git").write_text("garbage\n")
    assert post_gen_project.first_commit(project, CONTEXT) is False
    assert capsys.readouterr().out == (
        f"warning: git init failed: fatal: invalid gitfile format: {project / '.git'}\n"
    )


def test_a_git_that_dies_without_a_message_is_one_warning_naming_how(
    tmp_path, git_home, git_dying_on, capsys
):
    git_dying_on("init")
    project = tmp_path / "churn"
    write(project, "README.md")
    assert post_gen_project.first_commit(project, CONTEXT) is False
    assert capsys.readouterr().out == (
        "warning: git init failed: Command '['git', 'init', '--quiet']' died with "
        "<Signals.SIGKILL: 9>.\n"
    )


def test_without_git_first_commit_warns_and_finish_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-dir"))
    project = tmp_path / "churn"
    write(project, "README.md", *post_gen_project.paths_to_remove(CONTEXT))
    assert post_gen_project.finish(CONTEXT, project) == 0
    out = capsys.readouterr().out
    before, after = NEXT_STEPS.split("Next steps:")
    assert out == (
        "warning: git was not found, so the project is not a git repository yet.\n"
        + before
        + "Then, with git installed, make the first commit:\n"
        "  cd churn && git init -b main && git add -A && git commit -m 'Initial commit'\n"
        "Next steps:" + after + "\n"
    )
    assert sorted(p.name for p in project.iterdir()) == [".github", "README.md", "src", "tests"]


def test_the_rendered_hook_reads_the_answers_it_was_rendered_with():
    from bakery import REPO_ROOT
    from cookiecutter.environment import StrictEnvironment

    path = REPO_ROOT / "hooks" / "post_gen_project.py"
    answers = {**CONTEXT, "author_name": 'O\'Brien "Data" \\ Team'}
    source = StrictEnvironment(keep_trailing_newline=True).from_string(
        path.read_text(encoding="utf-8")
    )
    module = types.ModuleType("hooks.post_gen_project")
    exec(compile(source.render(cookiecutter=answers), str(path), "exec"), module.__dict__)
    assert module.rendered_context() == answers
