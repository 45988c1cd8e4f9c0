"""The three-way merge of a render commit, on small real repositories.

Each test builds the history an update meets: an old render (the base), the new render as
a commit whose parent is the old one, and the team's branch from the old render.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mlprod.errors import UsageError
from mlprod.update.git import Git
from mlprod.update.merge import Outcome, merge, outcome_of, preview

MESSAGE = "Update to mlprod-template 0.1.0 -> 0.2.0\n"


def write(repo: Path, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def commit(git: Git, message: str) -> str:
    git("add", "--all")
    git("commit", "--quiet", "--no-verify", "-m", message)
    return git("rev-parse", "HEAD").strip()


def history(tmp_path: Path, base: dict[str, str], template: dict, team: dict) -> tuple[Git, str]:
    """A project on a feature branch with the team's changes, and the new render's commit."""
    repo = tmp_path / "project"
    repo.mkdir()
    git = Git(repo)
    git("init", "--quiet", "--initial-branch=main")
    git("config", "diff.renames", "false")  # a user's setting the report must not follow
    write(repo, base)
    commit(git, "Initial commit from mlprod-template 0.1.0")
    git("switch", "--quiet", "-c", "render")
    write(repo, template)
    render = commit(git, "mlprod-template 0.2.0")
    git("switch", "--quiet", "main")
    git("switch", "--quiet", "-c", "feature/update")
    write(repo, team)
    if team:
        commit(git, "Team work")
    return git, render


def state(git: Git) -> tuple[str, str, bytes, bool]:
    """What an update may change: work tree, HEAD, index, a merge in progress."""
    status = git("status", "--porcelain=v1", "--untracked-files=all")
    index = (git.cwd / ".git" / "index").read_bytes()
    merging = (git.cwd / ".git" / "MERGE_HEAD").exists()
    return status, git("rev-parse", "HEAD"), index, merging


BASE = {
    "README.md": "# Project\n\nDescription.\n\nUsage.\n",
    "Makefile": "test:\n\tpytest\n",
    "docs/guide.md": "The guide, long enough to be recognised when it moves.\n" * 5,
    "docs/old.md": "An old page.\n",
    "my notes.txt": "one\n",
}
TEMPLATE = {
    "Makefile": "test:\n\tpytest -q\n",
    "docs/guide.md": None,
    "docs/handbook.md": "The guide, long enough to be recognised when it moves.\n" * 5,
    "docs/old.md": None,
    "docs/runbook.md": "What to do.\n",
    "my notes.txt": "one\ntwo\n",
}

# What merging TEMPLATE into BASE changes, as `git status` names it.
TEMPLATE_CHANGES = [
    ("M", "Makefile"),
    ("R", "docs/guide.md -> docs/handbook.md"),
    ("D", "docs/old.md"),
    ("A", "docs/runbook.md"),
    ("M", "my notes.txt"),
]


def test_a_clean_merge_stages_every_template_change_and_records_the_render(tmp_path):
    git, render = history(tmp_path, BASE, TEMPLATE, {"README.md": "# Project\n\nOurs.\n"})
    outcome = merge(git, render, MESSAGE, ())
    assert outcome == Outcome(changed=TEMPLATE_CHANGES, conflicts=[])
    assert (git.cwd / "Makefile").read_text() == "test:\n\tpytest -q\n"
    assert (git.cwd / "README.md").read_text() == "# Project\n\nOurs.\n"
    assert not (git.cwd / "docs" / "old.md").exists()
    # Left for the user's `git commit`, which then records the render as a second parent.
    assert (git.cwd / ".git" / "MERGE_HEAD").read_text() == render + "\n"
    assert (git.cwd / ".git" / "MERGE_MSG").read_text() == MESSAGE
    assert git("rev-parse", "HEAD") == git("rev-parse", "feature/update")


def test_conflicts_are_listed_by_kind_and_kept_out_of_the_changes(tmp_path):
    git, render = history(
        tmp_path,
        BASE,
        TEMPLATE,
        {"Makefile": "test:\n\tpytest -x\n", "docs/old.md": "Our page now.\n"},
    )
    outcome = merge(git, render, MESSAGE, ())
    assert outcome.conflicts == [
        ("both modified", "Makefile"),
        ("changed by the project, deleted by the template", "docs/old.md"),
    ]
    assert outcome.changed == [
        ("R", "docs/guide.md -> docs/handbook.md"),
        ("A", "docs/runbook.md"),
        ("M", "my notes.txt"),
    ]
    assert "<<<<<<<" in (git.cwd / "Makefile").read_text()
    assert (git.cwd / ".git" / "MERGE_HEAD").read_text() == render + "\n"


def test_the_status_of_a_conflict_the_project_deleted_names_the_project(tmp_path):
    git, render = history(tmp_path, BASE, TEMPLATE, {"Makefile": None})
    assert outcome_of_merge(git, render).conflicts == [
        ("deleted by the project, changed by the template", "Makefile")
    ]


def outcome_of_merge(git: Git, render: str) -> Outcome:
    git.run("cherry-pick", "--no-commit", render)
    return outcome_of(git)


def test_a_merge_with_nothing_to_change_leaves_no_merge_in_progress(tmp_path):
    git, render = history(tmp_path, BASE, TEMPLATE, TEMPLATE)
    before = state(git)
    assert merge(git, render, MESSAGE, ()) == Outcome([], [])
    assert state(git) == before
    assert not (git.cwd / ".git" / "MERGE_MSG").exists()
    assert not (git.cwd / ".git" / "MERGE_HEAD").exists()


def test_an_untracked_file_in_the_way_is_refused_with_gits_reason(tmp_path):
    git, render = history(tmp_path, BASE, TEMPLATE, {})
    write(git.cwd, {"docs/runbook.md": "Our own, not committed.\n"})
    before = state(git)
    with pytest.raises(UsageError) as refused:
        merge(git, render, MESSAGE, ())
    assert str(refused.value) == (
        "git could not merge the template changes: error: The following untracked working "
        "tree files would be overwritten by merge: docs/runbook.md Please move or remove "
        "them before you merge. Aborting"
    )
    assert state(git) == before
    assert (git.cwd / "docs" / "runbook.md").read_text() == "Our own, not committed.\n"


SKIP_BASE = {
    **BASE,
    "kept.md": "Ours, whatever the template says.\n",
    "-kept.md": "A path that looks like an option.\n",
}
SKIP_TEMPLATE = {
    **TEMPLATE,
    "kept.md": "The template's new text.\n",
    "-kept.md": "The template's text of it.\n",
    "-draft.md": "A draft the template ships.\n",
    "examples/a.md": "Example a.\n",
    "examples/b.md": "Example b.\n",
}
SKIP = ("kept.md", "-kept.md", "-draft.md", "examples", "never/was/here.md")


def test_skipped_paths_stay_as_the_project_has_them(tmp_path):
    git, render = history(tmp_path, SKIP_BASE, SKIP_TEMPLATE, {})
    outcome = merge(git, render, MESSAGE, SKIP)
    # In the project: left as it is. Not in it: the template's file is not added.
    assert (git.cwd / "kept.md").read_text() == "Ours, whatever the template says.\n"
    assert (git.cwd / "-kept.md").read_text() == "A path that looks like an option.\n"
    assert not (git.cwd / "-draft.md").exists()
    assert not (git.cwd / "examples").exists()
    assert outcome == Outcome(changed=TEMPLATE_CHANGES, conflicts=[])


def test_a_skipped_path_the_team_changed_keeps_the_teams_text_not_a_conflict(tmp_path):
    git, render = history(tmp_path, SKIP_BASE, SKIP_TEMPLATE, {"kept.md": "Our edit.\n"})
    outcome = merge(git, render, MESSAGE, ("kept.md",))
    assert outcome.conflicts == []
    assert ("M", "kept.md") not in outcome.changed
    assert (git.cwd / "kept.md").read_text() == "Our edit.\n"
    assert git("diff", "--cached", "--", "kept.md") == ""


MERGE_DRIVER = "#!/bin/sh\nprintf 'merged by the project driver\\n' > \"$2\"\n"


def project_with_a_merge_driver(tmp_path: Path) -> tuple[Git, str]:
    """Both sides change Makefile; the project's merge driver, in its .venv, resolves it."""
    git, render = history(
        tmp_path,
        {**BASE, ".gitattributes": "Makefile merge=project\n"},
        TEMPLATE,
        {"Makefile": "test:\n\tpytest -x\n"},
    )
    driver = git.cwd / ".venv" / "bin" / "merge-driver"
    driver.parent.mkdir(parents=True)
    driver.write_text(MERGE_DRIVER)
    driver.chmod(driver.stat().st_mode | stat.S_IXUSR)
    git("config", "merge.project.driver", ".venv/bin/merge-driver %O %A %B")
    (git.cwd / ".git" / "info" / "exclude").write_text(".venv/\n")
    return git, render


def worktrees(git: Git) -> list[str]:
    return [
        line
        for line in git("worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_preview_gives_the_merges_outcome_and_leaves_the_project_untouched(tmp_path):
    git, render = project_with_a_merge_driver(tmp_path)
    before = state(git)
    outcome = preview(git, render, ("docs/runbook.md",))
    # The driver ran from the project's .venv: Makefile merged, no conflict.
    assert outcome == Outcome(
        changed=[
            ("M", "Makefile"),
            ("R", "docs/guide.md -> docs/handbook.md"),
            ("D", "docs/old.md"),
            ("M", "my notes.txt"),
        ],
        conflicts=[],
    )
    assert state(git) == before
    assert (git.cwd / "Makefile").read_text() == "test:\n\tpytest -x\n"
    # The temporary work tree is gone, and git no longer knows it.
    assert worktrees(git) == [f"worktree {git.cwd}"]
    assert not (git.cwd / ".git" / "worktrees").exists() or not any(
        (git.cwd / ".git" / "worktrees").iterdir()
    )
    assert merge(git, render, MESSAGE, ("docs/runbook.md",)) == outcome
    assert (git.cwd / "Makefile").read_text() == "merged by the project driver\n"


def test_preview_lists_a_conflict_without_leaving_a_merge_behind(tmp_path):
    git, render = history(tmp_path, BASE, TEMPLATE, {"Makefile": "test:\n\tpytest -x\n"})
    before = state(git)
    outcome = preview(git, render, ())
    assert outcome.conflicts == [("both modified", "Makefile")]
    assert state(git) == before
    assert worktrees(git) == [f"worktree {git.cwd}"]
