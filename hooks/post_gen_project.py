"""Finish a generated project: drop the files of unselected options, make the first commit.

Runs in whatever interpreter runs cookiecutter, so it uses the standard library alone.
Git is optional here: without it the project is still complete, and the hook says what
to run once git is available.

The steps are plain functions of the answers and the project directory, and only `main`
reads the rendered answers, so tests import this file unrendered and call the steps
without a bake. They live here, not in the `mlprod` package, because the hook must work
wherever the template does: plain cookiecutter and cruft run it without mlprod installed,
from a temporary copy, and cruft does not say where the template is (`_repo_dir`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# option -> chosen value -> paths (relative to the project) that the choice removes.
UNSELECTED = {
    "deployment": {
        "batch": [
            "src/{module}/serve.py",
            "src/{module}/champion_challenger.py",
            "src/{module}/service_metrics.py",
            "src/{module}/ab_report.py",
            "tests/test_serve.py",
            "tests/test_ab_report.py",
            "tests/test_serve_loop.py",
        ],
        "realtime": ["src/{module}/predict.py", "tests/test_predict.py"],
        "both": [],
    },
    "batch_engine": {
        "pandas": [
            "src/{module}/spark_predict.py",
            "src/{module}/spark_monitor.py",
            "tests/test_spark.py",
        ],
        "spark": [],
    },
    "ci": {
        "github": [".gitlab-ci.yml", ".gitlab"],
        "gitlab": [".github"],
        "none": [".github/workflows", ".gitlab-ci.yml", ".gitlab"],
    },
    "notebook_format": {
        "ipynb": ["jupytext.toml"],
    },
}
FIRST_COMMIT_MESSAGE = "Initial commit from mlprod-template {version}"


def paths_to_remove(context: dict) -> list[str]:
    """Return the project-relative paths that the chosen options leave out."""
    paths = []
    for option, by_choice in UNSELECTED.items():
        paths.extend(by_choice.get(context[option], []))
    return [path.format(module=context["module_name"]) for path in paths]


def remove(project: Path, relative_paths: list[str]) -> None:
    for relative in relative_paths:
        path = project / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def remove_bytecode(project: Path) -> None:
    """Drop `__pycache__` folders: pip byte-compiles the template that a wheel installs."""
    for folder in sorted(project.rglob("__pycache__"), reverse=True):
        shutil.rmtree(folder)


def git(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=project, env=env, capture_output=True, text=True, check=True
    )


def identity_env(project: Path, context: dict) -> dict:
    """Use the author's name and email for the first commit where git has no identity."""
    env = dict(os.environ)
    for key, value in (("user.name", "author_name"), ("user.email", "author_email")):
        configured = subprocess.run(
            ["git", "config", key], cwd=project, capture_output=True, text=True
        ).stdout.strip()
        if not configured:
            kind = "NAME" if key == "user.name" else "EMAIL"
            env[f"GIT_AUTHOR_{kind}"] = env[f"GIT_COMMITTER_{kind}"] = context[value]
    return env


def git_init(project: Path) -> None:
    git(project, "init", "--quiet")
    # `git init -b` needs git 2.28; pointing HEAD at main works on any version.
    git(project, "symbolic-ref", "HEAD", "refs/heads/main")


def commit_everything(project: Path, context: dict) -> None:
    git(project, "add", "--all")
    message = FIRST_COMMIT_MESSAGE.format(version=context["_mlprod_version"])
    # No hooks exist yet in this clone; --no-verify keeps a global hooks path out of it.
    git(project, "commit", "--quiet", "--no-verify", "-m", message,
        env=identity_env(project, context))  # fmt: skip


def next_steps(context: dict, committed: bool) -> str:
    slug = context["project_slug"]
    lines = [f"\nCreated {slug}/ with the {context['deployment']} deployment scaffold."]
    if not committed:
        lines += [
            "Then, with git installed, make the first commit:",
            f"  cd {slug} && git init -b main && git add -A && git commit -m 'Initial commit'",
        ]
    lines += [
        "Next steps:",
        f"  cd {slug}",
        "  make setup                      # .venv, dev tools, git hooks, notebook drivers",
        "  git switch -c feature/first-change",
        "  make test && make pipeline      # tests, then the DVC pipeline on the sample",
        "  make help                       # every target",
    ]
    return "\n".join(lines)


def first_commit(project: Path, context: dict) -> bool:
    """Make the project a git repository holding the pristine render; False if it cannot."""
    if shutil.which("git") is None:
        print("warning: git was not found, so the project is not a git repository yet.")
        return False
    try:
        git_init(project)
        commit_everything(project, context)
    except subprocess.CalledProcessError as error:
        reason = (error.stderr or "").strip().splitlines()
        print(f"warning: git {error.cmd[1]} failed: {reason[-1] if reason else error}")
        return False
    return True


def finish(context: dict, project: Path) -> int:
    remove(project, paths_to_remove(context))
    remove_bytecode(project)
    committed = first_commit(project, context)
    print(next_steps(context, committed))
    return 0


def rendered_context() -> dict:
    # Rendered by cookiecutter; the answers arrive as JSON so that quotes and backslashes in
    # them cannot break this file, which stays valid Python unrendered.
    return json.loads(r"""{{ cookiecutter|tojson }}""")


if __name__ == "__main__":
    sys.exit(finish(rendered_context(), Path.cwd()))
