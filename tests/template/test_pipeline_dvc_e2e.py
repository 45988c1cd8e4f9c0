"""The DVC pipeline of a generated project across clones and parameter changes.

One clone runs `make pipeline` and `dvc push`; a fresh clone runs `make setup` and `dvc
pull` and must hold every output byte for byte. Parameter changes must re-run exactly the
stages that depend on them, as `dvc status` announces and `dvc repro` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bakery import run
from clones import (
    Project,
    git,
    local_dvc_storage,
    output_hashes,
    pipeline_outputs,
    pipeline_stages,
)

pytestmark = pytest.mark.slow

# The model's chain of stages; dvc.yaml may hold others beside it (they must not re-run).
STAGES = ["sample", "prepare", "train", "evaluate"]


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home) -> Project:
    return Project(module_tmp("pipeline"), wheel_dir, pre_commit_home)


def ran(output: str) -> list[str]:
    """Stages that `dvc repro` ran, in order."""
    return re.findall(r"^Running stage '([^']+)'", output, re.MULTILINE)


def changed(clone: Path, env: dict) -> list[str]:
    """Stages that `dvc status` reports as changed (its `<stage>:` lines)."""
    status = run("dvc", "status", cwd=clone, env=env).stdout
    return re.findall(r"^([a-z_-]+):$", status, re.MULTILINE)


def set_param(clone: Path, dotted: str, value) -> None:
    params = clone / "params.yaml"
    section, key = dotted.split(".")
    data = yaml.safe_load(params.read_text())
    assert key in data[section], f"params.yaml has no {dotted}"
    # Edit the one line, as a person would, keeping comments.
    lines = params.read_text().splitlines(keepends=True)
    inside = False
    for number, line in enumerate(lines):
        if re.match(rf"^{section}:", line):
            inside = True
        elif inside and re.match(rf"^\s+{key}:", line):
            lines[number] = re.sub(rf"({key}:\s*)[^\s#]+", rf"\g<1>{value}", line)
            break
    params.write_text("".join(lines))
    assert yaml.safe_load(params.read_text())[section][key] == value


def stage_outputs(clone: Path) -> dict[str, list[str]]:
    stages = pipeline_stages(clone)
    return {
        name: [out if isinstance(out, str) else next(iter(out)) for out in stage.get("outs", [])]
        for name, stage in stages.items()
    }


def test_push_then_a_fresh_clone_pulls_identical_outputs(project, tmp_path):
    storage = tmp_path / "storage"
    alice = project.clone(tmp_path / "alice")
    env = project.shell_env(alice)
    local_dvc_storage(alice, storage, env)
    git(alice, "switch", "--quiet", "-c", "feature/first-model")
    assert set(ran(run("make", "pipeline", cwd=alice, env=env).stdout)) == set(stage_outputs(alice))
    git(alice, "add", "dvc.lock", "reports")
    git(alice, "commit", "--quiet", "-m", "First model", env=env)
    run("dvc", "push", cwd=alice, env=env)
    git(alice, "push", "--quiet", "origin", "HEAD")
    produced = output_hashes(alice)
    assert sorted(produced) == pipeline_outputs(alice)

    # A teammate: a fresh clone, set up from scratch (its own .venv), then dvc pull.
    bob = tmp_path / "bob"
    run("git", "clone", "--quiet", "--branch", "feature/first-model", project.origin, bob,
        cwd=tmp_path)  # fmt: skip
    run("make", "setup", cwd=bob, env=project.env)
    bob_env = project.shell_env(bob)
    local_dvc_storage(bob, storage, bob_env)
    assert output_hashes(bob) == {}
    run("dvc", "pull", cwd=bob, env=bob_env)

    assert output_hashes(bob) == produced
    assert "up to date" in run("dvc", "status", cwd=bob, env=bob_env).stdout
    assert ran(run("make", "pipeline", cwd=bob, env=bob_env).stdout) == []
    assert git(bob, "status", "--porcelain") == ""


# Each change is made on top of the previous one, in one clone: the pipeline runs in full
# once, then only as far as each change reaches.
# The report reads the metrics, so it follows every change that reaches evaluate.
CHANGES = [
    ("evaluate.min_improvement", 0.01, ["evaluate", "report"]),
    ("model.learning_rate", 0.1, ["train", "evaluate", "report"]),
    ("prepare.test_share", 0.25, ["prepare", "train", "evaluate", "report"]),
    ("sample.rows", 6000, [*STAGES, "report"]),
]


def test_a_parameter_change_reruns_only_the_stages_that_depend_on_it(project, tmp_path):
    clone = project.clone(tmp_path / "dev")
    env = project.shell_env(clone)
    outs = stage_outputs(clone)
    assert set(ran(run("make", "pipeline", cwd=clone, env=env).stdout)) == set(outs)

    for param, value, expected in CHANGES:
        before = output_hashes(clone)
        set_param(clone, param, value)
        # dvc status names the stage whose own inputs changed; those downstream change
        # only when it has run, and dvc repro then runs them too.
        assert changed(clone, env) == expected[:1], param
        output = run("make", "pipeline", cwd=clone, env=env).stdout
        print(f"\n--- {param} = {value}: dvc repro ran {', '.join(ran(output))}")
        assert ran(output) == expected, param
        after = output_hashes(clone)
        for stage in outs:
            if stage in expected:
                continue
            assert f"Stage '{stage}' didn't change, skipping" in output
            for path in outs[stage]:
                assert after[path] == before[path], f"{param} changed {path}"
        assert changed(clone, env) == []
    assert after["data/raw/emails.csv"] != before["data/raw/emails.csv"]
