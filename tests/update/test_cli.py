"""`mlprod update` refuses what it must before touching anything, and merges with real git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bakery import bake_project, template_context

from update.changes import git

STATE = ("status", "--porcelain=v1", "--untracked-files=all")


@pytest.fixture
def project(tmp_path) -> Path:
    """A freshly generated batch project, on a feature branch."""
    path = bake_project(tmp_path / "out")
    git(path, "switch", "--quiet", "-c", "feature/update")
    return path


def state(project: Path) -> tuple[str, str, bytes, bool]:
    merging = (project / ".git" / "MERGE_HEAD").exists()
    index = (project / ".git" / "index").read_bytes()
    return git(project, *STATE), git(project, "rev-parse", "HEAD"), index, merging


def new_error(tmp_path: Path, *options: str) -> str:
    """What `mlprod new` says about the same answers."""
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path / "new"),
         *options],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[0].removeprefix("mlprod new: ")


def test_a_dirty_work_tree_is_refused_and_kept(cli, project):
    (project / "params.yaml").write_text("sample:\n  rows: 10\n")
    before = state(project)
    code, out, err = cli("update", project)
    assert code == 2
    assert err == (
        "mlprod update: error: the work tree has uncommitted changes; "
        "commit or stash them (git stash) first\n"
    )
    assert state(project) == before


def test_main_is_refused(cli, project):
    git(project, "switch", "--quiet", "main")
    before = state(project)
    code, _, err = cli("update", project)
    assert code == 2
    assert err.startswith("mlprod update: error: on branch main")
    assert err.strip().endswith("run git switch -c update/template first")
    assert state(project) == before


@pytest.mark.parametrize(
    "answer", ["deployment=never", "colour=blue", "project_slug=", "author_email=nobody"]
)
def test_a_bad_set_is_refused_with_the_message_of_mlprod_new(cli, project, tmp_path, answer):
    before = state(project)
    code, out, err = cli("update", project, "--set", answer)
    assert code == 2
    assert err.strip().splitlines() == [f"mlprod update: {new_error(tmp_path, answer)}"]
    assert state(project) == before


def test_checkout_without_template_is_refused(cli, project):
    code, _, err = cli("update", project, "--checkout", "v9")
    assert code == 2
    assert "--checkout needs --template" in err


def test_a_directory_that_is_not_a_repository_is_refused(cli, tmp_path):
    code, _, err = cli("update", tmp_path)
    assert code == 2
    assert err == (
        f"mlprod update: error: {tmp_path} is not a git repository; "
        "run mlprod update in a project\n"
    )


def test_without_template_changes_update_does_nothing(cli, project):
    before = state(project)
    code, out, _ = cli("update", project)
    version = template_context()["_mlprod_version"]
    assert (code, out) == (0, f"mlprod update: already up to date with mlprod-template {version}\n")
    assert state(project) == before


def test_set_deployment_both_adds_the_serving_scaffold(cli, project):
    code, out, _ = cli("update", project, "--set", "deployment=both")
    assert code == 0, out
    assert "(set deployment=both) cleanly" in out.splitlines()[0]
    staged = git(project, "diff", "--cached", "--name-status").splitlines()
    assert "A\tsrc/my_ml_project/serve.py" in staged
    assert "A\ttests/test_serve.py" in staged
    assert '"fastapi>=0.115",' in (project / "pyproject.toml").read_text()
    assert "\nserve: ## " in (project / "Makefile").read_text()
    assert '"deployment": "both"' in (project / ".cruft.json").read_text()
    # Uncommitted, as `git merge --no-commit` leaves it; the commit will record the render.
    assert git(project, "rev-parse", "MERGE_HEAD").strip()
    message = (project / ".git" / "MERGE_MSG").read_text()
    assert message.startswith("Update to mlprod-template")


def test_a_broken_record_is_refused_with_how_to_restore_it(cli, project):
    (project / ".cruft.json").write_text('{"template": "x"}\n')
    git(project, "commit", "--quiet", "--no-verify", "-am", "broken record")
    code, _, err = cli("update", project)
    assert code == 2
    assert err == (
        "mlprod update: error: .cruft.json is not a record of mlprod-template (no "
        "context.cookiecutter with _mlprod_version); restore it from history, e.g. "
        "git log -p -- .cruft.json\n"
    )
