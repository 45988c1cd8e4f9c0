"""git in a project: the output of commands that must succeed, and why one failed."""

from __future__ import annotations

import pytest

from mlprod.errors import UsageError
from mlprod.update.git import RENDER_IDENTITY, Git


@pytest.fixture
def repo(tmp_path) -> Git:
    git = Git(tmp_path / "repo")
    git.cwd.mkdir()
    git("init", "--quiet", "--initial-branch=main")
    (git.cwd / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("commit", "--quiet", "-m", "first")
    return git


def test_a_command_that_must_succeed_returns_its_output(repo):
    assert repo("log", "-1", "--format=%s") == "first\n"
    assert repo("show", "HEAD:a.txt") == "a\n"


def test_a_failure_names_the_command_the_directory_and_gits_last_line(repo):
    with pytest.raises(UsageError) as failed:
        repo("rev-parse", "--verify", "no-such-ref")
    assert (
        str(failed.value) == f"git rev-parse failed in {repo.cwd}: fatal: Needed a single revision"
    )


def test_a_silent_failure_says_so(repo):
    (repo.cwd / "a.txt").write_text("changed\n")
    with pytest.raises(UsageError) as failed:
        repo("diff", "--quiet")
    assert str(failed.value) == f"git diff failed in {repo.cwd}: no message"


def test_run_reports_instead_of_raising_and_keeps_the_environment(repo, monkeypatch):
    result = repo.run("rev-parse", "--verify", "--quiet", "no-such-ref")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    monkeypatch.setenv("GIT_EDITOR", "team-editor")
    assert repo.run("var", "GIT_EDITOR", env={"GIT_PAGER": "cat"}).stdout == "team-editor\n"
    assert repo.run("var", "GIT_PAGER", env={"GIT_PAGER": "cat"}).stdout == "cat\n"


def test_show_is_a_files_text_or_none(repo):
    assert repo.show("HEAD", "a.txt") == "a\n"
    assert repo.show("HEAD", "missing.txt") is None


def test_commit_tree_commits_as_mlprod_with_every_parent(repo):
    first = repo("rev-parse", "HEAD").strip()
    tree = repo("rev-parse", "HEAD^{tree}").strip()
    orphan = repo.commit_tree(tree, "render\n\nMlprod-Render: 0.3.0\n")
    assert repo("log", "-1", "--format=%P", orphan) == "\n"
    both = repo.commit_tree(tree, "merge\n", first, orphan)
    assert repo("log", "-1", "--format=%P", both).split() == [first, orphan]
    assert repo("log", "-1", "--format=%an <%ae> %aI|%cn <%ce> %cI|%B", orphan) == (
        f"mlprod-template <mlprod-template@localhost> {RENDER_IDENTITY['GIT_AUTHOR_DATE']}|"
        f"mlprod-template <mlprod-template@localhost> {RENDER_IDENTITY['GIT_COMMITTER_DATE']}|"
        "render\n\nMlprod-Render: 0.3.0\n\n"
    )
    # The same tree and parents make the same commit, whoever runs it.
    assert repo.commit_tree(tree, "merge\n", first, orphan) == both
