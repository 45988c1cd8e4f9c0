"""CI runs exactly what a developer runs: the generated CI configuration, run locally.

The test reads the commands of the generated GitHub workflow or GitLab pipeline, in order,
and runs them in a fresh clone of the project. Only the platform's own set-up is left out:
the checkout and Python set-up (`uses:` steps, the job's `image:`) and the installation of
uv (`python -m pip install uv==<pinned>`), which a developer machine already has. Every
other command must be a target of the project's Makefile, so CI can do nothing a developer
cannot.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from audit.conftest import write_zip
from bakery import run, template_context

pytestmark = pytest.mark.slow

# The platform's install of uv, pinned to the template's version; not run locally.
UV_INSTALL = f"python -m pip install uv=={template_context()['_uv_version']}"
GITLAB_KEYWORDS = {"workflow", "stages", "variables", "default", "include", "image", "services"}


def github_commands(project: Path) -> list[str]:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    return [
        step["run"].strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]


def gitlab_commands(project: Path) -> list[str]:
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    return [
        command.strip()
        for name, job in pipeline.items()
        if name not in GITLAB_KEYWORDS and not name.startswith(".")
        for part in ("before_script", "script", "after_script")
        for command in job.get(part, [])
    ]


def make_targets(project: Path) -> set[str]:
    return set(re.findall(r"^([a-zA-Z_-]+):", (project / "Makefile").read_text(), re.MULTILINE))


@pytest.mark.parametrize(
    ("ci", "commands_of"), [("github", github_commands), ("gitlab", gitlab_commands)]
)
def test_ci_commands_are_make_targets_that_pass_in_a_fresh_clone(
    bake, tmp_path, project_env, ci, commands_of
):
    project = bake(ci=ci)
    commands = commands_of(project)
    assert UV_INSTALL in commands
    local = [command for command in commands if command != UV_INSTALL]
    targets = make_targets(project)
    for command in local:
        words = command.split()
        assert words[0] == "make" and len(words) == 2 and words[1] in targets, command
    assert local[0] == "make setup"

    clone = tmp_path / "ci-checkout"
    run("git", "clone", "--quiet", project, clone, cwd=tmp_path)
    # osv.dev cannot be reached from the test machine: `make audit` reads the test records
    # of OSV offline (AUDIT_DB), as a CI without network would.
    env = {**project_env, "AUDIT_DB": str(write_zip(tmp_path / "all.zip"))}
    print(f"\n{ci}: {' && '.join(local)}")
    for command in local:
        run("bash", "-c", command, cwd=clone, env=env)
    # CI leaves the checkout as it found it, apart from what the pipeline produced.
    modified = run("git", "status", "--porcelain", cwd=clone).stdout.splitlines()
    assert all(line.startswith("??") for line in modified), modified
    audit_judges_what_is_installed(clone, tmp_path / "advisory", env)


def audit_judges_what_is_installed(project: Path, database: Path, env: dict) -> None:
    """`make audit` reads the project's .venv: an advisory naming the skops release installed
    there fails it, with one line; accepting that advisory lets it pass, with a note."""
    version = run(
        ".venv/bin/python",
        "-c",
        "from importlib.metadata import version; print(version('skops'))",
        cwd=project,
    ).stdout.strip()
    database.mkdir()
    advisory = {
        "id": "TEST-INSTALLED",
        "aliases": ["CVE-0000-0001"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "skops"}, "versions": [version]}],
    }
    (database / "TEST-INSTALLED.json").write_text(json.dumps(advisory))
    found = subprocess.run(
        ["make", "audit", f"AUDIT_DB={database}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 2 and "audit] Error 1" in found.stderr  # make's status
    assert f"skops {version}: TEST-INSTALLED (CVE-0000-0001): no fixed version\n" in found.stdout
    assert "note: my-ml-project not audited: editable install of file://" in found.stdout
    accepted = run(
        "make", "audit", f"AUDIT_DB={database}", "AUDIT_IGNORE=CVE-0000-0001", cwd=project, env=env
    ).stdout
    assert "note: ignored (--ignore): skops" in accepted
    assert ", 1 ignored (OSV database " in accepted


def test_github_and_gitlab_run_the_same_commands(bake):
    github, gitlab = bake(ci="github"), bake(ci="gitlab")
    assert github_commands(github) == gitlab_commands(gitlab)
