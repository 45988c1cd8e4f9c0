"""Merging a render commit into the project with git's own three-way merge.

`git cherry-pick --no-commit R`, where R is the new render and R's parent the old one,
is exactly the merge an update needs: base = old render, theirs = new render, ours = HEAD.
git's merge machinery then does what users know from any merge: rename detection, the
project's merge drivers (nbdime for notebooks), conflict markers with unmerged index
entries. MERGE_HEAD is then set to R, so that the user's `git commit` records the new
render as a second parent and the next update finds it in the history.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import UsageError
from mlprod.update.git import Git

CONFLICT_KINDS = {
    "UU": "both modified",
    "AA": "both added",
    "DU": "deleted by the project, changed by the template",
    "UD": "changed by the project, deleted by the template",
    "AU": "added by the project",
    "UA": "added by the template",
    "DD": "deleted by both",
}


@dataclass(frozen=True)
class Outcome:
    changed: list[tuple[str, str]]  # (status letter, path) of the merged, staged changes
    conflicts: list[tuple[str, str]]  # (kind, path) of the unmerged paths


def pick(git: Git, render_commit: str, skip: tuple[str, ...]) -> Outcome:
    result = git.run("cherry-pick", "--no-commit", render_commit)
    if result.returncode != 0 and not outcome_of(git).conflicts:
        # Not a conflict: git refused to start, e.g. an untracked file is in the way.
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = " ".join(line.strip() for line in lines[:4])
        raise UsageError(f"git could not merge the template changes: {detail}")
    keep_skipped(git, skip)
    return outcome_of(git)


def keep_skipped(git: Git, skip: tuple[str, ...]) -> None:
    """The paths the record's `skip` lists (cruft's convention) stay as the project has them."""
    for path in skip:
        if git.run("cat-file", "-e", f"HEAD:{path}").returncode == 0:
            git("checkout", "HEAD", "--", path)
        else:
            git("rm", "-r", "--quiet", "--force", "--ignore-unmatch", "--", path)


def outcome_of(git: Git) -> Outcome:
    conflicts = []
    for line in git("status", "--porcelain=v1", "--untracked-files=no").splitlines():
        if line[:2] in CONFLICT_KINDS:
            conflicts.append((CONFLICT_KINDS[line[:2]], line[3:]))
    changed = []
    for line in git("diff", "--cached", "--name-status", "--find-renames", "HEAD").splitlines():
        status, *paths = line.split("\t")
        if status[0] != "U":
            changed.append((status[0], " -> ".join(paths)))
    return Outcome(changed, conflicts)


def merge(git: Git, render_commit: str, message: str, skip: tuple[str, ...]) -> Outcome:
    """Merge into the work tree and index, leaving the result uncommitted."""
    outcome = pick(git, render_commit, skip)
    merge_msg = git.path("MERGE_MSG")
    if outcome.changed or outcome.conflicts:
        git.path("MERGE_HEAD").write_text(render_commit + "\n")
        merge_msg.write_text(message)
    else:
        # cherry-pick writes MERGE_MSG even with nothing to apply; the user's next commit
        # would then open with the update's message.
        merge_msg.unlink(missing_ok=True)
    return outcome


def preview(git: Git, render_commit: str, skip: tuple[str, ...]) -> Outcome:
    """The outcome of the merge, computed in a temporary work tree: the project is untouched."""
    with tempfile.TemporaryDirectory(prefix="mlprod-update-") as scratch:
        tree = Path(scratch) / "worktree"
        git("worktree", "add", "--quiet", "--detach", str(tree), "HEAD")
        try:
            venv = git.cwd / ".venv"
            if venv.is_dir():  # the notebook merge driver runs from the project's .venv
                (tree / ".venv").symlink_to(venv)
            return pick(Git(tree), render_commit, skip)
        finally:
            with contextlib.suppress(UsageError):
                git("worktree", "remove", "--force", str(tree))
            git.run("worktree", "prune")
