"""OSV records for the audit's tests.

data/osv/GHSA-*.json are reduced copies of real advisories (ids, aliases, package and range
as GitHub published them; only the fields the audit reads). data/osv/synthetic/ holds made-up
records (ids TEST-*) for the range rules that no real advisory shows in one place.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

OSV_DIR = Path(__file__).parent / "data" / "osv"


def records() -> list[Path]:
    return sorted(OSV_DIR.rglob("*.json"))


def record(name: str) -> dict:
    (path,) = [path for path in records() if path.stem == name]
    return json.loads(path.read_text(encoding="utf-8"))


def write_zip(target: Path) -> Path:
    """The records as osv.dev publishes them: flat JSON files in one zip."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in records():
            archive.write(path, path.name)
    return target


@pytest.fixture
def osv_zip(tmp_path) -> Path:
    return write_zip(tmp_path / "all.zip")


@pytest.fixture
def requirements(tmp_path):
    """requirements(text) -> path of a requirements file holding it."""

    def write(text: str, name: str = "requirements.txt") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
