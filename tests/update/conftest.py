"""Fixtures of the update tests: commits need an identity even where git has none."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "mlprod tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@example.com")


@pytest.fixture(autouse=True)
def outside_any_repository(tmp_path, monkeypatch):
    """git run in the wrong directory then fails here instead of touching this checkout."""
    monkeypatch.chdir(tmp_path)
