"""Finish a generated project: drop the files of unselected options, make the first commit.

Runs in whatever interpreter runs cookiecutter, so it uses the standard library alone.
Git is optional here: without it the project is still complete, and the hook says what
to run once git is available.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Rendered by cookiecutter; stays valid Python unrendered so that ruff can lint this file.
CONTEXT = json.loads(r"""{{ cookiecutter|tojson }}""")
PROJECT = Path.cwd()

# option -> chosen value -> paths that the choice removes.
MODULE = "src/" + CONTEXT["module_name"]
UNSELECTED = {
    "deployment": {
        "batch": [f"{MODULE}/serve.py", "tests/test_serve.py"],
        "realtime": [f"{MODULE}/predict.py", "tests/test_predict.py"],
        "both": [],
    },
    "batch_engine": {
        "pandas": [
            f"{MODULE}/spark_predict.py",
            f"{MODULE}/spark_monitor.py",
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


def paths_to_remove(context):
    """Return the project-relative paths that the chosen options leave out."""
    paths = []
    for option, by_choice in UNSELECTED.items():
        paths.extend(by_choice.get(context[option], []))
    return paths


def remove(relative_paths):
    for relative in relative_paths:
        path = PROJECT / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def git(*args, env=None):
    return subprocess.run(
        ["git", *args], cwd=PROJECT, env=env, capture_output=True, text=True, check=True
    )


def identity_env(context):
    """Use the author's name and email for the first commit where git has no identity."""
    env = dict(os.environ)
    for key, value in (("user.name", "author_name"), ("user.email", "author_email")):
        configured = subprocess.run(
            ["git", "config", key], cwd=PROJECT, capture_output=True, text=True
        ).stdout.strip()
        if not configured:
            kind = "NAME" if key == "user.name" else "EMAIL"
            env[f"GIT_AUTHOR_{kind}"] = env[f"GIT_COMMITTER_{kind}"] = context[value]
    return env


def git_init():
    git("init", "--quiet")
    # `git init -b` needs git 2.28; pointing HEAD at main works on any version.
    git("symbolic-ref", "HEAD", "refs/heads/main")


def git_commit_everything(context):
    git("add", "--all")
    message = FIRST_COMMIT_MESSAGE.format(version=context["_mlprod_version"])
    # No hooks exist yet in this clone; --no-verify keeps a global hooks path out of it.
    git("commit", "--quiet", "--no-verify", "-m", message, env=identity_env(context))


def next_steps(context, committed):
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
    print("\n".join(lines))


class StepTimer:
    """Records how long each step takes, for benchmarks/bake.py (MLPROD_HOOK_TIMINGS=FILE)."""

    def __init__(self, path):
        self.path = path
        self.timings = {}

    def run(self, name, step, *args):
        started = time.perf_counter()
        try:
            return step(*args)
        finally:
            self.timings[name] = time.perf_counter() - started

    def save(self):
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(self.timings) + "\n")


def main():
    timer = StepTimer(os.environ.get("MLPROD_HOOK_TIMINGS"))
    timer.run("prune", remove, paths_to_remove(CONTEXT))
    committed = False
    if shutil.which("git") is None:
        print("warning: git was not found, so the project is not a git repository yet.")
    else:
        try:
            timer.run("git init", git_init)
            timer.run("git commit", git_commit_everything, CONTEXT)
            committed = True
        except subprocess.CalledProcessError as error:
            reason = (error.stderr or "").strip().splitlines()
            print(f"warning: git {error.cmd[1]} failed: {reason[-1] if reason else error}")
    timer.save()
    next_steps(CONTEXT, committed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
