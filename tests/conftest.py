"""Fixtures shared by the whole suite: baking the template, the local mlprod wheel, the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from bakery import REPO_ROOT, bake_project, generated_project_env, run, template_context

from mlprod.cli import main

MUTANT = pytest.StashKey[str]()


def pytest_configure(config):
    # Under mutation testing ([tool.mutmut] in pyproject.toml) the hooks are mutated copies,
    # which cookiecutter runs in a subprocess inheriting MUTANT_UNDER_TEST. mutmut tracks the
    # mutant of this process in its own variable too, so dropping the inherited copy lets
    # those subprocesses run the hooks as written instead of failing to record statistics.
    config.stash[MUTANT] = os.environ.pop("MUTANT_UNDER_TEST", "")


def pytest_collection_modifyitems(config, items):
    # Under mutation testing, the tests of the mutated module's mirror run first
    # (mlprod.check.rules.docs -> tests/check/rules/test_docs.py): they are the likeliest to
    # kill it, and mutmut stops at the first failure. Every `mlprod check` test runs every
    # rule, so in file order a rule's mutant would wait for hundreds of unrelated tests.
    module = re.split(r"\.x[_\u01c1]", config.stash.get(MUTANT, ""))[0]
    if module.startswith("mlprod."):
        *package, name = module.split(".")[1:]
        mirror = "/".join(["tests", *package, f"test_{name}.py"])
        items.sort(key=lambda item: not item.nodeid.startswith(mirror))


@pytest.fixture
def bake(tmp_path):
    """bake(**options) -> path of a project generated into a fresh temporary directory."""

    def _bake(**options: str) -> Path:
        out = tmp_path / f"bake{len(list(tmp_path.iterdir()))}"
        out.mkdir()
        return bake_project(out, **options)

    return _bake


@pytest.fixture(scope="module")
def module_tmp(request, tmp_path_factory):
    """module_tmp(name) -> a fresh directory for a module-scoped fixture.

    What it made is removed once the module's last test is done, unless one of them failed
    (then it stays to look at, as `tmp_path` does): each end-to-end module holds a baked
    project with its own environment, and keeping them all to the end of the session can
    fill a small disk.
    """
    made: list[Path] = []
    failed_before = request.session.testsfailed

    def mktemp(name: str) -> Path:
        made.append(tmp_path_factory.mktemp(name))
        return made[-1]

    yield mktemp
    if request.session.testsfailed == failed_before:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def git_dying_on(tmp_path, monkeypatch):
    """git_dying_on(command): from now on, `git <command>` is killed by a signal.

    Stand-in for a git killed mid-run (out of memory, say), which leaves nothing on stderr:
    a `git` first on PATH that kills itself on that command and hands every other to git.
    """

    def install(command: str) -> None:
        fake = tmp_path / "dying-git" / "git"
        fake.parent.mkdir()
        fake.write_text(
            f'#!/bin/sh\n[ "$1" = {command} ] && kill -9 $$\nexec {shutil.which("git")} "$@"\n'
        )
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")

    return install


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory) -> Path:
    """A directory holding a wheel of this checkout, for generated projects to install.

    Generated projects pin `mlprod==<version>`; the standard UV_FIND_LINKS / PIP_FIND_LINKS
    point their installers here. The wheel carries a local version label unique to this run
    (`<version>+t<ns>`, which `==<version>` accepts), so that no installer cache can hand out the
    wheel of an earlier build under the same name.
    """
    source = tmp_path_factory.mktemp("mlprod-source")
    for name in ("pyproject.toml", "README.md", "hooks", "src", "{{cookiecutter.project_slug}}"):
        copy = shutil.copytree if (REPO_ROOT / name).is_dir() else shutil.copy2
        copy(REPO_ROOT / name, source / name)
    context = (REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8")
    version = template_context()["_mlprod_version"]
    unique = f"{version}+t{time.time_ns()}"
    (source / "cookiecutter.json").write_text(
        context.replace(f'"_mlprod_version": "{version}"', f'"_mlprod_version": "{unique}"'),
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("wheels")
    uv = shutil.which("uv")
    cmd = (
        [uv, "build", "--wheel", "-o", str(out)]
        if uv
        else [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(source)]
    )
    run(*cmd, cwd=source)
    return out


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    """pre-commit's store for this run: hook environments keyed by `mlprod==<version>` must
    not be reused from an earlier build of the same version."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project_env(wheel_dir, pre_commit_home) -> dict:
    """Environment for running a generated project's make targets against the local wheel."""
    return generated_project_env(wheel_dir, pre_commit_home)


@pytest.fixture
def cli(capsys):
    """Run `mlprod ARGS` in this process; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_json(cli):
    def run(*args: str) -> dict:
        code, out, err = cli(*args, "--format", "json")
        assert code in (0, 1), err
        return json.loads(out)

    return run
