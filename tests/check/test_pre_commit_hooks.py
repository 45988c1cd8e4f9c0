"""The hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself inside `git commit`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from check.conftest import AWS_ID, CLEAN_NOTEBOOK, Repo

MANIFEST = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"


def test_manifest_is_valid_for_pre_commit() -> None:
    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(hooks) == {"mlprod-check", "mlprod-check-notebooks", "mlprod-check-data"}
    assert hooks["mlprod-check"]["always_run"] is True
    assert not any(hook["pass_filenames"] for hook in hooks.values())


def use_manifest_hooks(repo: Repo) -> None:
    """Point the repository's pre-commit config at the manifest's hooks, run in place."""
    hooks = yaml.safe_load(MANIFEST.read_text())
    for hook in hooks:
        hook["language"] = "system"  # the interpreter running these tests has mlprod
        hook.pop("minimum_pre_commit_version")
    repo.add(
        ".pre-commit-config.yaml", yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]})
    )


def commit(repo: Repo) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["git", "commit", "-qm", "change"], cwd=repo.root, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_commit_of_a_notebook_with_outputs_is_refused(repo: Repo) -> None:
    use_manifest_hooks(repo)
    assert commit(repo).returncode == 0
    notebook = json.loads(json.dumps(CLEAN_NOTEBOOK))
    notebook["cells"][1]["execution_count"] = 5
    repo.add("notebooks/explore.ipynb", json.dumps(notebook))
    refused = commit(repo)
    assert refused.returncode == 1
    assert "notebooks/explore.ipynb: NB001" in refused.stderr
    assert "mlprod check notebooks" in refused.stderr


@pytest.mark.slow
def test_commit_of_a_credential_is_refused(repo: Repo) -> None:
    use_manifest_hooks(repo)
    repo.add("src/churn/settings.py", "KEY = '" + AWS_ID + "'\n")
    refused = commit(repo)
    assert refused.returncode == 1
    assert "src/churn/settings.py: SEC001 an AWS access key id at line 1" in refused.stderr
