"""Running git in a project, with errors that say which command failed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlprod.errors import UsageError

# Commits that hold a pristine render are made by mlprod, whoever runs it, so that their
# hashes depend only on the render and on their parent.
RENDER_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlprod-template",
    "GIT_AUTHOR_EMAIL": "mlprod-template@localhost",
    "GIT_COMMITTER_NAME": "mlprod-template",
    "GIT_COMMITTER_EMAIL": "mlprod-template@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}


class Git:
    """git with its working directory fixed."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", *args],
            cwd=self.cwd,
            env=None if env is None else {**os.environ, **env},
            capture_output=True,
            text=True,
        )

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> str:
        """stdout of a git command that must succeed (a failure is a bug or a broken repo)."""
        result = self.run(*args, env=env)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise UsageError(f"git {args[0]} failed in {self.cwd}: {reason}")
        return result.stdout

    def path(self, name: str) -> Path:
        """Where a file of the repository's git directory is (MERGE_MSG, shallow, ...)."""
        path = Path(self("rev-parse", "--git-path", name).strip())
        return path if path.is_absolute() else self.cwd / path

    def show(self, rev: str, path: str) -> str | None:
        """A file's text at a revision, or None where it does not exist."""
        result = self.run("show", f"{rev}:{path}")
        return result.stdout if result.returncode == 0 else None

    def commit_tree(self, tree: str, message: str, *parents: str) -> str:
        args = ["commit-tree", tree, "-m", message]
        for parent in parents:
            args += ["-p", parent]
        return self(*args, env=RENDER_IDENTITY).strip()
