"""The generated project's guards, each proven by a commit that tries to get past it.

Every attempt runs in a real clone set up as `make setup` sets it up. A refused attempt
must change nothing and must tell the user what to do instead; where it names a fix, the
test follows the fix and the commit then passes. The refusals are printed (`pytest -s`)
exactly as the user sees them.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from bakery import run
from clones import Project, attempt, git, local_dvc_storage

pytestmark = pytest.mark.slow

BRANCH_HOOK = "commits on main are refused (fix - git switch -c feature/<name>, commit there)"
MARKERS_HOOK = (
    "merge-conflict markers (fix - keep the right lines, delete the marker lines, git add)"
)
KEY_HOOK = "private keys (fix - git rm --cached <file>; keep keys outside the repository)"
LARGE_HOOK = (
    "files over 1 MB (fix - git rm --cached <file>, dvc add <file>, git add <file>.dvc, dvc push)"
)
DATA_HOOK = "no data or credentials in git (fix - dvc add, or .env)"
HOOK_LINE = re.compile(r"^(.*?)\.{3,}(?:\(no files to check\))?(Passed|Failed|Skipped)$")


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home) -> Project:
    return Project(module_tmp("guards"), wheel_dir, pre_commit_home)


@pytest.fixture
def clone(project, tmp_path) -> Path:
    return project.clone(tmp_path / "dev")


def package(clone: Path) -> Path:
    return next(path for path in (clone / "src").iterdir() if path.is_dir())


def commit(clone: Path, env: dict, message: str, *extra: str) -> subprocess.CompletedProcess:
    return attempt(clone, "git", "commit", "-m", message, *extra, env=env)


def failed_hooks(output: str) -> list[str]:
    return [m.group(1) for line in output.splitlines() if (m := HOOK_LINE.match(line))
            and m.group(2) == "Failed"]  # fmt: skip


def what_the_user_saw(attempted: str, result: subprocess.CompletedProcess) -> str:
    """The refusal without the hooks that passed or had nothing to check."""
    shown = [line for line in result.stdout.splitlines()
             if not (HOOK_LINE.match(line) and not line.endswith("Failed"))
             and not line.startswith("[INFO]") and not line.startswith("[WARNING]")]  # fmt: skip
    report = f"\n--- tried: {attempted}\n" + "\n".join(shown).strip()
    print(report)
    return report


def assert_refused(clone: Path, head: str, result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0, result.stdout
    assert git(clone, "rev-parse", "HEAD") == head, "a refused commit must not be made"


def head(clone: Path) -> str:
    return git(clone, "rev-parse", "HEAD")


# The branch ------------------------------------------------------------------------------


def test_a_commit_on_main_is_refused_and_the_same_commit_passes_on_a_feature_branch(project, clone):
    (package(clone) / "features.py").write_text('"""Send-time features."""\n\nHOURS = 24\n')
    git(clone, "add", "-A")
    before = head(clone)

    refused = commit(clone, project.env, "Add send-time features")
    what_the_user_saw("git commit on main", refused)
    assert_refused(clone, before, refused)
    assert failed_hooks(refused.stdout) == [BRANCH_HOOK]

    # What the message says to do; the staged change comes along to the new branch.
    git(clone, "switch", "--quiet", "-c", "feature/send-time")
    passed = commit(clone, project.env, "Add send-time features")
    assert passed.returncode == 0, passed.stdout
    assert failed_hooks(passed.stdout) == []
    assert git(clone, "rev-parse", "HEAD~1") == before
    assert git(clone, "rev-parse", "main") == before
    assert git(clone, "show", "--name-only", "--format=", "HEAD").split() == [
        f"src/{package(clone).name}/features.py"
    ]


# Merge-conflict markers -------------------------------------------------------------------


QUERY = "SELECT customer_id\nFROM sends\nWHERE open_rate > {rate}\n"


def conflicting_branches(clone: Path, env: dict) -> Path:
    """feature/a and feature/b change the same line of a query; feature/b is checked out."""
    module = clone / "sql" / "opens.sql"
    module.parent.mkdir()
    git(clone, "switch", "--quiet", "-c", "feature/base")
    module.write_text(QUERY.format(rate="0.2"))
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "Add rates", env=env)
    for branch, rate in (("feature/a", "0.25"), ("feature/b", "0.3")):
        git(clone, "switch", "--quiet", "-c", branch, "feature/base")
        module.write_text(QUERY.format(rate=rate))
        git(clone, "commit", "--quiet", "-am", f"Rate {rate}", env=env)
    return module


def test_conflict_markers_left_by_a_merge_are_refused(project, clone):
    module = conflicting_branches(clone, project.env)
    merge = attempt(clone, "git", "merge", "feature/a", env=project.env)
    assert merge.returncode != 0 and "CONFLICT" in merge.stdout
    before = head(clone)

    # The user marks the file resolved without removing the markers.
    git(clone, "add", module.relative_to(clone).as_posix())
    refused = commit(clone, project.env, "Merge feature/a", "--no-edit")
    what_the_user_saw("git commit of a merge with the markers still in", refused)
    assert_refused(clone, before, refused)
    assert MARKERS_HOOK in failed_hooks(refused.stdout)
    assert "sql/opens.sql:3: Merge conflict string '<<<<<<<' found" in refused.stdout

    # What the message says: keep the right lines, delete the marker lines, git add.
    module.write_text(QUERY.format(rate="0.3"))
    git(clone, "add", module.relative_to(clone).as_posix())
    passed = commit(clone, project.env, "Merge feature/a", "--no-edit")
    assert passed.returncode == 0, passed.stdout
    assert len(git(clone, "show", "--format=%P", "--no-patch", "HEAD").split()) == 2


def test_conflict_markers_left_by_a_stash_pop_are_refused(project, clone):
    """No merge is in progress after a conflicting `git stash pop` (or `make pull`), yet
    the file holds markers: the hook refuses them in any commit."""
    module = conflicting_branches(clone, project.env)
    module.write_text(QUERY.format(rate="0.35"))
    git(clone, "stash", "--quiet")
    git(clone, "merge", "--quiet", "--no-edit", "-X", "theirs", "feature/a", env=project.env)
    pop = attempt(clone, "git", "stash", "pop", env=project.env)
    assert pop.returncode != 0 and "CONFLICT" in pop.stdout
    assert not (clone / ".git" / "MERGE_HEAD").exists()
    before = head(clone)

    git(clone, "add", module.relative_to(clone).as_posix())
    refused = commit(clone, project.env, "Raise the rate")
    what_the_user_saw("git commit of a file with markers left by git stash pop", refused)
    assert_refused(clone, before, refused)
    assert MARKERS_HOOK in failed_hooks(refused.stdout)


# Keys and credentials ---------------------------------------------------------------------


def ssh_key(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"key-{kind}"
    options = ["-t", "rsa", "-b", "2048", "-m", "PEM"] if kind == "rsa" else ["-t", "ed25519"]
    run(shutil.which("ssh-keygen") or "ssh-keygen", "-q", *options, "-N", "", "-C", "ci",
        "-f", path, cwd=tmp_path)  # fmt: skip
    return path.read_text()


def aws_key_pair() -> tuple[str, str]:
    """A key pair shaped like AWS's (never valid: freshly random)."""
    key_id = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()[:16]
    secret = base64.b64encode(secrets.token_bytes(30)).decode()
    return key_id, secret


@pytest.mark.parametrize("kind", ["rsa", "openssh", "aws"])
def test_private_keys_and_cloud_keys_are_refused(project, clone, tmp_path, kind):
    git(clone, "switch", "--quiet", "-c", "feature/deploy")
    if kind == "aws":
        key_id, secret = aws_key_pair()
        path = clone / "config" / "storage.toml"
        text = f'[aws]\naccess_key_id = "{key_id}"\nsecret_access_key = "{secret}"\n'
    else:
        path = clone / "deploy" / ("id_rsa" if kind == "rsa" else "id_ed25519")
        text = ssh_key(tmp_path, kind)
        assert text.startswith(
            "-----BEGIN RSA PRIVATE KEY-----" if kind == "rsa" else "-----BEGIN OPENSSH"
        )
    path.parent.mkdir()
    path.write_text(text)
    git(clone, "add", "-A")
    before = head(clone)

    refused = commit(clone, project.env, "Add deployment settings")
    what_the_user_saw(f"git commit of {path.relative_to(clone)} ({kind} key)", refused)
    assert_refused(clone, before, refused)
    relative = path.relative_to(clone).as_posix()
    if kind == "aws":
        assert failed_hooks(refused.stdout) == [DATA_HOOK]
        assert f"{relative}: SEC001 an AWS access key id at line 2" in refused.stdout
        assert f"{relative}: SEC001 an AWS secret access key at line 3" in refused.stdout
    else:
        assert failed_hooks(refused.stdout) == [KEY_HOOK, DATA_HOOK]
        assert f"Private key found: {relative}" in refused.stdout
        assert f"{relative}: SEC001 a private key at line 1" in refused.stdout

    # What the message says: unstage it and keep it outside the repository.
    git(clone, "rm", "--quiet", "--cached", relative)
    shutil.move(path, tmp_path / path.name)
    (clone / "README.md").write_text((clone / "README.md").read_text() + "\nDeployed.\n")
    git(clone, "add", "README.md")
    passed = commit(clone, project.env, "Note the deployment")
    assert passed.returncode == 0, passed.stdout


# Data ---------------------------------------------------------------------------------------


def write_emails_csv(path: Path, size: int) -> None:
    """Rows of the sample's story until the file reaches `size` bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    channels = ["newsletter", "promotion", "transactional"]
    rows = ["customer_id,send_hour,weekday,tenure_months,past_opens_30d,channel,opened"]
    length, n = len(rows[0]) + 1, 0
    while length < size:
        n += 1
        row = f"{n},{n % 24},{weekdays[n % 7]},{n % 97},{n % 31},{channels[n % 3]},{n % 2}"
        rows.append(row)
        length += len(row) + 1
    path.write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize("relative", ["sends.csv", "data/raw/sends.csv"])
def test_a_5mb_csv_is_refused_and_the_dvc_workflow_it_names_goes_through(
    project, clone, tmp_path, relative
):
    env = project.shell_env(clone)
    local_dvc_storage(clone, tmp_path / "storage", env)
    git(clone, "switch", "--quiet", "-c", "feature/sends")
    write_emails_csv(clone / relative, 5_000_000)
    if relative.startswith("data/"):
        ignored = attempt(clone, "git", "add", relative, env=env)
        assert ignored.returncode != 0
        assert "ignored by one of your .gitignore files" in ignored.stdout
        git(clone, "add", "--force", relative)  # the determined attempt
    else:
        git(clone, "add", relative)
    before = head(clone)

    refused = commit(clone, env, "Add the email log")
    what_the_user_saw(f"git commit of a 5 MB CSV at {relative}", refused)
    assert_refused(clone, before, refused)
    assert failed_hooks(refused.stdout) == [LARGE_HOOK, DATA_HOOK]
    assert f"{relative} (4883 KB) exceeds 1024 KB." in refused.stdout
    assert (
        f"{relative}: DATA001 data file of 5.00 MB is tracked by git (limit 100 kB) "
        f"(fix: git rm --cached {relative} && dvc add {relative} && git add {relative}.dvc "
    ) in refused.stdout

    # The hook's fix, step by step; `dvc add` says which files to stage.
    git(clone, "rm", "--quiet", "--cached", relative)
    added = run("dvc", "add", relative, cwd=clone, env=env).stdout
    stage = re.search(r"git add ([^\n]+)", added)
    assert stage, added
    staged = stage.group(1).split()
    assert f"{relative}.dvc" in staged
    git(clone, "add", *staged)
    passed = commit(clone, env, "Track the email log with DVC")
    assert passed.returncode == 0, passed.stdout
    assert sorted(git(clone, "show", "--name-only", "--format=", "HEAD").split()) == sorted(staged)
    run("dvc", "push", "--quiet", cwd=clone, env=env)
    assert sum(1 for p in (tmp_path / "storage").rglob("*") if p.is_file()) == 1
    assert git(clone, "status", "--porcelain") == ""


# Secrets in .env ------------------------------------------------------------------------------


def test_env_is_ignored_and_a_forced_env_is_refused(project, clone):
    assert git(clone, "ls-files", ".env.example") == ".env.example\n"
    # The remote's variables in it are used by the S3 round trip (test_dvc_remotes_e2e).
    assert "set -a && . ./.env && set +a" in (clone / ".env.example").read_text()

    key_id, secret = aws_key_pair()
    (clone / ".env").write_text(
        f"LOG_LEVEL=DEBUG\nAWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={secret}\n"
    )
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "check-ignore", ".env") == ".env\n"
    added = attempt(clone, "git", "add", ".env", env=project.env)
    assert added.returncode != 0 and "ignored by one of your .gitignore files" in added.stdout

    git(clone, "switch", "--quiet", "-c", "feature/settings")
    git(clone, "add", "--force", ".env")
    before = head(clone)
    refused = commit(clone, project.env, "Add settings")
    what_the_user_saw("git add --force .env && git commit", refused)
    assert_refused(clone, before, refused)
    assert failed_hooks(refused.stdout) == [DATA_HOOK]
    assert ".env: SEC002 an environment file with secrets is tracked by git" in refused.stdout
    assert ".env: SEC001 an AWS access key id at line 2" in refused.stdout


# Hooks bypassed -----------------------------------------------------------------------------


def notebook_with_outputs(path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(0.2)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.2\n")]
    notebook.cells.append(cell)
    nbformat.write(notebook, path)


def test_mlprod_check_reports_what_commits_with_no_verify_let_in(project, clone, tmp_path):
    env = project.shell_env(clone)
    git(clone, "switch", "--quiet", "-c", "feature/everything-wrong")
    write_emails_csv(clone / "data" / "raw" / "sends.csv", 5_000_000)
    (clone / "deploy").mkdir()
    (clone / "deploy" / "id_rsa").write_text(ssh_key(tmp_path, "rsa"))
    (clone / "deploy" / "id_ed25519").write_text(ssh_key(tmp_path, "openssh"))
    key_id, secret = aws_key_pair()
    (clone / "deploy" / "storage.toml").write_text(
        f'[aws]\naccess_key_id = "{key_id}"\nsecret_access_key = "{secret}"\n'
    )
    (clone / ".env").write_text("LOG_LEVEL=DEBUG\n")
    run("dvc", "remote", "add", "backup", "s3://team-bucket/dvc", cwd=clone, env=env)
    run("dvc", "remote", "modify", "backup", "secret_access_key", secret, cwd=clone, env=env)
    git(clone, "add", "--all")
    git(clone, "add", "--force", "data/raw/sends.csv", ".env")
    committed = commit(clone, env, "Everything at once", "--no-verify")
    assert committed.returncode == 0, committed.stdout
    # A clone without the nbstripout filter commits the outputs.
    notebook_with_outputs(clone / "notebooks" / "eda.ipynb")
    no_filter = ("-c", "filter.nbstripout.clean=cat")
    git(clone, *no_filter, "add", "notebooks/eda.ipynb")
    git(clone, *no_filter, "commit", "--quiet", "--no-verify", "-m", "Add EDA", env=env)
    assert json.loads(git(clone, "show", "HEAD:notebooks/eda.ipynb"))["cells"][0]["outputs"]

    check = attempt(clone, "make", "check", env=env)
    what_the_user_saw("make check after git commit --no-verify", check)
    assert check.returncode != 0
    for expected in (
        "data/raw/sends.csv: DATA001 data file of 5.00 MB is tracked by git",
        "deploy/id_rsa: SEC001 a private key at line 1",
        "deploy/id_ed25519: SEC001 a private key at line 1",
        "deploy/storage.toml: SEC001 an AWS access key id at line 2",
        "deploy/storage.toml: SEC001 an AWS secret access key at line 3",
        ".env: SEC002 an environment file with secrets is tracked by git",
        ".dvc/config: SEC003 credential 'secret_access_key' in [remote \"backup\"]",
        "notebooks/eda.ipynb: NB001",
    ):
        assert expected in check.stdout


def test_make_lint_reports_conflict_markers_that_a_commit_with_no_verify_let_in(project, clone):
    module = conflicting_branches(clone, project.env)
    attempt(clone, "git", "merge", "feature/a", env=project.env)
    git(clone, "add", module.relative_to(clone).as_posix())
    committed = commit(clone, project.env, "Merge feature/a", "--no-edit", "--no-verify")
    assert committed.returncode == 0, committed.stdout

    lint = attempt(clone, "make", "lint", env=project.env)
    what_the_user_saw("make lint after a merge committed with --no-verify", lint)
    assert lint.returncode != 0
    assert MARKERS_HOOK in failed_hooks(lint.stdout)
    relative = module.relative_to(clone).as_posix()
    assert f"{relative}:3: Merge conflict string '<<<<<<<' found" in lint.stdout
