"""Finding the old render: the pristine tree the template gave for the recorded answers.

The three-way merge needs, as its base, the files exactly as the template rendered them
for this project. They are looked for, in order:

1. in the project's history: its first commit (the hook commits the pristine render) and
   the render commits that earlier updates merged (marked with a `Mlprod-Render:` line);
2. by rendering the recorded answers again with a template that renders the recorded
   version: the installed mlprod's, the one in the project's `.venv` (the dev dependencies
   pin the generating version, so every set-up clone holds it), or `--template` at the
   recorded commit. This needs only the record in the current tree, so it survives squash
   merges, rebases and shallow clones, offline.
"""

from __future__ import annotations

from pathlib import Path

from mlprod.update.git import RENDER_IDENTITY, Git
from mlprod.update.record import RECORD, Record
from mlprod.update.render import Template, bundled, installed_in, render, switch

FIRST_COMMIT = "Initial commit from mlprod-template "
RENDER_TRAILER = "Mlprod-Render: "
RENDER_COMMITTER = (
    f"{RENDER_IDENTITY['GIT_COMMITTER_EMAIL']} {RENDER_IDENTITY['GIT_COMMITTER_DATE']}"
)


def render_message(version: str) -> str:
    return f"mlprod-template {version}\n\n{RENDER_TRAILER}{version}\n"


def from_history(git: Git, record: Record | None, version: str) -> str | None:
    """A pristine render commit of this record (or, with no record, of `version`)."""
    shallow_file = git.path("shallow")
    shallow = set(shallow_file.read_text().split()) if shallow_file.is_file() else set()
    roots = git("rev-list", "--max-parents=0", "HEAD").split()
    marked = git("rev-list", "--all", f"--grep=^{RENDER_TRAILER}").split()
    for commit in dict.fromkeys(roots + marked):
        if commit in shallow:
            continue
        log = git("log", "-1", "--format=%s%n%ce %cI%n%aI", commit)
        subject, committer, authored = log.splitlines()
        # A rebase, cherry-pick or amend copies a render commit's message onto other files
        # and makes the user its committer, at a later date: only the hook's first commit,
        # as made, and the commits mlprod made are renders.
        if commit in roots:
            if not subject.startswith(FIRST_COMMIT) or committer.split()[-1] != authored:
                continue
        elif committer != RENDER_COMMITTER:
            continue
        text = git.show(commit, RECORD)
        if record is None:
            if text is None and subject == FIRST_COMMIT + version:
                return commit
        elif text is not None and Record.parse(text).same_render(record):
            return commit
    return None


def rendering_templates(record: Record, project: Path, given: Template | None):
    """Templates that render the recorded version, best first."""
    if given is not None and given.is_git and switch(given.path, record.commit):
        yield Template.at(given.path, source=record.template, commit=record.commit,
                          checkout=record.checkout)  # fmt: skip
        return
    if record.is_release:
        for template in (bundled(), installed_in(project)):
            if template is not None and template.version == record.version:
                yield template


def rendered_again(git: Git, record: Record, given: Template | None, scratch: Path) -> str | None:
    """A commit of the recorded answers rendered again, or None if no template renders them."""
    for template in rendering_templates(record, git.cwd, given):
        pin = record if template.is_git else None
        tree = render(template, record.answers, git, scratch, pin=pin)
        return git.commit_tree(tree, render_message(record.version))
    return None
