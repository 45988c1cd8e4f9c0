"""Whatever the repository holds, the audit ends in findings or one line, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

from check.conftest import Repo, run_check


def console(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mlprod", "check", *args], capture_output=True, text=True
    )


def test_every_oddity_at_once_gives_findings_not_a_traceback(repo: Repo) -> None:
    root = repo.root
    repo.add("bin/blob.bin", bytes(range(256)) * 100)
    repo.add("notebooks/latin1.ipynb", b"\xff\xfe{\x00")
    repo.add("docs/odd\udcff.md", b"---\nstatus: done\n---\n\xff [FILL]\n")
    repo.add("space name.csv", "a\n")
    repo.add("tab\tand\nnewline.ipynb", "{")
    repo.add("ünïcödé/データ.parquet", b"PAR1" * 40_000)
    os.symlink("nowhere/at/all", root / "dangling")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    os.symlink("explore.ipynb", root / "notebooks/link.ipynb")
    os.symlink("..", root / "notebooks/up")
    repo.git("add", "dangling", "loop-a", "loop-b", "notebooks/link.ipynb", "notebooks/up")
    result = console(str(root), "--format", "text")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Found 4 errors and 0 warnings in")
    assert "tab\\tand\\nnewline.ipynb: NB004 the notebook is not valid JSON (line 1)" in lines[-3]
    assert any(
        line.startswith("\u00fcn\u00efc\u00f6d\u00e9/") and "DATA001" in line for line in lines
    )
    assert any(line.startswith("docs/odd\\xff.md: DOC002") for line in lines)


def test_notebook_symlinks_are_not_read_as_notebooks(repo: Repo) -> None:
    os.symlink("/etc/passwd", repo.root / "notebooks/system.ipynb")
    repo.git("add", "notebooks/system.ipynb")
    assert repo.check().findings == []


def test_huge_file_is_reported_without_reading_it_whole(repo: Repo) -> None:
    repo.add("models/weights.bin", os.urandom(12_000_000))
    [finding] = repo.check().findings
    assert (finding["code"], finding["message"]) == (
        "DATA001",
        "file of 12.0 MB is tracked by git (limit 1.00 MB)",
    )


def test_submodule_is_skipped(repo: Repo) -> None:
    commit = repo.git("rev-parse", "HEAD").strip()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},vendor/lib.ipynb")
    repo.add(".gitmodules", '[submodule "lib"]\n\tpath = vendor/lib.ipynb\n\turl = ../lib\n')
    assert repo.check().findings == []


def test_missing_objects_do_not_stop_the_audit(repo: Repo) -> None:
    sha = repo.git("rev-parse", ":tests/test_churn.py").strip()
    (repo.root / ".git/objects" / sha[:2] / sha[2:]).unlink()
    repo.add("notebooks/broken.ipynb", "{")
    assert repo.check().codes == {"NB004"}


def test_empty_repository_gets_git001_and_the_rules_that_still_apply(new_repo: Repo) -> None:
    checked = new_repo.check()
    assert {"GIT001", "GIT005", "DOC001", "CODE001", "DATA002"} <= checked.codes
    new_repo.add("notebooks/a.ipynb", "[]")
    assert "NB004" in new_repo.check().codes


def test_subdirectory_audits_the_whole_repository(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    checked = run_check(str(repo.root / "src" / "churn"), "--format", "json")
    assert checked.codes == {"CODE001"}


def test_linked_worktree_is_audited(repo: Repo, tmp_path: Path) -> None:
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other))
    assert Repo(other).check().code == 0


def test_unmerged_paths_are_audited_from_our_side(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "theirs")
    repo.add("notebooks/explore.ipynb", "{}")
    repo.git("commit", "-qm", "theirs")
    repo.git("checkout", "-q", "main")
    repo.add("notebooks/explore.ipynb", "[]")
    repo.git("commit", "-qm", "ours")
    subprocess.run(["git", "merge", "-q", "theirs"], cwd=repo.root, capture_output=True)
    assert "UU notebooks/explore.ipynb" in repo.git("status", "--short")
    assert repo.check().of("NB004")[0]["message"] == (
        "not a Jupyter notebook: the top level is not a JSON object"
    )


def test_intent_to_add_files_are_harmless(repo: Repo) -> None:
    repo.write("notebooks/later.ipynb", "{")
    repo.git("add", "-N", "notebooks/later.ipynb")
    assert repo.check().of("NB004")[0]["message"] == "the notebook is not valid JSON (line 1)"


def test_bare_repository_is_a_usage_error(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    checked = run_check(str(bare))
    assert checked.code == 2
    assert "is a bare repository or a .git directory" in checked.stderr


def test_git_directory_itself_is_a_usage_error(repo: Repo) -> None:
    assert run_check(str(repo.root / ".git")).code == 2


def test_broken_git_config_is_one_line(repo: Repo) -> None:
    with (repo.root / ".git/config").open("a") as config:
        config.write("[broken\n")
    result = console(str(repo.root))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "bad config line" in result.stderr


def test_repository_of_another_user_names_safe_directory(repo: Repo) -> None:
    os.chown(repo.root, os.geteuid() + 1, os.getegid())
    checked = run_check(str(repo.root))
    assert checked.code == 2
    assert checked.stderr == (
        f"mlprod check: error: git refuses {repo.root}: it belongs to another user; "
        f"run: git config --global --add safe.directory {repo.root}\n"
    )


def test_looping_hooks_directory_is_a_finding(repo: Repo) -> None:
    hooks = repo.root / ".git/hooks"
    for hook in hooks.iterdir():
        hook.unlink()
    hooks.rmdir()
    os.symlink("hooks", hooks)
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("GIT002", ".git/hooks/pre-commit")


def test_pyproject_symlinks_dangling_or_looping(repo: Repo) -> None:
    (repo.root / "pyproject.toml").unlink()
    os.symlink("nowhere.toml", repo.root / "pyproject.toml")
    assert repo.check().code == 0
    (repo.root / "pyproject.toml").unlink()
    os.symlink("pyproject.toml", repo.root / "pyproject.toml")
    checked = repo.check()
    assert checked.code == 2
    assert "Too many levels of symbolic links" in checked.stderr
