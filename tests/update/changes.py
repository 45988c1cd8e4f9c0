"""The changes a team makes to its project, and a standards owner to the template.

Each change is one small function, so that it can follow the template's files when they
move: a test names the change, not the edit.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bakery import REPO_ROOT, run

TEMPLATE_FILES = ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}")
SLUG_DIR = "{{cookiecutter.project_slug}}"
TEAM_PROSE = "We predict which customers open an email, to send fewer of them."
TEMPLATE_PROSE = "{{ cookiecutter.description }} See docs/README.md for the phase documents."
ADDED_FEATURE = "emails_last_week"
NOTEBOOK = "notebooks/01-team-eda.ipynb"
TEAM_DELETED = "docs/decisions/0000-template.md"
TEMPLATE_NEW_FILE = "docs/runbook.md"
TEMPLATE_REMOVED = "docs/decisions/README.md"
TEMPLATE_RENAMED = ("notebooks/README.md", "notebooks/CONVENTIONS.md")
SHIPPED_NOTEBOOK = "notebooks/00-example.ipynb"
NOTEBOOKS_NOTE = "Team note: name notebooks after the question they answer."


def git(repo: Path, *args: str) -> str:
    return run("git", *args, cwd=repo).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


# --- the template, in a scratch repository -------------------------------------------


def template_repository(where: Path) -> Path:
    """This checkout's template (as it is on disk) as the first commit of a new repository."""
    where.mkdir(parents=True)
    for name in TEMPLATE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, where / name)
    git(where, "init", "--quiet", "--initial-branch=main")
    commit_all(where, "Template as released")
    return where


def template_file(template: Path, path: str) -> Path:
    return template / SLUG_DIR / path


def add_make_target(template: Path, name: str) -> None:
    with template_file(template, "Makefile").open("a", encoding="utf-8") as makefile:
        makefile.write(f"\n.PHONY: {name}\n{name}: ## Say {name}\n\t@echo {name}\n")


def change_readme_line(template: Path) -> None:
    readme = template_file(template, "README.md")
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace("{{ cookiecutter.description }}\n", TEMPLATE_PROSE + "\n", 1))


def add_template_file(template: Path) -> None:
    template_file(template, TEMPLATE_NEW_FILE).write_text(
        "# Runbook\n\nWhat to do when the pipeline fails: read the stage's log first.\n",
        encoding="utf-8",
    )


def remove_template_file(template: Path) -> None:
    git(template, "rm", "--quiet", f"{SLUG_DIR}/{TEMPLATE_REMOVED}")


def rename_template_file(template: Path) -> None:
    old, new = TEMPLATE_RENAMED
    git(template, "mv", f"{SLUG_DIR}/{old}", f"{SLUG_DIR}/{new}")


def notebook_json(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{index}", "metadata": {},
         "outputs": [], "source": [source]}
        for index, source in enumerate(sources)
    ]  # fmt: skip
    notebook = {"cells": cells, "metadata": {"language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    return json.dumps(notebook, indent=1) + "\n"


def ship_notebook(template: Path) -> None:
    """A template that ships an example notebook, for both sides to edit."""
    path = template_file(template, SHIPPED_NOTEBOOK)
    path.write_text(notebook_json("rows = 10", "print(rows)"), encoding="utf-8")
    # The template's .gitignore, unrendered, holds the jupytext choice's `*.ipynb` line too.
    git(template, "add", "--force", f"{SLUG_DIR}/{SHIPPED_NOTEBOOK}")


def edit_notebook_cell(notebook: Path, index: int, source: str) -> None:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"][index]["source"] = [source]
    notebook.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def release(template: Path) -> str:
    """The standards owner's changes of the scenario, committed; returns the commit."""
    add_make_target(template, "hello")
    change_readme_line(template)
    add_template_file(template)
    remove_template_file(template)
    rename_template_file(template)
    return commit_all(template, "A new target, a doc, a README line; a doc moved, one gone")


# --- the team's changes in a generated project ----------------------------------------


def change_readme_prose(project: Path) -> None:
    readme = project / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = TEAM_PROSE + "\n"  # the description paragraph under the title
    readme.write_text("".join(lines), encoding="utf-8")


def add_feature(project: Path, module: str = "my_ml_project") -> None:
    """A new integer feature in the data description: one edit (the sample generator draws
    any feature it does not know within its declared range)."""
    schema = project / "src" / module / "schema.py"
    text = schema.read_text(encoding="utf-8")
    end_of_features = "    ),\n)\nDERIVED = "
    assert text.count(end_of_features) == 1, "the data description moved: update add_feature"
    text = text.replace(
        end_of_features,
        "    ),\n"
        f'    Feature("{ADDED_FEATURE}", Kind.INTEGER, "emails sent to the customer last week",'
        " 0, 50),\n)\nDERIVED = ",
    )
    schema.write_text(text, encoding="utf-8")


def change_parameter(project: Path) -> None:
    params = project / "params.yaml"
    text = params.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^  max_iter: \d+$", "  max_iter: 80", text)
    assert changed != text, "params.yaml moved: update change_parameter"
    params.write_text(changed, encoding="utf-8")


def add_notebook(project: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# EDA"]},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "a2",
                "metadata": {},
                "outputs": [],
                "source": ["total = sum(range(10))"],
            },
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (project / NOTEBOOK).write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


def note_in_notebooks_readme(project: Path) -> None:
    with (project / TEMPLATE_RENAMED[0]).open("a", encoding="utf-8") as readme:
        readme.write(f"\n{NOTEBOOKS_NOTE}\n")


def delete_file(project: Path) -> None:
    git(project, "rm", "--quiet", TEAM_DELETED)


def team_work(project: Path) -> str:
    """Every team change of the scenario, committed on a branch; returns the commit."""
    git(project, "switch", "--quiet", "-c", "feature/team-work")
    change_readme_prose(project)
    add_feature(project)
    change_parameter(project)
    add_notebook(project)
    note_in_notebooks_readme(project)
    delete_file(project)
    return commit_all(project, "Team work")


def mlprod(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`mlprod ARGS` as a user runs it: a new process, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "mlprod", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
