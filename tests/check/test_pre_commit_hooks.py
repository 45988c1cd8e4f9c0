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
    assert hooks["mlprod-check"]["pass_filenames"] is False
    # The subsets take the staged files; their repository rules must run once, not per batch.
    for name in ("mlprod-check-notebooks", "mlprod-check-data"):
        assert hooks[name]["pass_filenames"] is True
        assert hooks[name]["require_serial"] is True
        assert hooks[name]["entry"].endswith(" --files")


def use_manifest_hooks(repo: Repo, *ids: str) -> None:
    """Point the repository's pre-commit config at the manifest's hooks (all, or those
    named), run in place."""
    hooks = [h for h in yaml.safe_load(MANIFEST.read_text()) if not ids or h["id"] in ids]
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


@pytest.mark.slow
def test_data_hook_checks_what_the_commit_changes(repo: Repo) -> None:
    use_manifest_hooks(repo, "mlprod-check-data")
    # A legacy data file already in the history: the full audit reports it ...
    repo.add("legacy/old.csv", "a,b\n" * 30_000)
    repo.git("commit", "-qm", "legacy", "--no-verify")
    assert repo.check().codes == {"DATA001"}
    # ... but a commit that does not touch it is not blocked by it,
    repo.add("src/churn/model.py", "WEIGHT = 1\n")
    assert commit(repo).returncode == 0
    # while a commit that adds a large file is.
    repo.add("reports/new.csv", "a,b\n" * 30_000)
    refused = commit(repo)
    assert refused.returncode == 1
    assert "reports/new.csv: DATA001" in refused.stderr
    assert "legacy/old.csv" not in refused.stderr
