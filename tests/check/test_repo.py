from pathlib import Path

from check.conftest import Repo
from mlprod.check.repo import Repository


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
