"""`mlprod update` end to end: a template release merged into a project its team changed.

Real git throughout: the template is a scratch repository with the standards owner's
commits, the project a generated repository with the team's commits, and the update is
checked with the commands a user runs afterwards (`git status`, `make test`, `make lint`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from bakery import commit_lock, run, template_context
from cookiecutter.main import cookiecutter

from update.changes import (
    ADDED_FEATURE,
    NOTEBOOK,
    NOTEBOOKS_NOTE,
    SHIPPED_NOTEBOOK,
    TEAM_DELETED,
    TEAM_PROSE,
    TEMPLATE_NEW_FILE,
    TEMPLATE_REMOVED,
    TEMPLATE_RENAMED,
    add_feature,
    add_make_target,
    change_readme_prose,
    commit_all,
    delete_file,
    edit_notebook_cell,
    git,
    mlprod,
    release,
    ship_notebook,
    team_work,
    template_file,
    template_repository,
)

pytestmark = pytest.mark.slow
VERSION = template_context()["_mlprod_version"]


@pytest.fixture
def template(tmp_path) -> Path:
    return template_repository(tmp_path / "template")


def generate(template: Path, where: Path, **options: str) -> Path:
    """Plain cookiecutter on the template repository, as a team lead starts a project."""
    return Path(cookiecutter(str(template), no_input=True, output_dir=str(where),
                             extra_context=options))  # fmt: skip


def untracked(project: Path) -> list[str]:
    status = git(project, "status", "--porcelain=v1", "--untracked-files=all")
    return [line[3:] for line in status.splitlines() if line.startswith("??")]


def test_team_changes_survive_a_release_and_the_conflict_is_an_ordinary_one(
    template, tmp_path, project_env
):
    ship_notebook(template)
    commit_all(template, "An example notebook")
    project = generate(template, tmp_path / "out")
    run("make", "setup", cwd=project, env=project_env)  # the notebook merge driver too
    commit_lock(project, project_env)
    team_work(project)
    edit_notebook_cell(project / SHIPPED_NOTEBOOK, 0, "rows = 20")
    commit_all(project, "Team: more rows")
    edit_notebook_cell(template_file(template, SHIPPED_NOTEBOOK), 1, "print(rows * 2)")
    commit_all(template, "Template: the notebook doubles")
    released = release(template)

    result = mlprod("update", "--template", template, cwd=project)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"mlprod update: merged mlprod-template {VERSION} -> {VERSION} ({released[:7]}) "
        "with 1 conflict"
    ), result.stdout
    assert "  conflict (both modified): README.md" in lines
    # The clean parts merged: the template's changes and the team's, side by side.
    assert "\nhello: ## Say hello\n" in (project / "Makefile").read_text()
    assert (project / TEMPLATE_NEW_FILE).is_file()
    assert not (project / TEMPLATE_REMOVED).exists()
    old, new = TEMPLATE_RENAMED
    assert not (project / old).exists()
    assert NOTEBOOKS_NOTE in (project / new).read_text()
    assert "  max_iter: 80\n" in (project / "params.yaml").read_text()
    assert ADDED_FEATURE in (project / "src/my_ml_project/schema.py").read_text()
    assert (project / NOTEBOOK).is_file()
    assert not (project / TEAM_DELETED).exists()
    # The notebook both sides edited merges cell by cell into a valid notebook.
    merged = nbformat.read(project / SHIPPED_NOTEBOOK, as_version=4)
    nbformat.validate(merged)
    assert [cell.source for cell in merged.cells] == ["rows = 20", "print(rows * 2)"]
    # The conflict, as in any git merge: markers, three stages, no .rej file anywhere.
    readme = (project / "README.md").read_text()
    assert f"<<<<<<< HEAD\n{TEAM_PROSE}\n=======\nA machine learning project. See docs" in readme
    stages = [line.split()[2] for line in git(project, "ls-files", "-u", "README.md").splitlines()]
    assert stages == ["1", "2", "3"]
    assert "UU README.md" in git(project, "status", "--porcelain=v1").splitlines()
    assert untracked(project) == []
    assert git(project, "rev-parse", "HEAD") == git(project, "rev-parse", "feature/team-work")

    git(project, "checkout", "--ours", "README.md")
    git(project, "add", "README.md")
    git(project, "commit", "--quiet", "--no-verify", "--no-edit")
    assert len(git(project, "log", "-1", "--format=%P").split()) == 2
    assert TEAM_PROSE in (project / "README.md").read_text()

    run("make", "test", cwd=project, env=project_env)
    run("make", "lint", cwd=project, env=project_env)
    assert run("make", "hello", cwd=project, env=project_env).stdout == "hello\n"

    again = mlprod("update", "--template", template, cwd=project)
    assert (again.returncode, again.stdout) == (
        0,
        f"mlprod update: already up to date with mlprod-template {VERSION}\n",
    )
    assert git(project, "status", "--porcelain=v1") == ""


def test_set_deployment_both_serves_the_features_the_team_added(template, tmp_path, project_env):
    project = generate(template, tmp_path / "out")
    run("make", "setup", cwd=project, env=project_env)
    commit_lock(project, project_env)
    git(project, "switch", "--quiet", "-c", "feature/realtime")
    add_feature(project)
    commit_all(project, "A feature")

    result = mlprod("update", "--template", template, "--set", "deployment=both", cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "  A src/my_ml_project/serve.py" in result.stdout.splitlines()
    git(project, "commit", "--quiet", "--no-verify", "--no-edit")
    run("make", "install", cwd=project, env=project_env)
    tests = run(".venv/bin/pytest", "-q", "tests/test_serve.py", "-p", "no:cacheprovider",
                cwd=project, env=project_env)  # fmt: skip
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    run("make", "lint", cwd=project, env=project_env)
    assert "\nserve: ## " in (project / "Makefile").read_text()


def test_set_batch_engine_spark_moves_a_pandas_project_over(template, tmp_path):
    project = generate(template, tmp_path / "out")
    module = project / "src/my_ml_project"
    assert not (module / "spark_predict.py").exists()
    git(project, "switch", "--quiet", "-c", "feature/spark")
    add_feature(project)
    change_readme_prose(project)
    team = commit_all(project, "Team work")

    result = mlprod("update", "--template", template, "--set", "batch_engine=spark", cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"mlprod update: merged mlprod-template {VERSION} -> {VERSION} ({template_head(template)})"
        " (set batch_engine=spark) cleanly"
    ), result.stdout
    for added in ("spark_predict.py", "spark_monitor.py"):
        assert f"  A src/my_ml_project/{added}" in lines
    assert "  A tests/test_spark.py" in lines
    git(project, "commit", "--quiet", "--no-verify", "--no-edit")
    assert git(project, "log", "-1", "--format=%P").split()[0] == team
    # The team's commits are kept, next to the engine's files.
    assert ADDED_FEATURE in (module / "schema.py").read_text()
    assert TEAM_PROSE in (project / "README.md").read_text()
    assert "mapInPandas" in (module / "spark_predict.py").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    assert '\nspark = [\n    "pyspark>=3.5",\n' in pyproject
    assert 'my-ml-project-spark-predict = "my_ml_project.spark_predict:main"' in pyproject
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert answers["batch_engine"] == "spark"
    # The Makefile dispatches on ENGINE: the command each engine would run.
    dry = {engine: run("make", "-n", "predict", f"ENGINE={engine}", "INPUT=in.parquet",
                       "OUTPUT=out.parquet", "SKIP_INVALID=1", cwd=project).stdout.splitlines()
           for engine in ("spark", "pandas")}  # fmt: skip
    assert dry["spark"][-1] == (
        '.venv/bin/python -m my_ml_project.spark_predict "in.parquet" "out.parquet" --skip-invalid'
    )
    assert dry["pandas"][-1] == (
        '.venv/bin/python -m my_ml_project.predict "in.parquet" "out.parquet" --skip-invalid'
    )
    install = run("make", "-n", "install", cwd=project).stdout
    assert "uv sync --python 3.11 --extra spark\n" in install
    unknown = subprocess.run(["make", "predict", "ENGINE=dask", "INPUT=a", "OUTPUT=b"],
                             cwd=project, capture_output=True, text=True)  # fmt: skip
    assert unknown.returncode == 2
    assert "predict: ENGINE=dask is unknown; use ENGINE=pandas or ENGINE=spark" in unknown.stderr

    again = mlprod("update", "--template", template, cwd=project)
    assert (again.returncode, again.stdout) == (
        0,
        f"mlprod update: already up to date with mlprod-template {VERSION}\n",
    )


def template_head(template: Path) -> str:
    return git(template, "rev-parse", "--short=7", "HEAD").strip()


def first_update(template: Path, project: Path) -> str:
    """Release a `hello` target and merge it on a branch; return the render commit."""
    add_make_target(template, "hello")
    commit_all(template, "hello target")
    git(project, "switch", "--quiet", "-c", "feature/update-1")
    result = mlprod("update", "--template", template, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    render = git(project, "rev-parse", "MERGE_HEAD").strip()
    git(project, "commit", "--quiet", "--no-verify", "--no-edit")
    return render


def assert_second_update_merges_only_the_new_change(template: Path, clone: Path) -> None:
    add_make_target(template, "goodbye")
    commit_all(template, "goodbye target")
    git(clone, "switch", "--quiet", "-c", "feature/update-2")
    result = mlprod("update", "--template", template, cwd=clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:3] == ["  M .cruft.json", "  M Makefile"]
    makefile = (clone / "Makefile").read_text()
    assert makefile.count("\nhello: ") == 1 and makefile.count("\ngoodbye: ") == 1


def test_an_update_squash_merged_into_main_is_the_base_of_the_next(template, tmp_path):
    project = generate(template, tmp_path / "out")
    render = first_update(template, project)
    git(project, "switch", "--quiet", "main")
    git(project, "merge", "--quiet", "--squash", "feature/update-1")
    git(project, "commit", "--quiet", "--no-verify", "-m", "Update the template (squashed)")
    git(project, "branch", "--quiet", "-D", "feature/update-1")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", f"file://{project}", str(clone))
    missing = subprocess.run(["git", "cat-file", "-e", render], cwd=clone, capture_output=True)
    assert missing.returncode != 0, "no commit of the squashed update may be in the clone"

    assert_second_update_merges_only_the_new_change(template, clone)


def test_an_update_works_in_a_shallow_clone(template, tmp_path):
    project = generate(template, tmp_path / "out")
    first_update(template, project)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", "--branch", "feature/update-1",
        f"file://{project}", str(clone))  # fmt: skip
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"

    assert_second_update_merges_only_the_new_change(template, clone)


def test_dry_run_lists_changes_and_conflicts_and_changes_nothing(template, tmp_path):
    project = generate(template, tmp_path / "out")
    team_work(project)
    release(template)
    before = (
        git(project, "status", "--porcelain=v1", "--untracked-files=all"),
        git(project, "rev-parse", "HEAD"),
        (project / ".git" / "index").read_bytes(),
        git(project, "worktree", "list"),
        sorted(path.name for path in (project / ".git").iterdir()),
    )

    result = mlprod("update", "--template", template, "--dry-run", cwd=project)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mlprod update: would merge mlprod-template")
    assert lines[0].endswith("with 1 conflict")
    assert f"  A {TEMPLATE_NEW_FILE}" in lines
    assert f"  D {TEMPLATE_REMOVED}" in lines
    assert f"  R {TEMPLATE_RENAMED[0]} -> {TEMPLATE_RENAMED[1]}" in lines
    assert "  conflict (both modified): README.md" in lines
    assert lines[-1] == "Nothing was changed (--dry-run)."
    after = (
        git(project, "status", "--porcelain=v1", "--untracked-files=all"),
        git(project, "rev-parse", "HEAD"),
        (project / ".git" / "index").read_bytes(),
        git(project, "worktree", "list"),
        sorted(path.name for path in (project / ".git").iterdir()),
    )
    assert after == before


def test_without_history_the_old_render_comes_from_the_mlprod_in_the_projects_venv(
    template, tmp_path
):
    context = template / "cookiecutter.json"
    context.write_text(context.read_text().replace(
        f'"_mlprod_version": "{VERSION}"', '"_mlprod_version": "0.1.9"'))  # fmt: skip
    commit_all(template, "release 0.1.9")
    project = generate(template, tmp_path / "out")
    git(project, "switch", "--quiet", "-c", "feature/update")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", "--branch", "feature/update",
        f"file://{project}", str(clone))  # fmt: skip

    refused = mlprod("update", cwd=clone)
    assert refused.returncode == 2
    assert refused.stderr == (
        "mlprod update: error: the render of mlprod-template 0.1.9 this project was made from "
        "is not in this clone's history and no template at hand renders it; run make setup "
        "(it installs mlprod 0.1.9 in .venv), or pass --template <a clone of "
        "mlprod-template>\n"
    )
    # What `make setup` installs: the pinned mlprod 0.1.9, its template inside.
    site = clone / ".venv" / "lib" / "python3.11" / "site-packages"
    shutil.copytree(template, site / "mlprod" / "template", ignore=shutil.ignore_patterns(".git"))

    result = mlprod("update", cwd=clone)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only what the version changes: the record and the two pins of mlprod.
    assert result.stdout.splitlines()[:-1] == [
        f"mlprod update: merged mlprod-template 0.1.9 -> {VERSION} cleanly",
        "  M .cruft.json",
        "  M .pre-commit-config.yaml",
        "  M pyproject.toml",
    ]
    assert f'"mlprod[stats]=={VERSION}"' in (clone / "pyproject.toml").read_text()


def test_a_file_the_team_deleted_and_the_template_changed_is_a_conflict_not_a_loss(
    template, tmp_path
):
    project = generate(template, tmp_path / "out")
    git(project, "switch", "--quiet", "-c", "feature/update")
    delete_file(project)
    commit_all(project, "We keep decisions elsewhere")
    decision = template_file(template, TEAM_DELETED)
    decision.write_text(decision.read_text() + "\nRecord who decided.\n")
    commit_all(template, "ADR template: who decided")

    result = mlprod("update", "--template", template, cwd=project)

    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"  conflict (deleted by the project, changed by the template): {TEAM_DELETED}"
        in result.stdout.splitlines()
    )
    assert f"DU {TEAM_DELETED}" in git(project, "status", "--porcelain=v1").splitlines()
    # The template's version waits in the work tree: `git rm` keeps the deletion.
    assert "Record who decided." in (project / TEAM_DELETED).read_text()
    git(project, "rm", "--quiet", TEAM_DELETED)
    git(project, "commit", "--quiet", "--no-verify", "--no-edit")
    assert not (project / TEAM_DELETED).exists()


def test_an_update_rebased_onto_main_is_not_mistaken_for_a_render(template, tmp_path):
    project = generate(template, tmp_path / "out")
    first_update(template, project)
    # main moves on meanwhile; the update branch is rebased onto it (merge commits dropped,
    # the render commit replayed onto the team's files), then fast-forwarded into main.
    git(project, "switch", "--quiet", "main")
    change_readme_prose(project)
    commit_all(project, "Team prose on main")
    git(project, "switch", "--quiet", "feature/update-1")
    git(project, "rebase", "--quiet", "main")
    git(project, "switch", "--quiet", "main")
    git(project, "merge", "--quiet", "--ff-only", "feature/update-1")
    git(project, "branch", "--quiet", "-D", "feature/update-1")
    assert len(git(project, "rev-list", "--merges", "HEAD").split()) == 0

    assert_second_update_merges_only_the_new_change(template, project)
    assert TEAM_PROSE in (project / "README.md").read_text()


def test_paths_the_record_skips_stay_as_the_project_has_them(template, tmp_path):
    project = generate(template, tmp_path / "out")
    git(project, "switch", "--quiet", "-c", "feature/update")
    change_readme_prose(project)
    record = project / ".cruft.json"
    data = json.loads(record.read_text())
    data["skip"] += ["README.md", TEMPLATE_NEW_FILE]
    record.write_text(json.dumps(data, indent=2) + "\n")
    commit_all(project, "Our README is ours; no runbook")
    release(template)

    result = mlprod("update", "--template", template, cwd=project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if line.endswith(" README.md")] == []
    assert not (project / TEMPLATE_NEW_FILE).exists()
    assert git(project, "diff", "HEAD", "--", "README.md") == ""
    assert "\nhello: ## Say hello\n" in (project / "Makefile").read_text()
    assert json.loads(record.read_text())["skip"] == [".git", "README.md", TEMPLATE_NEW_FILE]
