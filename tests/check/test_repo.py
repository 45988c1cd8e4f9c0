import re
import subprocess
from pathlib import Path

import pytest

from check.conftest import Repo, init
from mlprod.check.repo import IndexEntry, Repository, git_out, reason, split_z
from mlprod.errors import UsageError


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


def opened(root: Path) -> Repository:
    repository = Repository.open(root)
    assert repository is not None
    return repository


def test_open_finds_the_top_the_hooks_and_whether_there_is_a_commit(new_repo: Repo) -> None:
    (new_repo.root / "src" / "churn").mkdir(parents=True)
    first = opened(new_repo.root / "src" / "churn")
    assert (first.root, first.hooks_dir, first.has_commit) == (
        new_repo.root,
        new_repo.root / ".git" / "hooks",
        False,
    )
    new_repo.add("a.txt", "a")
    new_repo.git("commit", "-qm", "first")
    new_repo.git("config", "core.hooksPath", "tools/hooks")
    second = opened(new_repo.root / "src")
    assert (second.hooks_dir, second.has_commit) == (new_repo.root / "tools" / "hooks", True)


def test_a_work_tree_whose_path_holds_a_newline_opens_whole(tmp_path: Path) -> None:
    root = init(tmp_path / "odd\nname").root
    assert opened(root).root == root


def test_a_bare_repository_is_refused_with_what_to_do(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(UsageError) as error:
        Repository.open(bare)
    assert str(error.value) == (
        f"{bare} is a bare repository or a .git directory; "
        "run mlprod check in a clone's working tree"
    )


def test_another_git_failure_is_one_line_with_git_s_reason(new_repo: Repo) -> None:
    with (new_repo.root / ".git" / "config").open("a") as config:
        config.write("[broken\n")
    with pytest.raises(UsageError) as error:
        Repository.open(new_repo.root)
    assert re.fullmatch(
        rf"git cannot read {re.escape(str(new_repo.root))}: bad config line \d+ in file "
        r"\.git/config; check the path and permissions",
        str(error.value),
    ), str(error.value)


def test_without_git_on_the_path_says_to_install_it(
    new_repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(UsageError) as error:
        Repository.open(new_repo.root)
    assert str(error.value) == "git is not installed or not on PATH; install git"


def test_git_out_names_the_command_the_directory_and_git_s_reason(new_repo: Repo) -> None:
    assert git_out(["rev-parse", "--is-inside-work-tree"], new_repo.root) == b"true\n"
    with pytest.raises(UsageError) as error:
        git_out(["cat-file", "-p", "0" * 40], new_repo.root)
    assert str(error.value) == (
        f"git cat-file failed in {new_repo.root}: Not a valid object name {'0' * 40}; "
        "fix the repository so that plain git commands work in it"
    )


def test_entries_are_the_index_with_sizes_all_or_the_paths_asked(new_repo: Repo) -> None:
    new_repo.add("b.txt", "bb")
    new_repo.add("a/x.py", "x = 1\n")
    new_repo.add("link", "")
    (new_repo.root / "link").unlink()
    (new_repo.root / "link").symlink_to("b.txt")
    new_repo.git("add", "link")
    new_repo.write("untracked.txt", "u")
    sha = new_repo.git("rev-parse", ":b.txt").strip()
    repository = opened(new_repo.root)
    # Asked for before the whole index is listed, then after: the same answers.
    for _ in range(2):
        some = repository.entries(["b.txt", "untracked.txt", "*.txt"])
        assert some == {"b.txt": IndexEntry("b.txt", "100644", sha, 2)}
        assert repository.entries([]) == {}
        everything = repository.entries()
        assert list(everything) == ["a/x.py", "b.txt", "link"]
        assert everything["a/x.py"].size == 6
        assert everything["link"].mode == "120000" and not everything["link"].is_file
    assert repository.unread == {}


def test_a_blob_missing_from_the_repository_is_unread_with_the_reason(new_repo: Repo) -> None:
    new_repo.add("gone.txt", "gone")
    new_repo.add("kept.txt", "kept")
    sha = new_repo.git("rev-parse", ":gone.txt").strip()
    (new_repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    repository = opened(new_repo.root)
    assert repository.entries()["gone.txt"].size == -1
    assert repository.unread == {
        "gone.txt": "its blob is missing from the repository (see git fsck)"
    }
    assert repository.read("gone.txt") is None
    assert repository.read("kept.txt") == b"kept"


def test_blobs_git_cannot_read_are_unread_and_the_rest_still_come(new_repo: Repo) -> None:
    new_repo.add("a.txt", "alpha")
    new_repo.add("b.txt", "")
    repository = opened(new_repo.root)
    entries = repository.entries()
    vanished = IndexEntry("vanished.txt", "100644", "1" * 40, 5)
    got = list(repository.blobs([entries["a.txt"], vanished, entries["b.txt"]]))
    assert got == [(entries["a.txt"], b"alpha"), (entries["b.txt"], b"")]
    assert repository.unread == {"vanished.txt": "git cannot read its blob (missing object)"}
    assert list(repository.blobs([IndexEntry("x", "100644", "2" * 40, -1)])) == []


def test_read_gives_a_tracked_file_s_index_version_or_none(new_repo: Repo) -> None:
    new_repo.add("a.txt", "staged")
    new_repo.write("a.txt", "changed in the work tree")
    new_repo.add("link", "")
    (new_repo.root / "link").unlink()
    (new_repo.root / "link").symlink_to("a.txt")
    new_repo.git("add", "link")
    repository = opened(new_repo.root)
    assert repository.read("a.txt") == b"staged"
    assert repository.read("link") is None
    assert repository.read("untracked.txt") is None


def test_config_is_every_setting_with_the_last_value_winning(new_repo: Repo) -> None:
    new_repo.git("config", "--global", "user.name", "Global Name")
    new_repo.git("config", "user.name", "Local Name")
    new_repo.git("config", "alias.two", "!echo one\necho two")
    new_repo.git("config", "core.empty", "")
    new_repo.git("config", "alias.tab", "log\t--oneline")
    repository = opened(new_repo.root)
    config = repository.config()
    assert config["user.name"] == "Local Name"
    assert config["alias.two"] == "!echo one\necho two"
    assert config["core.empty"] == ""
    assert repository.config_scope("user.name") == "local"
    assert repository.config_scope("alias.two") == "local"
    assert repository.config_scope("alias.tab") == "local"
    assert repository.config_scope("no.such-key") is None
    new_repo.git("config", "--unset", "user.name")
    assert opened(new_repo.root).config_scope("user.name") == "global"


def test_promisor_remote_is_the_remote_of_a_partial_clone(new_repo: Repo) -> None:
    assert opened(new_repo.root).promisor_remote() is None
    new_repo.git("config", "extensions.partialclone", "upstream")
    assert opened(new_repo.root).promisor_remote() == "upstream"
    new_repo.git("config", "remote.my.origin.promisor", "true")
    assert opened(new_repo.root).promisor_remote() == "my.origin"
    new_repo.git("config", "remote.my.origin.promisor", "false")
    assert opened(new_repo.root).promisor_remote() == "upstream"


def test_attributes_of_tracked_and_untracked_paths(new_repo: Repo) -> None:
    new_repo.add(".gitattributes", "*.ipynb filter=nbstripout diff=jupyternotebook\n*.csv -diff\n")
    repository = opened(new_repo.root)
    paths = ["a b.ipynb", "data/x.csv", "new\nline.txt"]
    assert repository.attributes(paths, ["filter", "diff"]) == {
        "a b.ipynb": {"filter": "nbstripout", "diff": "jupyternotebook"},
        "data/x.csv": {"filter": "unspecified", "diff": "unset"},
        "new\nline.txt": {"filter": "unspecified", "diff": "unspecified"},
    }


def test_ignoring_patterns_name_the_rule_and_skip_re_included_paths(new_repo: Repo) -> None:
    new_repo.add(".gitignore", "# data\n/data/**\n!/data/keep.csv\n*.env\n")
    repository = opened(new_repo.root)
    paths = ["data/raw.csv", "data/keep.csv", "a b.env", "src/x.py"]
    assert repository.ignoring_patterns(paths) == {
        "data/raw.csv": (".gitignore", 2, "/data/**"),
        "a b.env": (".gitignore", 4, "*.env"),
    }
    assert repository.ignored(paths) == {"data/raw.csv", "a b.env"}
    assert repository.ignored([]) == set()


def test_a_path_git_check_ignore_refuses_is_one_line(new_repo: Repo, tmp_path: Path) -> None:
    repository = opened(new_repo.root)
    with pytest.raises(UsageError) as error:
        repository.ignored([str(tmp_path / "elsewhere.csv")])
    message = str(error.value)
    assert message.startswith("git check-ignore failed: ")
    assert message.endswith(
        "is outside repository at '" + str(new_repo.root) + "'; "
        "fix the .gitignore files so that git can read them"
    ), message
