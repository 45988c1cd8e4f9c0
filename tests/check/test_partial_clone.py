"""Partial clones: the blobs the audit needs arrive in one fetch; one that cannot arrive is
reported as a note, never skipped in silence."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from check.conftest import CLEAN_NOTEBOOK, Repo, run_check


@pytest.fixture
def sparse_clone(repo: Repo, tmp_path: Path) -> Path:
    """A `--filter=blob:none --sparse` clone: the notebooks' blobs are not in it."""
    notebook = json.loads(json.dumps(CLEAN_NOTEBOOK))
    notebook["cells"][1]["execution_count"] = 1
    for n in range(5):
        repo.add(f"notebooks/run_{n}.ipynb", json.dumps(notebook) + " " * n)
    repo.git("commit", "-qm", "notebooks")
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--sparse", f"file://{repo.root}", clone],
        check=True,
    )
    return clone


def local_blobs(clone: Path) -> int:
    listing = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return listing.split().count("blob")


def test_missing_blobs_arrive_in_one_fetch(
    sparse_clone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = local_blobs(sparse_clone)
    trace = tmp_path / "trace.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
    checked = run_check(str(sparse_clone), "--format", "json", "--select", "NB001")
    paths = [f["path"] for f in checked.findings]
    assert paths == [f"notebooks/run_{n}.ipynb" for n in range(5)]
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    fetches = [e for e in events if e.get("event") == "start" and "fetch" in e["argv"]]
    assert len(fetches) == 1, [e["argv"] for e in fetches]
    assert local_blobs(sparse_clone) >= before + 5


def test_blob_that_cannot_be_fetched_is_a_note(sparse_clone: Path, repo: Repo) -> None:
    shutil.rmtree(repo.root)  # the promisor remote is gone: nothing can be fetched
    checked = run_check(str(sparse_clone), "--select", "NB001")
    lines = [line for line in checked.stdout.splitlines() if "notebooks/run_" in line]
    assert lines == [
        f"note: notebooks/run_{n}.ipynb: not checked: its blob is missing from this partial "
        "clone and could not be fetched"
        for n in range(5)
    ]
    assert checked.code == 0  # nothing was found; what was not read is said, not failed
    document = json.loads(run_check(str(sparse_clone), "--format", "json").stdout)
    assert {note["path"] for note in document["notes"]} >= {
        f"notebooks/run_{n}.ipynb" for n in range(5)
    }
