import os

import pytest

from check.conftest import Repo


def test_compliant_repository_has_no_finding(repo: Repo) -> None:
    checked = repo.check()
    assert checked.findings == []
    assert checked.code == 0


def test_repository_without_commit_is_reported(new_repo: Repo) -> None:
    checked = new_repo.check("--select", "GIT001")
    assert [f["message"] for f in checked.findings] == ["the repository has no commit yet"]
    assert checked.code == 1


def test_directory_outside_git_is_reported(empty_dir) -> None:
    from check.conftest import run_check

    checked = run_check(str(empty_dir), "--format", "json")
    assert [(f["code"], f["path"], f["message"], f["fix"]) for f in checked.findings] == [
        (
            "GIT001",
            str(empty_dir),
            "not a git repository",
            "git init && git add -A && git commit -m 'Initial commit'",
        )
    ]
    assert checked.code == 1


def test_missing_pre_commit_hook_says_run_make_setup(repo: Repo) -> None:
    (repo.root / ".git/hooks/pre-commit").unlink()
    [finding] = repo.check().findings
    assert finding["code"] == "GIT002"
    assert finding["path"] == ".git/hooks/pre-commit"
    assert finding["fix"] == "run make setup"


def test_missing_hook_without_makefile_names_pre_commit_install(repo: Repo) -> None:
    (repo.root / ".git/hooks/pre-commit").unlink()
    repo.remove("Makefile")
    assert repo.check().of("GIT002")[0]["fix"] == "run pre-commit install"


def test_hook_not_written_by_pre_commit_is_reported(repo: Repo) -> None:
    repo.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
    assert "not installed by pre-commit" in repo.check().of("GIT002")[0]["message"]


def test_hook_that_is_not_executable_is_reported(repo: Repo) -> None:
    os.chmod(repo.root / ".git/hooks/pre-commit", 0o644)
    assert "not executable" in repo.check().of("GIT002")[0]["message"]


def test_hooks_path_setting_is_honoured(repo: Repo) -> None:
    repo.git("config", "core.hooksPath", ".githooks")
    assert repo.check().of("GIT002")[0]["path"] == ".githooks/pre-commit"
    (repo.root / ".githooks").mkdir()
    os.rename(repo.root / ".git/hooks/pre-commit", repo.root / ".githooks/pre-commit")
    assert repo.check().findings == []


def test_linked_worktree_shares_the_installed_hook(repo: Repo, tmp_path) -> None:
    worktree = tmp_path / "feature"
    repo.git("worktree", "add", "-q", "-b", "feature", str(worktree))
    repo.git("-C", str(worktree), "config", "filter.nbstripout.clean", "x")
    assert Repo(worktree).check().codes == set()


def test_missing_pre_commit_config_is_reported(repo: Repo) -> None:
    repo.remove(".pre-commit-config.yaml")
    assert repo.check().codes == {"GIT005"}


def test_missing_ci_is_reported(repo: Repo) -> None:
    repo.remove(".github/workflows/ci.yml")
    assert repo.check().codes == {"GIT003"}


def test_ci_that_runs_no_tests_is_reported(repo: Repo) -> None:
    repo.add(".github/workflows/ci.yml", "jobs:\n  lint:\n    steps:\n      - run: ruff check\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("GIT003", ".github/workflows/ci.yml")


@pytest.mark.parametrize(
    "command",
    [
        "mise run test",
        "make test",
        "make -C services/api test",
        "nox -s tests",
        "tox -e py311",
        "hatch test",
        "just unit-tests",
        "poe test",
        "behave features/",
        "uv run pytest -q",
        "hatch run test:all",
    ],
)
def test_ci_running_tests_through_a_task_runner_counts(repo: Repo, command: str) -> None:
    repo.add(".github/workflows/ci.yml", f"jobs:\n  t:\n    steps:\n      - run: {command}\n")
    assert repo.check().findings == []


@pytest.mark.parametrize("command", ["make lint && echo test", "pip install pytest-cov"])
def test_ci_mentioning_tests_without_running_them_is_reported(repo: Repo, command: str) -> None:
    repo.add(".github/workflows/ci.yml", f"jobs:\n  t:\n    steps:\n      - run: {command}\n")
    assert repo.check().codes == {"GIT003"}


def test_several_ci_files_without_tests_name_the_folder_not_one_file(repo: Repo) -> None:
    repo.add(".github/workflows/docs.yml", "jobs:\n  d:\n    steps:\n      - run: mkdocs build\n")
    repo.add(".github/workflows/ci.yml", "jobs:\n  l:\n    steps:\n      - run: ruff check\n")
    [finding] = repo.check().findings
    assert finding["path"] == ".github/workflows/"
    assert finding["message"].startswith(
        "none of the 2 CI configurations (.github/workflows/ci.yml, .github/workflows/docs.yml)"
        " runs the tests"
    )


def test_husky_running_mlprod_stands_for_pre_commit(repo: Repo) -> None:
    repo.remove(".pre-commit-config.yaml")
    repo.add(".husky/pre-commit", "npx lint-staged\n")
    assert [f["message"] for f in repo.check().findings] == [
        "the commit hooks are managed by husky, and .husky/pre-commit does not run mlprod check"
    ]
    repo.add(".husky/pre-commit", "npx lint-staged\nmlprod check\n")
    assert repo.check().findings == []


def test_gitlab_ci_running_pytest_counts(repo: Repo) -> None:
    repo.remove(".github/workflows/ci.yml")
    repo.add(".gitlab-ci.yml", "test:\n  script:\n    - uv run pytest\n")
    assert repo.check().findings == []


def test_missing_pr_template_and_codeowners_are_warnings(repo: Repo) -> None:
    repo.remove(".github/pull_request_template.md")
    repo.remove(".github/CODEOWNERS")
    checked = repo.check()
    assert [f["severity"] for f in checked.of("GIT004")] == ["warning", "warning"]
    assert checked.code == 0


def test_gitlab_review_files_count(repo: Repo) -> None:
    repo.remove(".github/pull_request_template.md")
    repo.remove(".github/CODEOWNERS")
    repo.add(".gitlab/merge_request_templates/Default.md", "## Checklist\n")
    repo.add(".gitlab/CODEOWNERS", "* @team\n")
    assert repo.check().findings == []
