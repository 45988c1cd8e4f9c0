from collections.abc import Iterator
from pathlib import Path

import pytest

from check.conftest import AWS_ID, Repo
from mlprod.check.audit import Audit, Result, Selection, keep, run, scan
from mlprod.check.config import Settings
from mlprod.check.repo import IndexEntry, Repository
from mlprod.check.rule import ERROR, Finding, Rule
from mlprod.check.rules.git import not_a_repository


def test_only_what_git_tracks_is_audited(repo: Repo) -> None:
    repo.write("data/raw.csv", "a,b\n" * 100_000)
    repo.write(".env", "AWS_KEY=" + AWS_ID + "\n")
    repo.write("scratch/untracked.ipynb", "{broken")
    assert repo.check().findings == []


def test_findings_are_sorted_by_path_then_code(repo: Repo) -> None:
    repo.add("b.ipynb", "{")
    repo.add("a.csv", "x" * 200_000)
    repo.remove("tests/test_churn.py")
    assert [(f["path"], f["code"]) for f in repo.check().findings] == [
        ("a.csv", "DATA001"),
        ("b.ipynb", "NB004"),
        ("tests/", "CODE001"),
    ]


def test_per_file_ignores_match_paths_of_any_rule(repo: Repo) -> None:
    repo.add("legacy/old.ipynb", "{")
    repo.add("legacy/dump.csv", "x" * 200_000)
    repo.add("pyproject.toml", '[tool.mlprod.per-file-ignores]\n"legacy/*" = ["NB004"]\n')
    assert repo.check().codes == {"DATA001"}


# The audit's parts in process, on small real repositories.


class Recorder(Rule):
    """Reads the files whose name ends in `.txt`, recording what the audit hands it."""

    code = "X900"
    name = "recorder"
    severity = ERROR
    summary = "records reads"
    fix = "nothing"

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes, bool]] = []

    def reads(self, entry: IndexEntry) -> bool:
        return entry.path.endswith(".txt")

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        self.seen.append((entry.path, data, complete))
        yield self.finding(entry.path, f"{len(data)} bytes", "none")


def opened(repo: Repo) -> Repository:
    repository = Repository.open(repo.root)
    assert repository is not None
    return repository


def test_scan_reads_whole_blobs_up_to_the_limit_and_the_head_of_larger_ones(
    new_repo: Repo,
) -> None:
    new_repo.add("empty.txt", "")
    new_repo.add("at_limit.txt", "a" * 8)
    new_repo.add("over_limit.txt", "b" * 9)
    new_repo.add("other.csv", "c")
    new_repo.add("link.txt", "")
    (new_repo.root / "link.txt").unlink()
    (new_repo.root / "link.txt").symlink_to("at_limit.txt")
    new_repo.git("add", "link.txt")
    audit = Audit(opened(new_repo), Settings(max_scan_size=8), None)
    first, second = Recorder(), Recorder()
    findings = list(scan(audit, [first, second]))
    expected = [
        ("at_limit.txt", b"a" * 8, True),
        ("empty.txt", b"", True),
        ("over_limit.txt", b"b" * 8, False),
    ]
    assert sorted(first.seen) == sorted(second.seen) == expected
    assert sorted(f.message for f in findings) == ["0 bytes", "0 bytes"] + ["8 bytes"] * 4


def test_scan_reads_only_the_files_in_scope(new_repo: Repo) -> None:
    new_repo.add("a.txt", "a")
    new_repo.add("b.txt", "b")
    recorder = Recorder()
    list(scan(Audit(opened(new_repo), Settings(), ["b.txt"]), [recorder]))
    assert recorder.seen == [("b.txt", b"b", True)]


def test_audit_lookups_read_the_index(new_repo: Repo) -> None:
    new_repo.add("data/caf\u00e9.csv", b"caf\xe9\n")
    new_repo.add("Makefile", "all:\n\techo\n")
    audit = Audit(opened(new_repo), Settings(), None)
    assert audit.text("data/caf\u00e9.csv") == "caf\ufffd\n"
    assert audit.text("missing.txt") is None
    assert audit.tracked("data") and audit.tracked("data/caf\u00e9.csv")
    assert not audit.tracked("dat")
    assert audit.per_clone_fix("pre-commit install") == "run pre-commit install"


@pytest.mark.parametrize(
    ("makefile", "fix"),
    [
        ("setup:\n\tuv sync\n", "run make setup"),
        ("all: test\n\nsetup : .venv\n\tuv sync\n", "run make setup"),
        ("all: test\n# setup: in a comment\nmy-setup:\n", "run pre-commit install"),
    ],
)
def test_per_clone_fix_names_make_setup_where_the_makefile_has_it(
    new_repo: Repo, makefile: str, fix: str
) -> None:
    new_repo.add("Makefile", makefile)
    audit = Audit(opened(new_repo), Settings(), None)
    assert audit.per_clone_fix("pre-commit install") == fix
    # Looked up once: the answer stays the same for the whole audit.
    assert audit.per_clone_fix("git lfs install") == fix.replace("pre-commit", "git lfs")


def test_a_directory_without_git_gets_one_finding_and_no_files(empty_dir: Path) -> None:
    result = run(empty_dir, None, Settings(), Selection({"GIT001"}, []))
    assert result == Result([not_a_repository(empty_dir)], 0, [])
    assert run(empty_dir, None, Settings(), Selection({"NB004"}, [])) == Result([], 0, [])


def test_the_result_counts_the_files_in_scope(new_repo: Repo) -> None:
    for name in ("a.ipynb", "b.ipynb", "c.txt"):
        new_repo.add(name, "{")
    selection = Selection({"NB004"}, [])
    repository = opened(new_repo)
    assert run(new_repo.root, repository, Settings(), selection).files == 3
    scoped = run(new_repo.root, repository, Settings(), selection, ["b.ipynb", "c.txt"])
    assert (scoped.files, [f.path for f in scoped.findings]) == (2, ["b.ipynb"])


def test_keep_drops_duplicates_and_sorts_by_path_code_then_message() -> None:
    def finding(code: str, path: str, message: str) -> Finding:
        return Finding(code, ERROR, path, message, "fix")

    findings = [
        finding("SEC001", "b.py", "a key at line 2"),
        finding("NB004", "b.py", "z"),
        finding("SEC001", "b.py", "a key at line 10"),
        finding("SEC001", "a.py", "a key at line 3"),
        finding("NB004", "b.py", "z"),
        finding("DATA001", "Legacy/big.csv", "too big"),
        finding("DATA001", "legacy/big.csv", "too big"),
    ]
    selection = Selection({"SEC001", "NB004", "DATA001"}, [("legacy/*", {"DATA001"})])
    assert keep(findings, selection) == [
        finding("DATA001", "Legacy/big.csv", "too big"),
        finding("SEC001", "a.py", "a key at line 3"),
        finding("NB004", "b.py", "z"),
        finding("SEC001", "b.py", "a key at line 10"),
        finding("SEC001", "b.py", "a key at line 2"),
    ]
    assert keep(findings, Selection({"NB004"}, [])) == [finding("NB004", "b.py", "z")]
