"""The post-generation hook: first commit, and a complete project even without git."""

from __future__ import annotations

import subprocess
import sys


def test_without_git_the_project_is_complete_and_the_hook_says_what_to_run(tmp_path):
    env = {"PATH": str(tmp_path / "no-such-dir"), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    project = tmp_path / "my-ml-project"
    assert (project / "Makefile").is_file()
    assert not (project / ".git").exists()
    assert "warning: git was not found" in result.stdout
    assert "git init -b main && git add -A && git commit" in result.stdout


def test_next_steps_are_printed(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "make setup" in result.stdout
    assert "git switch -c feature/" in result.stdout
