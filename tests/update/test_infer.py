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


def files(**by_path: str):
    """A reader of a project given as {path: text}."""
    return lambda path: by_path.get(path)


def test_a_project_with_none_of_the_files_shows_only_the_notebook_default():
    assert infer_answers(files()) == {"notebook_format": "ipynb"}


def test_a_pyproject_without_the_template_tables_shows_what_it_has():
    pyproject = (
        '[project]\nname = "churn"\nrequires-python = ">=3.12"\n'
        'license = {text = "MIT"}\nauthors = [{name = "Data Team"}]\n'
    )
    assert infer_answers(files(**{"pyproject.toml": pyproject})) == {
        "project_slug": "churn",
        "author_name": "Data Team",
        "python_version": "3.12",
        "notebook_format": "ipynb",
    }
    tables = pyproject + "\n[tool.hatch.build.targets.wheel]\n"
    assert "module_name" not in infer_answers(files(**{"pyproject.toml": tables}))
    assert infer_answers(files(**{"pyproject.toml": "[tool.ruff]\n"})) == {
        "notebook_format": "ipynb"
    }


def test_empty_or_non_text_values_are_no_answer():
    pyproject = '[project]\nname = "churn"\ndescription = ""\nauthors = [{name = 7}]\n'
    assert infer_answers(files(**{"pyproject.toml": pyproject})) == {
        "project_slug": "churn",
        "notebook_format": "ipynb",
    }


@pytest.mark.parametrize(
    ("makefile", "manager"),
    [
        ("venv:\n\tuv venv\n", "uv"),
        ("sync:\n\tuv sync\n", "uv"),
        ("venv:\n\tpython -m venv\n", "pip"),
    ],
)
def test_the_environment_manager_is_read_from_the_makefile(makefile, manager):
    assert infer_answers(files(Makefile=makefile))["env_manager"] == manager


LOCAL_REMOTE = "[core]\n    remote = local\n['remote \"local\"']\n    url = {}\n"


def test_the_local_default_remote_url_is_the_empty_answer():
    pyproject = '[project]\nname = "churn"\n'
    default = files(**{"pyproject.toml": pyproject, ".dvc/config": LOCAL_REMOTE.format(
        "~/.dvc-storage/churn")})  # fmt: skip
    assert (infer_answers(default)["dvc_remote"], infer_answers(default)["dvc_remote_url"]) == (
        "local",
        "",
    )
    elsewhere = files(**{"pyproject.toml": pyproject, ".dvc/config": LOCAL_REMOTE.format(
        "/mnt/team/dvc")})  # fmt: skip
    assert infer_answers(elsewhere)["dvc_remote_url"] == "/mnt/team/dvc"
    # Without a slug, the default is the directory the template would name for none.
    unnamed = files(**{".dvc/config": LOCAL_REMOTE.format("~/.dvc-storage/")})
    assert infer_answers(unnamed)["dvc_remote_url"] == ""


def test_a_remote_url_that_looks_like_the_local_default_is_kept_for_other_remotes():
    config = "[core]\n    remote = team\n['remote \"team\"']\n    url = ~/.dvc-storage/churn\n"
    answers = infer_answers(files(**{".dvc/config": config, "pyproject.toml":
                                      '[project]\nname = "churn"\n'}))  # fmt: skip
    assert (answers["dvc_remote"], answers["dvc_remote_url"]) == ("team", "~/.dvc-storage/churn")


def test_hooks_from_pypi_with_the_meta_repository_are_not_from_github():
    config = (
        "repos:\n"
        "  - repo: meta\n    hooks:\n      - id: check-hooks-apply\n"
        "  - repo: local\n    hooks:\n      - id: mlprod-check\n"
    )
    assert hook_sources(config) == {"precommit_source": "pypi", "mlprod_hooks_repository": ""}


def test_hooks_without_mlprod_name_no_hook_repository():
    config = "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.17.6\n"
    assert hook_sources(config) == {"precommit_source": "github", "mlprod_hooks_repository": ""}
