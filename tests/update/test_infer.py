"""A project made before the record existed: its answers are read back from its files."""

from __future__ import annotations

from pathlib import Path

import pytest
from bakery import bake_project, rotating_matrix

from mlprod.update.infer import hook_sources, infer_answers, with_new_options
from mlprod.update.record import Record

MATRIX = rotating_matrix()


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


def test_a_recorded_answer_wins_and_a_new_option_is_read_from_the_files(tmp_path):
    project = bake_project(tmp_path, dvc_remote="gcs", dvc_remote_url="gs://acme-ml/churn")
    recorded = Record.parse((project / ".cruft.json").read_text()).answers
    # A record written before the template asked for the remote's URL.
    older = {key: value for key, value in recorded.items() if key != "dvc_remote_url"}
    options = {**recorded, "a_later_option": ""}
    answers = with_new_options({**older, "description": "kept"}, options, reader(project))
    assert answers == {**recorded, "description": "kept"}
    assert with_new_options(recorded, options, reader(project)) == recorded
