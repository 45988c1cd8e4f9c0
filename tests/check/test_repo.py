from pathlib import Path

import pytest

from check.conftest import Repo
from mlprod.check.repo import IndexEntry, Repository, reason, split_z


def test_odd_names_round_trip_through_every_git_call(repo: Repo) -> None:
    names = ["a b.ipynb", "new\nline.ipynb", "t\tab.ipynb", "caf\u00e9.ipynb", "bad\udcff.ipynb"]
    for name in names:
        repo.add(f"notebooks/{name}", "{}")
    opened = Repository.open(repo.root)
    assert opened is not None
    paths = [f"notebooks/{name}" for name in names]
    assert set(paths) <= set(opened.entries())
    assert {entry.path for entry, _ in opened.blobs(opened.entries()[p] for p in paths)} == set(
        paths
    )
    attributes = opened.attributes(paths, ["filter"])
    assert {attributes[p]["filter"] for p in paths} == {"nbstripout"}
    assert opened.ignored([*paths, ".env"]) == {".env"}


def test_blobs_stream_thousands_of_files_through_one_process(repo: Repo) -> None:
    for n in range(2000):
        repo.write(f"many/f{n}.txt", f"{n}\n" * (n % 7))
    repo.git("add", "many")
    opened = Repository.open(repo.root)
    assert opened is not None
    wanted = [e for e in opened.entries().values() if e.path.startswith("many/")]
    contents = {entry.path: data for entry, data in opened.blobs(wanted)}
    assert len(contents) == 2000
    assert contents["many/f13.txt"] == b"13\n" * 6


def test_head_reads_only_the_start_of_a_blob(repo: Repo) -> None:
    repo.add("big.txt", "x" * 300_000 + "end")
    opened = Repository.open(repo.root)
    assert opened is not None
    assert opened.head(opened.entries()["big.txt"], 10) == b"x" * 10
    assert opened.entries()["big.txt"].size == 300_003


def test_plain_directory_is_not_a_repository(empty_dir: Path) -> None:
    assert Repository.open(empty_dir) is None


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (b"", "unknown error"),
        (
            b"hint: one\nfatal: not a git repository: '/x'\nfatal: later\n",
            "not a git repository: '/x'",
        ),
        (b"error: pathspec 'a' did not match\nhint: use git add\n", "pathspec 'a' did not match"),
        (b"warning: one\nwarning: two\nsomething else broke\n", "something else broke"),
    ],
)
def test_reason_is_the_first_fatal_or_error_line_else_the_last(
    stderr: bytes, expected: str
) -> None:
    assert reason(stderr) == expected


def test_split_z_keeps_spaces_and_undecodable_bytes_and_drops_empty_items() -> None:
    assert split_z(b"a b.txt\0caf\xe9\0\0new\nline\0") == ["a b.txt", "caf\udce9", "new\nline"]


def test_a_blob_git_cannot_read_gives_no_bytes_and_no_noise(new_repo: Repo, capfd) -> None:
    opened = Repository.open(new_repo.root)
    assert opened is not None
    missing = IndexEntry("gone.bin", "100644", "0" * 40, 10)
    assert opened.head(missing, 10) == b""
    assert list(opened.chunks(missing)) == []
    assert capfd.readouterr() == ("", "")
