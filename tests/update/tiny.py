"""A tiny mlprod template: renders in a second, so the update machinery can be tested fast.

It has what `mlprod update` reads from a template (`cookiecutter.json` with
`_mlprod_version`, a rendered `.cruft.json`) and optionally a post-generation hook.
"""

from __future__ import annotations

import json
from pathlib import Path

from bakery import REPO_ROOT

from mlprod.update.git import Git

SLUG_DIR = "{{cookiecutter.project_slug}}"
README = "# {{ cookiecutter.project_name }}\n\nDeployment: {{ cookiecutter.deployment }}\n"

# The hook of a template that commits its render, the way the real template's hook does,
# with what only the hook's own commit holds: a force-added ignored file. It also tags,
# installs a git hook that refuses every commit, and leaves a file uncommitted.
COMMITTING_HOOK = """\
import pathlib, subprocess

def git(*args):
    subprocess.run(["git", "-c", "user.name=Hook", "-c", "user.email=hook@example.com", *args],
                   check=True, capture_output=True)

git("init", "--quiet")
pathlib.Path(".gitignore").write_text("ignored.txt\\n")
pathlib.Path("ignored.txt").write_text("kept by the hook\\n")
git("add", "--all")
git("add", "--force", "ignored.txt")
git("commit", "--quiet", "-m", "Initial commit")
git("tag", "hook-tag")
refuse = pathlib.Path(".git/hooks/pre-commit")
refuse.write_text("#!/bin/sh\\nexit 1\\n")
refuse.chmod(0o755)
pathlib.Path("late.txt").write_text("written after the commit\\n")
"""

# The hook of a template that makes a repository but no commit, with its own exclude file.
INIT_ONLY_HOOK = """\
import pathlib, subprocess

subprocess.run(["git", "init", "--quiet"], check=True)
pathlib.Path(".git/info/exclude").write_text("scratch.txt\\n")
pathlib.Path("scratch.txt").write_text("not excluded by a fresh repository\\n")
"""


def record_template() -> str:
    """The real template's `.cruft.json`, naming the template plainly."""
    text = (REPO_ROOT / SLUG_DIR / ".cruft.json").read_text(encoding="utf-8")
    first, rest = text.split("\n", 2)[1], text.split("\n", 2)[2]
    assert first.lstrip().startswith('"template"'), "the record's layout moved"
    return '{\n  "template": "mlprod-template",\n' + rest


def tiny_template(
    where: Path, version: str = "0.2.0", hook: str | None = None, readme: str = README
) -> Path:
    (where / SLUG_DIR).mkdir(parents=True)
    context = {
        "project_name": "Tiny",
        "project_slug": "tiny",
        "deployment": ["batch", "both"],
        "_mlprod_version": version,
        "_private_pin": "1.0",
    }
    (where / "cookiecutter.json").write_text(json.dumps(context, indent=2) + "\n")
    (where / SLUG_DIR / "README.md").write_text(readme, encoding="utf-8")
    (where / SLUG_DIR / ".cruft.json").write_text(record_template(), encoding="utf-8")
    if hook is not None:
        (where / "hooks").mkdir()
        (where / "hooks" / "post_gen_project.py").write_text(hook, encoding="utf-8")
    return where


def commit_all(git: Git, message: str) -> str:
    git("add", "--all")
    git("commit", "--quiet", "--no-verify", "-m", message)
    return git("rev-parse", "HEAD").strip()


def template_repository(where: Path, version: str = "0.2.0", **options) -> Git:
    """A tiny template as the first commit of a repository, tagged `v<version>`."""
    tiny_template(where, version, **options)
    git = Git(where)
    git("init", "--quiet", "--initial-branch=main")
    commit_all(git, f"Template {version}")
    git("tag", f"v{version}")
    return git


def files_of(git: Git, tree: str) -> dict[str, str]:
    """The files of a tree in a repository, by path."""
    names = git("ls-tree", "-r", "--name-only", tree).splitlines()
    return {name: git("show", f"{tree}:{name}") for name in names}
