"""A project made before the record existed: its answers are read back from its files."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from bakery import bake_project, template_context

from mlprod.update.infer import hook_sources, infer_answers
from mlprod.update.record import Record

CHOICES = {
    key: value
    for key, value in template_context().items()
    if isinstance(value, list) and not key.startswith("_")
}
ROWS = max(len(choices) for choices in CHOICES.values())
CYCLES = {key: itertools.cycle(choices) for key, choices in CHOICES.items()}
MATRIX = [{key: next(cycle) for key, cycle in CYCLES.items()} for _ in range(ROWS)]


def reader(project: Path):
    def read(path: str) -> str | None:
        file = project / path
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return read


@pytest.mark.parametrize("options", MATRIX, ids=lambda row: "-".join(row.values()))
def test_every_answer_is_read_back_from_the_generated_files(tmp_path, options):
    project = bake_project(
        tmp_path, project_name="Churn Model", description="Who leaves, and why.",
        author_name="Data Team", author_email="data@example.com", **options,
    )  # fmt: skip
    recorded = Record.parse((project / ".cruft.json").read_text()).answers
    assert infer_answers(reader(project)) == recorded


def test_an_answer_no_file_shows_is_left_out(tmp_path):
    project = bake_project(tmp_path)
    (project / "README.md").write_text("Notes without a title.\n")
    answers = infer_answers(reader(project))
    assert "project_name" not in answers
    assert answers["project_slug"] == "my-ml-project"


def test_the_unchecked_hook_repository_of_0_1_0_is_not_carried_forward():
    config = (
        "repos:\n"
        "  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.17.6\n"
        "  - repo: https://github.com/mlprod/mlprod-template\n    rev: v0.1.0\n"
        "    hooks:\n      - id: mlprod-check-notebooks\n"
    )
    assert hook_sources(config) == {"precommit_source": "github", "mlprod_hooks_repository": ""}


def test_an_organisations_hook_repository_is_read_back():
    fork = "https://git.example.com/acme/mlprod-template"
    config = (
        "repos:\n"
        "  - repo: local\n    hooks:\n      - id: ruff\n"
        f"  - repo: {fork}\n    rev: v0.2.0\n    hooks:\n      - id: mlprod-check-data\n"
    )
    assert hook_sources(config) == {"precommit_source": "pypi", "mlprod_hooks_repository": fork}
