"""The recovery paths of the generated CONTRIBUTING.md, run as written.

Each test makes the mistake in a real clone (the hooks skipped with `--no-verify`, as
happens in a clone where `make setup` was not run), then runs the command block that
CONTRIBUTING.md gives for it, with only its `<placeholders>` filled in, in a shell with
the project's `.venv` activated.
"""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

import pytest
from bakery import run
from clones import Project, git, local_dvc_storage

pytestmark = pytest.mark.slow

PLACEHOLDER = re.compile(r"<[a-z][^<>]*>")


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home) -> Project:
    return Project(module_tmp("recovery"), wheel_dir, pre_commit_home)


@pytest.fixture
def clone(project, tmp_path) -> Path:
    return project.clone(tmp_path / "dev")


def recovery(clone: Path, title: str, **values: str) -> str:
    """The bash block after the paragraph starting with `**<title>`, placeholders filled."""
    text = (clone / "CONTRIBUTING.md").read_text()
    start = text.index(f"**{title}")
    block = re.search(r"```bash\n(.*?)```", text[start:], re.DOTALL)
    assert block, f"no command block after '{title}'"
    script = block.group(1)
    for placeholder, value in values.items():
        script = script.replace(f"<{placeholder}>", value)
    assert not PLACEHOLDER.search(script), script
    return script


def follow(project: Project, clone: Path, script: str) -> None:
    print(f"\n--- ran in {clone.name}:\n{script}")
    run("bash", "-euo", "pipefail", "-c", script, cwd=clone, env=project.shell_env(clone))


def commit_skipping_hooks(clone: Path, env: dict, message: str, *paths: str) -> None:
    git(clone, "add", "--force", *paths)
    git(clone, "commit", "--quiet", "--no-verify", "-m", message, env=env)


def reachable_blobs(clone: Path, *revisions: str) -> set[str]:
    listing = git(clone, "rev-list", "--objects", *revisions)
    return {line.split()[0] for line in listing.splitlines()}


def test_a_commit_on_main_moves_to_a_branch(project, clone):
    published = git(clone, "rev-parse", "origin/main").strip()
    (clone / "docs" / "glossary.md").write_text("# Glossary\n\nOpen rate: opens per send.\n")
    commit_skipping_hooks(clone, project.env, "Add a glossary", "docs/glossary.md")

    follow(project, clone, recovery(clone, "I committed on `main`", name="glossary"))

    assert git(clone, "rev-parse", "main").strip() == published
    assert git(clone, "branch", "--show-current").strip() == "feature/glossary"
    assert git(clone, "rev-parse", "HEAD~1").strip() == published
    assert git(clone, "log", "-1", "--format=%s").strip() == "Add a glossary"
    assert git(clone, "status", "--porcelain") == ""


def test_committed_data_moves_to_dvc_and_leaves_the_branch_history(project, clone, tmp_path):
    env = project.shell_env(clone)
    storage = tmp_path / "storage"
    local_dvc_storage(clone, storage, env)
    git(clone, "switch", "--quiet", "-c", "feature/emails")
    (clone / "docs" / "glossary.md").write_text("# Glossary\n\nOpen rate: opens per send.\n")
    commit_skipping_hooks(clone, env, "Add a glossary", "docs/glossary.md")
    big = clone / "data" / "raw" / "big.csv"
    big.parent.mkdir(parents=True)
    big.write_bytes(
        b"customer_id,opened\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(400_000))
    )
    content = big.read_bytes()
    commit_skipping_hooks(clone, env, "Add the email log", "data/raw/big.csv")
    git(clone, "push", "--quiet", "origin", "HEAD")
    data_blob = git(clone, "rev-parse", "HEAD:data/raw/big.csv").strip()
    assert data_blob in reachable_blobs(clone, "origin/feature/emails")

    follow(
        project,
        clone,
        recovery(clone, "I committed data to git", **{"what the branch changes": "Add a glossary"}),
    )

    # One commit on top of main, holding the glossary and the .dvc file, not the data.
    assert git(clone, "rev-parse", "HEAD~1") == git(clone, "rev-parse", "origin/main")
    assert sorted(git(clone, "show", "--name-only", "--format=", "HEAD").split()) == [
        "data/raw/big.csv.dvc",
        "docs/glossary.md",
    ]
    for branch in ("HEAD", "origin/feature/emails"):
        assert data_blob not in reachable_blobs(clone, branch)
    assert big.read_bytes() == content
    assert sum(1 for path in storage.rglob("*") if path.is_file()) == 1
    assert git(clone, "status", "--porcelain") == ""
    check = run("make", "check", cwd=clone, env=env)
    assert "DATA001" not in check.stdout


def test_a_committed_secret_leaves_the_branch_history(project, clone):
    env = project.shell_env(clone)
    git(clone, "switch", "--quiet", "-c", "feature/storage")
    module = next(p for p in (clone / "src").iterdir() if p.is_dir()) / "storage.py"
    leaked = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()[:16]
    module.write_text(f'"""Where the data lives."""\n\nACCESS_KEY_ID = "{leaked}"\n')
    relative = module.relative_to(clone).as_posix()
    commit_skipping_hooks(clone, env, "Add storage settings", relative)
    git(clone, "push", "--quiet", "origin", "HEAD")
    assert leaked in git(clone, "log", "-p", "origin/feature/storage")

    # Steps 1 and 2: the key was rotated; the new one goes to .env, the code reads it.
    rotated = "AKIA" + base64.b32encode(secrets.token_bytes(10)).decode()[:16]
    (clone / ".env").write_text(f"AWS_ACCESS_KEY_ID={rotated}\n")
    module.write_text(
        '"""Where the data lives."""\n\nimport os\n\n'
        'ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]\n'
    )
    follow(
        project,
        clone,
        recovery(
            clone,
            "I committed a secret",
            file=relative,
            **{"what the branch changes": "Read the storage key from the environment"},
        ),
    )

    assert git(clone, "rev-parse", "HEAD~1") == git(clone, "rev-parse", "origin/main")
    for branch in ("HEAD", "origin/feature/storage"):
        history = git(clone, "log", "-p", f"origin/main..{branch}")
        assert "os.environ" in history
        assert leaked not in history and rotated not in history
    assert git(clone, "ls-files", ".env") == ""
    assert git(clone, "status", "--porcelain") == ""
    assert "SEC" not in run("make", "check", cwd=clone, env=env).stdout
