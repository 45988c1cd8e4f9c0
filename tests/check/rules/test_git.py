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


def test_repository_without_commit_finding_points_at_the_root(new_repo: Repo) -> None:
    [finding] = new_repo.check("--select", "GIT001").findings
    assert (finding["path"], finding["severity"], finding["fix"]) == (
        ".",
        "error",
        "git add -A && git commit -m 'Initial commit'",
    )


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (None, "the pre-commit hook is not installed in this clone"),
        ("#!/bin/sh\nexit 0\n", "the git pre-commit hook was not installed by pre-commit"),
    ],
)
def test_hook_problems_have_their_own_message(repo: Repo, script: str | None, message) -> None:
    hook = repo.root / ".git/hooks/pre-commit"
    hook.unlink()
    if script is not None:
        repo.write(".git/hooks/pre-commit", script)
        os.chmod(hook, 0o755)
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (".git/hooks/pre-commit", message, "run make setup")
    ]


def test_hook_that_is_not_executable_has_its_message(repo: Repo) -> None:
    os.chmod(repo.root / ".git/hooks/pre-commit", 0o644)
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".git/hooks/pre-commit",
            "the pre-commit hook is not executable, so git skips it",
            "run make setup",
        )
    ]


@pytest.mark.parametrize(
    "mark", ["# File generated by pre-commit: x", "from pre_commit import main", "hook-impl"]
)
def test_any_mark_of_pre_commit_identifies_its_hook(repo: Repo, mark: str) -> None:
    repo.write(".git/hooks/pre-commit", f"#!/bin/sh\n{mark}\n")
    assert repo.check().findings == []


def test_hook_is_not_asked_for_without_a_pre_commit_config(repo: Repo) -> None:
    repo.remove(".pre-commit-config.yaml")
    (repo.root / ".git/hooks/pre-commit").unlink()
    assert [(f["code"], f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "GIT005",
            ".pre-commit-config.yaml",
            "no pre-commit configuration is tracked",
            "add a .pre-commit-config.yaml that runs the mlprod-check hook, then commit it",
        )
    ]


def test_hooks_path_outside_the_work_tree_is_shown_whole(repo: Repo, tmp_path) -> None:
    outside = tmp_path / "shared-hooks"
    repo.git("config", "core.hooksPath", str(outside))
    assert [f["path"] for f in repo.check().of("GIT002")] == [str(outside / "pre-commit")]


def test_no_ci_at_all_says_where_to_add_one(repo: Repo) -> None:
    repo.remove(".github/workflows/ci.yml")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".github/workflows/",
            "no CI configuration is tracked",
            "add a CI workflow (.github/workflows/ci.yml or .gitlab-ci.yml) that runs the tests",
        )
    ]


RUNNERS = (
    "a test runner (pytest, tox, nox, behave, hatch test) or a test task "
    "(make test, just test, mise run test, poe test)"
)


@pytest.mark.parametrize(
    "path",
    [
        ".gitlab-ci.yml",
        ".circleci/config.yaml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        "Jenkinsfile",
        ".travis.yml",
        ".woodpecker.yml",
        ".woodpecker/lint.yaml",
    ],
)
def test_every_ci_service_is_read_for_tests(repo: Repo, path: str) -> None:
    repo.remove(".github/workflows/ci.yml")
    repo.add(path, "lint:\n  script: ruff check\n")
    assert [(f["path"], f["message"]) for f in repo.check().findings] == [
        (path, f"the CI configuration runs no tests: no {RUNNERS}")
    ]


@pytest.mark.parametrize(
    "path", [".github/workflows/nested/ci.yml", ".github/ci.yml", "ci/.gitlab-ci.yml"]
)
def test_files_named_like_ci_elsewhere_are_not_ci(repo: Repo, path: str) -> None:
    repo.remove(".github/workflows/ci.yml")
    repo.add(path, "test:\n  script: pytest\n")
    assert [f["message"] for f in repo.check().findings] == ["no CI configuration is tracked"]


def test_ci_files_in_several_places_without_tests_are_reported_at_the_root(repo: Repo) -> None:
    repo.add(".github/workflows/ci.yml", "jobs:\n  l:\n    steps:\n      - run: ruff check\n")
    repo.add(".gitlab-ci.yml", "lint:\n  script: ruff check\n")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".",
            "none of the 2 CI configurations (.github/workflows/ci.yml, .gitlab-ci.yml) runs"
            f" the tests: no {RUNNERS}",
            "add a step that runs the tests (e.g. `make test` or `pytest`) to the CI "
            "configuration that runs on every change",
        )
    ]


def test_one_ci_file_of_several_running_tests_is_enough(repo: Repo) -> None:
    repo.add(".github/workflows/docs.yml", "jobs:\n  d:\n    steps:\n      - run: mkdocs build\n")
    assert repo.check().findings == []


def test_missing_review_files_are_named_with_their_fixes(repo: Repo) -> None:
    repo.remove(".github/pull_request_template.md")
    repo.remove(".github/CODEOWNERS")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".github/CODEOWNERS",
            "no CODEOWNERS file, so no reviewer is requested automatically",
            "add .github/CODEOWNERS (GitLab: .gitlab/CODEOWNERS) naming the owners",
        ),
        (
            ".github/pull_request_template.md",
            "no pull request template",
            "add .github/pull_request_template.md (GitLab: .gitlab/merge_request_templates/"
            "Default.md) with the review checklist",
        ),
    ]


@pytest.mark.parametrize(
    ("template", "owners"),
    [
        ("PULL_REQUEST_TEMPLATE.md", "CODEOWNERS"),
        ("docs/pull_request_template.md", "docs/CODEOWNERS"),
        (".github/pull_request_template/feature.md", ".github/CODEOWNERS"),
    ],
)
def test_review_files_count_in_every_place_github_reads(
    repo: Repo, template: str, owners: str
) -> None:
    repo.remove(".github/pull_request_template.md")
    repo.remove(".github/CODEOWNERS")
    repo.add(template, "## Checklist\n")
    repo.add(owners, "* @team\n")
    assert repo.check().findings == []


@pytest.mark.parametrize(
    ("template", "owners"),
    [("src/pull_request_template.md", "src/CODEOWNERS"), ("pull_request_template.txt", "x/y")],
)
def test_review_files_elsewhere_do_not_count(repo: Repo, template: str, owners: str) -> None:
    repo.remove(".github/pull_request_template.md")
    repo.remove(".github/CODEOWNERS")
    repo.add(template, "## Checklist\n")
    repo.add(owners, "* @team\n")
    assert [f["path"] for f in repo.check().of("GIT004")] == [
        ".github/CODEOWNERS",
        ".github/pull_request_template.md",
    ]


@pytest.mark.parametrize("config", ["lefthook.yml", ".lefthook.yaml"])
def test_lefthook_not_running_mlprod_is_told_the_lefthook_way(repo: Repo, config: str) -> None:
    repo.remove(".pre-commit-config.yaml")
    repo.add(config, "pre-commit:\n  commands:\n    lint:\n      run: ruff check\n")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            config,
            f"the commit hooks are managed by lefthook, and {config} does not run mlprod check",
            f"add pre-commit: commands: mlprod: run: mlprod check to {config}, then commit it",
        )
    ]


def test_husky_not_running_mlprod_is_told_to_add_a_line(repo: Repo) -> None:
    repo.remove(".pre-commit-config.yaml")
    repo.add(".husky/pre-commit", "npx lint-staged\n")
    assert [f["fix"] for f in repo.check().findings] == [
        "add a line `mlprod check` to .husky/pre-commit, then commit it"
    ]
