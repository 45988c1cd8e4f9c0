"""Notebook protection in real team workflows, for each `notebook_format`.

Real clones share a bare origin; each clone has the real hooks, filter and drivers that
`make hooks` installs (the dev tools are installed once per format and linked into each
clone as `.venv`). Notebooks are written with nbformat, with real outputs, as Jupyter
would save them after a run.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from bakery import bake_project, commit_lock, generated_project_env, run

pytestmark = pytest.mark.slow

BASE = ["rate = 0.2", "share = rate * 100", "print(share)"]


class Team:
    """A bare origin, a project whose dev tools are installed, and clones of the origin."""

    def __init__(self, root: Path, project: Path, notebook_format: str, env: dict):
        self.root = root
        self.project = project
        self.format = notebook_format
        self.env = env
        self.origin = root / "origin.git"
        run("git", "clone", "--quiet", "--bare", project, self.origin, cwd=root)

    def clone(self, name: str, setup: bool = True) -> Path:
        clone = self.root / name
        run("git", "clone", "--quiet", self.origin, clone, cwd=self.root)
        (clone / ".venv").symlink_to(self.project / ".venv")
        if setup:
            run("make", "hooks", cwd=clone, env=self.env)
        return clone

    # Notebooks -------------------------------------------------------------------------

    def tracked(self, name: str) -> str:
        suffix = "ipynb" if self.format == "ipynb" else "py"
        return f"notebooks/{name}.{suffix}"

    def save_run(self, clone: Path, name: str, sources: list[str]) -> None:
        """Write the notebook as Jupyter saves it after running every cell."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        for count, source in enumerate(sources, start=1):
            cell = nbformat.v4.new_code_cell(source, execution_count=count)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"run {count}\n")]
            notebook.cells.append(cell)
        path = clone / "notebooks" / f"{name}.ipynb"
        nbformat.write(notebook, path)
        if self.format == "jupytext":  # Jupyter with jupytext saves the paired file too
            self.jupytext(clone, "--sync", path)

    def jupytext(self, clone: Path, *args) -> None:
        run(clone / ".venv" / "bin" / "jupytext", "--quiet", *args, cwd=clone, env=self.env)

    def sources_of_text(self, text: str) -> list[str]:
        fmt = "ipynb" if self.format == "ipynb" else "py:percent"
        notebook = jupytext.reads(text, fmt=fmt)
        return [cell.source for cell in notebook.cells if cell.cell_type == "code"]

    def committed_sources(self, clone: Path, name: str, rev: str = "HEAD") -> list[str]:
        return self.sources_of_text(git(clone, "show", f"{rev}:{self.tracked(name)}"))

    def working_sources(self, clone: Path, name: str) -> list[str]:
        return self.sources_of_text((clone / self.tracked(name)).read_text())

    def local_outputs(self, clone: Path, name: str) -> list[list]:
        notebook = json.loads((clone / "notebooks" / f"{name}.ipynb").read_text())
        return [cell["outputs"] for cell in notebook["cells"]]

    # Git --------------------------------------------------------------------------------

    def commit(self, clone: Path, message: str, name: str, *extra: str):
        git(clone, "add", self.tracked(name))
        return subprocess.run(
            ["git", "commit", "-m", message, *extra],
            cwd=clone, env=self.env, capture_output=True, text=True,
        )  # fmt: skip

    def commit_ok(self, clone: Path, message: str, name: str) -> None:
        result = self.commit(clone, message, name)
        assert result.returncode == 0, result.stdout + result.stderr

    def merge_to_main(self, clone: Path, branch: str) -> None:
        """What merging an approved pull request does: main gains the branch, origin too."""
        git(clone, "switch", "--quiet", "main")
        git(clone, "pull", "--quiet", "--rebase", "origin", "main")
        git(clone, "merge", "--quiet", "--no-ff", "--no-edit", branch)
        git(clone, "push", "--quiet", "origin", "main")

    def seed(self, name: str = "analysis", sources: list[str] = BASE) -> None:
        lead = self.clone(f"lead-{name}")
        git(lead, "switch", "--quiet", "-c", f"feature/{name}")
        self.save_run(lead, name, sources)
        self.commit_ok(lead, f"Add {name}", name)
        self.merge_to_main(lead, f"feature/{name}")


def git(clone: Path, *args: str, env: dict | None = None) -> str:
    return run("git", *args, cwd=clone, env=env).stdout


@pytest.fixture(scope="module", params=["ipynb", "jupytext"])
def installed(request, module_tmp, wheel_dir, pre_commit_home):
    """A project of the format with its dev tools installed (shared by the clones)."""
    env = generated_project_env(wheel_dir, pre_commit_home)
    project = bake_project(module_tmp("nb"), notebook_format=request.param)
    run("make", "install", cwd=project, env=env)
    commit_lock(project, env)
    return project, request.param, env


@pytest.fixture
def team(installed, tmp_path) -> Team:
    project, notebook_format, env = installed
    return Team(tmp_path, project, notebook_format, env)


def test_a_run_notebook_commits_its_sources_only(team):
    alice = team.clone("alice")
    git(alice, "switch", "--quiet", "-c", "feature/eda")
    team.save_run(alice, "eda", BASE)
    team.commit_ok(alice, "Add EDA notebook", "eda")

    assert team.committed_sources(alice, "eda") == BASE
    if team.format == "ipynb":
        blob = json.loads(git(alice, "show", "HEAD:notebooks/eda.ipynb"))
        assert all(cell["outputs"] == [] for cell in blob["cells"])
        assert all(cell["execution_count"] is None for cell in blob["cells"])
    else:
        assert git(alice, "ls-files", "notebooks/").split() == [
            "notebooks/README.md",
            "notebooks/eda.py",
        ]
    # As the docs say: the working copy keeps its outputs, and git sees nothing to commit.
    assert all(team.local_outputs(alice, "eda"))
    assert git(alice, "status", "--porcelain") == ""


def test_edits_to_different_cells_merge_without_conflict(team):
    team.seed()
    alice, bob = team.clone("alice"), team.clone("bob")
    git(alice, "switch", "--quiet", "-c", "feature/import")
    team.save_run(alice, "analysis", ["rate = 0.25", *BASE[1:]])
    team.commit_ok(alice, "Raise the rate", "analysis")
    git(alice, "push", "--quiet", "origin", "feature/import")
    git(bob, "switch", "--quiet", "-c", "feature/print")
    team.save_run(bob, "analysis", [*BASE[:2], 'print(f"{share:.1f}%")'])
    team.commit_ok(bob, "Print a percentage", "analysis")

    team.merge_to_main(alice, "feature/import")
    git(bob, "pull", "--quiet", "--no-rebase", "--no-edit", "origin", "main")

    assert team.committed_sources(bob, "analysis") == [
        "rate = 0.25",
        "share = rate * 100",
        'print(f"{share:.1f}%")',
    ]


def test_edits_to_one_cell_conflict_and_the_documented_resolution_resolves(team):
    team.seed()
    alice, bob = team.clone("alice"), team.clone("bob")
    for clone, value in ((alice, "100.0"), (bob, "1000")):
        git(clone, "switch", "--quiet", "-c", f"feature/scale-{value}")
        team.save_run(clone, "analysis", [BASE[0], f"share = rate * {value}", BASE[2]])
        team.commit_ok(clone, f"Scale by {value}", "analysis")
    git(alice, "push", "--quiet", "origin", "feature/scale-100.0")
    team.merge_to_main(alice, "feature/scale-100.0")

    merge = subprocess.run(
        ["git", "pull", "--no-rebase", "--no-edit", "origin", "main"],
        cwd=bob, env=team.env, capture_output=True, text=True,
    )  # fmt: skip
    assert merge.returncode != 0
    assert "CONFLICT" in merge.stdout

    # CONTRIBUTING.md: keep the right version of the cell, delete the marker lines, save,
    # git add, git commit. The conflicted notebook must still be readable to do so.
    path = bob / team.tracked("analysis")
    text = path.read_text()
    assert "<<<<<<<" in text and "=======" in text and ">>>>>>>" in text
    if team.format == "ipynb":
        notebook = nbformat.read(path, as_version=4)
        conflicted = [cell for cell in notebook.cells if "<<<<<<<" in cell.source]
        assert len(conflicted) == 1
        assert "rate * 100.0" in conflicted[0].source and "rate * 1000" in conflicted[0].source
        conflicted[0].source = "share = rate * 1000"
        nbformat.write(notebook, path)
    else:
        start, end = text.index("<<<<<<<"), text.index(">>>>>>>")
        path.write_text(text[:start] + "share = rate * 1000\n" + text[text.index("\n", end) + 1 :])
    team.commit_ok(bob, "Merge main", "analysis")
    if team.format == "jupytext":
        team.jupytext(bob, "--sync", path)

    assert team.committed_sources(bob, "analysis") == [BASE[0], "share = rate * 1000", BASE[2]]
    assert git(bob, "status", "--porcelain") == ""


def test_pull_keeps_the_teammates_change_and_every_local_source_edit(team):
    team.seed()
    alice, bob, carol = team.clone("alice"), team.clone("bob"), team.clone("carol")
    team.save_run(bob, "analysis", BASE)  # bob only runs the notebook
    edited = [*BASE[:2], "print(round(share, 1))"]
    team.save_run(carol, "analysis", edited)  # carol runs it and edits a cell

    git(alice, "switch", "--quiet", "-c", "feature/rate")
    team.save_run(alice, "analysis", ["rate = 0.3", *BASE[1:]])
    team.commit_ok(alice, "Raise the rate", "analysis")
    git(alice, "push", "--quiet", "origin", "feature/rate")
    team.merge_to_main(alice, "feature/rate")

    # Only run: with ipynb, git sees the size change and plain git pull refuses (losing
    # nothing); with jupytext, the tracked text is unchanged and plain git pull works.
    plain = subprocess.run(
        ["git", "pull", "--rebase"], cwd=bob, env=team.env, capture_output=True, text=True
    )
    if team.format == "ipynb":
        assert plain.returncode != 0
        assert "You have unstaged changes" in plain.stderr
        run("make", "pull", cwd=bob, env=team.env)
    else:
        assert plain.returncode == 0, plain.stderr
    assert team.working_sources(bob, "analysis") == ["rate = 0.3", *BASE[1:]]

    # Run and edited: plain git pull refuses rather than overwrite; make pull merges.
    plain = subprocess.run(
        ["git", "pull", "--rebase"], cwd=carol, env=team.env, capture_output=True, text=True
    )
    assert plain.returncode != 0
    assert team.working_sources(carol, "analysis") == edited
    run("make", "pull", cwd=carol, env=team.env)
    assert team.working_sources(carol, "analysis") == ["rate = 0.3", *edited[1:]]
    outputs = team.local_outputs(carol, "analysis")
    if team.format == "jupytext":
        # jupytext keeps the outputs of the cell that neither side changed.
        assert outputs[1] != []
    else:
        assert outputs == [[], [], []]  # documented: make pull drops the edited notebook's outputs


def test_rebasing_notebook_commits_onto_an_updated_main(team):
    team.seed()
    alice, bob = team.clone("alice"), team.clone("bob")
    git(bob, "switch", "--quiet", "-c", "feature/two-steps")
    team.save_run(bob, "analysis", [BASE[0], BASE[1], "print(share, rate)"])
    team.commit_ok(bob, "Print the rate too", "analysis")
    team.save_run(bob, "analysis", [BASE[0], "share = rate * 1000", "print(share, rate)"])
    team.commit_ok(bob, "Per mille", "analysis")

    git(alice, "switch", "--quiet", "-c", "feature/rate")
    team.save_run(alice, "analysis", ["rate = 0.3", *BASE[1:]])
    team.commit_ok(alice, "Raise the rate", "analysis")
    git(alice, "push", "--quiet", "origin", "feature/rate")
    team.merge_to_main(alice, "feature/rate")

    git(bob, "fetch", "--quiet", "origin")
    git(bob, "rebase", "origin/main")
    assert team.committed_sources(bob, "analysis") == [
        "rate = 0.3",
        "share = rate * 1000",
        "print(share, rate)",
    ]
    assert git(bob, "rev-list", "--count", "origin/main..HEAD").strip() == "2"
    assert git(bob, "status", "--porcelain") == ""


def test_a_clone_without_setup_is_refused_by_the_hook_and_flagged_in_ci(team):
    dave = team.clone("dave", setup=False)
    run(dave / ".venv" / "bin" / "pre-commit", "install", cwd=dave, env=team.env)  # hooks only
    git(dave, "switch", "--quiet", "-c", "feature/unfiltered")
    team.save_run(dave, "raw", BASE)
    git(dave, "add", "--force", "notebooks/raw.ipynb")

    refused = subprocess.run(
        ["git", "commit", "-m", "Add raw notebook"],
        cwd=dave, env=team.env, capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "NB001" in refused.stderr
    assert "make setup" in refused.stderr

    git(dave, "commit", "--quiet", "--no-verify", "-m", "Add raw notebook", env=team.env)
    git(dave, "push", "--quiet", "origin", "feature/unfiltered")
    ci = team.root / "ci"
    run("git", "clone", "--quiet", "--branch", "feature/unfiltered", team.origin, ci, cwd=team.root)
    check = subprocess.run(
        [team.project / ".venv" / "bin" / "mlprod", "check", str(ci), "--select", "NB001"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 1
    assert "notebooks/raw.ipynb: NB001" in check.stdout


def test_git_keeps_working_without_the_filter_program(team):
    team.seed()
    erin = team.clone("erin")
    git(erin, "switch", "--quiet", "-c", "feature/outside-venv")
    bare_path = dict(team.env, PATH="/usr/bin:/bin")

    # A GUI client whose PATH lacks the virtual environment: the filter still strips.
    team.save_run(erin, "analysis", [*BASE[:2], "print(share / 2)"])
    git(erin, "add", team.tracked("analysis"), env=bare_path)
    git(erin, "commit", "--quiet", "-m", "Halve", env=bare_path)
    if team.format == "ipynb":
        blob = json.loads(git(erin, "show", "HEAD:notebooks/analysis.ipynb"))
        assert all(cell["outputs"] == [] for cell in blob["cells"])

    # The tools gone entirely: every git operation still succeeds (hooks aside).
    (erin / ".venv").unlink()
    path = erin / team.tracked("analysis")
    path.write_text(path.read_text().replace("share / 2", "share / 4"))
    git(erin, "status", "--porcelain")
    assert "share / 4" in git(erin, "diff")
    git(erin, "stash")
    git(erin, "stash", "pop")
    git(erin, "add", team.tracked("analysis"))
    git(erin, "commit", "--quiet", "--no-verify", "-m", "Quarter")
    git(erin, "switch", "--quiet", "main")
    git(erin, "pull", "--quiet", "--rebase")
    git(erin, "switch", "--quiet", "-c", "feature/merge-without-tools")
    git(erin, "merge", "--quiet", "--no-edit", "feature/outside-venv")
    assert team.working_sources(erin, "analysis")[2] == "print(share / 4)"
