"""`mlprod update`: the command line, its refusals and its report."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from mlprod.errors import UsageError
from mlprod.new import validate_options
from mlprod.update.base import from_history, render_message, rendered_again
from mlprod.update.git import Git
from mlprod.update.infer import infer_answers, with_new_options
from mlprod.update.merge import Outcome, merge, preview
from mlprod.update.record import RECORD, Record
from mlprod.update.render import Template, open_template, render

PROTECTED_BRANCH = "main"
UNRECORDED_VERSION = "0.1.0"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", type=Path, help="the project (default .)")
    parser.add_argument(
        "--template", metavar="SRC", help="a template clone or URL (default: the bundled one)"
    )
    parser.add_argument("--checkout", metavar="REF", help="branch, tag or commit of --template")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change an answer, e.g. --set deployment=both (repeatable)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would change and conflict; change nothing"
    )
    parser.set_defaults(func=run)


def open_project(path: Path) -> Git:
    result = Git(path).run("rev-parse", "--show-toplevel") if path.is_dir() else None
    if result is None or result.returncode != 0:
        raise UsageError(f"{path} is not a git repository; run mlprod update in a project")
    return Git(Path(result.stdout.strip()))


def refuse_unless_ready(git: Git) -> None:
    if git.run("rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise UsageError("the repository has no commit yet; commit the generated project first")
    branch = git.run("symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if branch == PROTECTED_BRANCH:
        raise UsageError(
            f"on branch {PROTECTED_BRANCH}, which takes changes only through review; "
            "run git switch -c update/template first"
        )
    if git("status", "--porcelain=v1", "--untracked-files=no").strip():
        raise UsageError(
            "the work tree has uncommitted changes; commit or stash them (git stash) first"
        )


def recorded(git: Git, sets: list[str], template: Template) -> tuple[Record, dict[str, str]]:
    """The project's record and the answers `--set` changes.

    A 0.1.0 project has no record: one is made from its files, and a `--set` answer its
    files do not show is an answer of the old render too, not a change.
    """
    given = validate_options(sets, template.options)
    text = git.show("HEAD", RECORD)
    if text is not None:
        try:
            return Record.parse(text), given
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"{RECORD} is not a record of mlprod-template (no context.cookiecutter with "
                f"_mlprod_version); restore it from history, e.g. git log -p -- {RECORD}"
            ) from None
    first = from_history(git, None, UNRECORDED_VERSION)
    answers = infer_answers(lambda path: git.show(first or "HEAD", path))
    missing = [key for key in template.options if key not in answers and key not in given]
    if missing:
        raise UsageError(
            f"this project has no {RECORD} and its files do not show {', '.join(missing)}; "
            f"give them with --set, e.g. --set {missing[0]}=VALUE"
        )
    changes = {key: value for key, value in given.items() if key in answers}
    answers.update({key: value for key, value in given.items() if key not in answers})
    return Record("", f"v{UNRECORDED_VERSION}", answers, UNRECORDED_VERSION), changes


def missing_base(record: Record) -> str:
    source = record.template or "the mlprod template"
    return (
        f"the render of mlprod-template {record.version} this project was made from is not "
        "in this clone's history and no template at hand renders it; run make setup (it "
        f"installs mlprod {record.version} in .venv), or pass --template <a clone of {source}>"
    )


def run(args: argparse.Namespace) -> int:
    git = open_project(args.path)
    refuse_unless_ready(git)
    with tempfile.TemporaryDirectory(prefix="mlprod-update-") as scratch_dir:
        scratch = Path(scratch_dir)
        template = open_template(args.template, args.checkout, scratch)
        record, changes = recorded(git, args.sets, template)
        # The new render first: rendering the old one may check out another commit of a
        # template clone.
        answers = with_new_options(record.answers, template.options, lambda p: git.show("HEAD", p))
        new_tree = render(template, {**answers, **changes}, git, scratch)
        # A 0.1.0 project's record is made from its files: it names no template.
        recorded_render = record if record.template else None
        base = from_history(git, recorded_render, record.version) or rendered_again(
            git, record, template, scratch
        )
        if base is None:
            raise UsageError(missing_base(record))
        if new_tree == git("rev-parse", f"{base}^{{tree}}").strip():
            print(f"mlprod update: already up to date with mlprod-template {template.version}")
            return 0
        render_commit = git.commit_tree(new_tree, render_message(template.version), base)
        old = record.version if record.is_release else f"{record.version} ({record.commit[:7]})"
        new = f"{template.version} ({template.commit[:7]})" if template.commit else template.version
        title = f"mlprod-template {old} -> {new}"
        if changes:
            title += " (set " + " ".join(f"{key}={value}" for key, value in changes.items()) + ")"
        if args.dry_run:
            return report(preview(git, render_commit, record.skip), title, dry_run=True)
        outcome = merge(git, render_commit, f"Update to {title}\n", record.skip)
        return report(outcome, title, dry_run=False)


def report(outcome: Outcome, title: str, dry_run: bool) -> int:
    verb = "would merge" if dry_run else "merged"
    if not outcome.changed and not outcome.conflicts:
        print(f"mlprod update: {title}: the project already has every change")
        return 0
    count = len(outcome.conflicts)
    state = f"with {count} conflict{'s' if count > 1 else ''}" if count else "cleanly"
    print(f"mlprod update: {verb} {title} {state}")
    for status, path in outcome.changed:
        print(f"  {status} {path}")
    for kind, path in outcome.conflicts:
        print(f"  conflict ({kind}): {path}")
    if dry_run:
        print("Nothing was changed (--dry-run).")
    elif outcome.conflicts:
        print(
            "Resolve each conflict (edit out the <<<<<<< ======= >>>>>>> markers, or "
            "git mergetool), then git add (or git rm) it; make test && make lint; git commit. "
            "To abandon the update: git merge --abort"
        )
    else:
        print("Left uncommitted for review: git diff --cached; make test && make lint; git commit")
    return 1 if outcome.conflicts else 0
