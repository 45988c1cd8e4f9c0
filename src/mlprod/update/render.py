"""Rendering the template with a project's answers, into a tree of the project's repository.

Each render runs stock cookiecutter with the template's own hooks, exactly as `mlprod new`
does, so option-driven pruning is the template version's own. The render is committed in
a scratch repository the way the post-generation hook commits a new project, and its tree
is fetched into the project: two renders of the same files give the same tree hash.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import UsageError
from mlprod.template import template_dir
from mlprod.update.git import RENDER_IDENTITY, Git
from mlprod.update.record import VERSION_KEY, Record, pin_source


@dataclass
class Template:
    """A directory holding `cookiecutter.json`, and where it came from."""

    path: Path
    version: str
    options: dict[str, object]
    # For a git repository: the source as given, the checked-out commit and the ref asked for.
    source: str | None = None
    commit: str | None = None
    checkout: str | None = None

    @classmethod
    def at(cls, path: Path, **origin: str | None) -> Template:
        try:
            context = json.loads((path / "cookiecutter.json").read_text(encoding="utf-8"))
            version = str(context[VERSION_KEY])
        except (OSError, ValueError, KeyError):
            raise UsageError(
                f"{origin.get('source') or path} is not an mlprod template (no cookiecutter.json "
                f"with {VERSION_KEY}); give a clone of the mlprod template"
            ) from None
        options = {key: value for key, value in context.items() if not key.startswith("_")}
        return cls(path, version, options, **origin)

    @property
    def is_git(self) -> bool:
        return self.commit is not None


def bundled() -> Template:
    return Template.at(template_dir())


def installed_in(project: Path) -> Template | None:
    """The template of the `mlprod` a set-up clone installed in its `.venv` (its pin)."""
    for path in sorted(project.glob(".venv/lib/python3*/site-packages/mlprod/template")):
        return Template.at(path)
    return None


def clone(source: str, checkout: str | None, into: Path) -> Template:
    """Clone a template repository (a path or a URL) and check out `checkout` or its HEAD."""
    result = subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", source, str(into)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise UsageError(f"cannot clone the template {source}: {reason}")
    ref = checkout or "HEAD"
    if not switch(into, ref):
        raise UsageError(f"--checkout {checkout} is not a branch, tag or commit of {source}")
    commit = Git(into)("rev-parse", "HEAD").strip()
    return Template.at(into, source=source, commit=commit, checkout=checkout)


def switch(repository: Path, ref: str) -> bool:
    """Check out `ref` (detached) in a template clone; False if it has no such ref."""
    return Git(repository).run("checkout", "--quiet", "--detach", ref).returncode == 0


def open_template(source: str | None, checkout: str | None, scratch: Path) -> Template:
    if source is None:
        if checkout:
            raise UsageError(
                "--checkout needs --template; e.g. --template <clone or URL> --checkout v0.3.0"
            )
        return bundled()
    local = Path(source).expanduser()
    if local.is_dir() and not (local / ".git").exists():
        if checkout:
            raise UsageError(f"--checkout needs a git repository, and {source} is not one")
        return Template.at(local.resolve())
    resolved = str(local.resolve()) if local.is_dir() else source
    return clone(resolved, checkout, scratch / "template")


def render(
    template: Template,
    answers: dict[str, str],
    project: Git,
    scratch: Path,
    pin: Record | None = None,
) -> str:
    """Render, commit in a scratch repository, fetch into the project; return the tree hash.

    `pin` records where a render from a git repository came from: the template, commit and
    checkout of an existing record, or, by default, the template's own.
    """
    out = Path(tempfile.mkdtemp(prefix="render-", dir=scratch))
    config = out / "cookiecutter-config.yaml"
    # Replays and clones stay in the scratch directory, not in the user's home.
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(out / 'clones'))}\n"
        f"replay_dir: {json.dumps(str(out / 'replay'))}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
        + ["-o", str(out / "project"), str(template.path)]
        + [f"{key}={value}" for key, value in answers.items()],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        # The pre-generation hook prints `error: <what and how to fix>`, as for `mlprod new`.
        reasons = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        reason = reasons[0].removeprefix("error: ") if reasons else result.stderr.strip()
        raise UsageError(reason)
    (tree,) = (out / "project").iterdir()
    if template.is_git:
        if pin is None:
            pin_source(tree, template.source or "", template.commit or "", template.checkout)
        else:
            pin_source(tree, pin.template, pin.commit, pin.checkout)
    scratch_git = Git(tree)
    # The hook's first commit holds the render; where it made none, commit it here.
    if scratch_git.run("rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        shutil.rmtree(tree / ".git", ignore_errors=True)
        scratch_git("init", "--quiet")
    scratch_git("add", "--all")
    if scratch_git.run("diff", "--cached", "--quiet", "HEAD").returncode != 0:
        scratch_git("commit", "--quiet", "--no-verify", "-m", "render", env=RENDER_IDENTITY)
    project("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", str(tree), "HEAD")
    return scratch_git("rev-parse", "HEAD^{tree}").strip()
