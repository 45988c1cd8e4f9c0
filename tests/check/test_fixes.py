"""Every fix, followed literally in a real repository, removes its finding and breaks nothing.

Each test breaks a compliant repository the way real repositories were found broken, takes
the fix text of the finding, does exactly what it says (a command is run as written, by
bash; an edit is made as worded), and audits again: no finding may remain, of any code.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from check.conftest import AWS_ID, CLEAN_NOTEBOOK, Repo

BIN = str(Path(sys.executable).parent)


def shell(repo: Repo, command: str) -> None:
    # No editor and no terminal: a fix that would stop to ask something fails instead.
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "DVC_NO_ANALYTICS": "1",
        "GIT_EDITOR": "false",
    }
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"


def only(repo: Repo, code: str) -> dict:
    findings = repo.check().findings
    assert [f["code"] for f in findings] == [code], findings
    return findings[0]


def exempt(repo: Repo, fix: str) -> None:
    """Follow `add "PATH" = ["CODE"] under [TABLE] in pyproject.toml`."""
    match = re.search(r'add ("[^"]+" = \["\w+"\]) under \[([\w.-]+)\] in pyproject\.toml', fix)
    assert match, fix
    with (repo.root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(f"\n[{match.group(2)}]\n{match.group(1)}\n")


def test_env_not_ignored_fix(repo: Repo) -> None:
    repo.add(".gitignore", repo.read(".gitignore").replace(".env\n", ""))
    finding = only(repo, "SEC002")
    assert finding["fix"] == "printf '%s\\n' .env >> .gitignore"
    shell(repo, finding["fix"])
    repo.git("add", ".gitignore")
    assert repo.check().findings == []


def test_tracked_env_with_values_fix(repo: Repo) -> None:
    repo.add("services/api/.env", "TOKEN=abc\n")
    finding = only(repo, "SEC002")
    assert finding["fix"] == (
        "git rm --cached services/api/.env; then rotate the secrets it held (they stay in git "
        "history) and commit a .env.example with placeholders"
    )
    shell(repo, finding["fix"].split(";")[0])
    assert repo.check().findings == []


def test_tracked_env_of_comments_only_fix(repo: Repo) -> None:
    repo.add(".env", "# Copy to .env and fill in:\n# AWS_ACCESS_KEY_ID=\n\n")
    finding = only(repo, "SEC002")
    assert finding["message"] == (
        "an environment file is tracked by git (it holds only comments so far)"
    )
    assert finding["fix"] == "git mv .env .env.example"
    shell(repo, finding["fix"])
    assert repo.check().findings == []
    assert (repo.root / ".env.example").exists()


def test_throwaway_key_in_tests_fix_names_per_file_ignores(repo: Repo) -> None:
    repo.add("tests/fixtures/settings.py", f"KEY = '{AWS_ID}'\n")
    finding = only(repo, "SEC001")
    assert finding["fix"].startswith(
        'if it is a throwaway test key, add "tests/fixtures/settings.py" = ["SEC001"] under '
        "[tool.mlprod.per-file-ignores] in pyproject.toml; if it is real, remove it, rotate"
    )
    exempt(repo, finding["fix"])
    assert repo.check().findings == []


def test_real_key_fix_removes_it(repo: Repo) -> None:
    repo.add("src/churn/settings.py", f"REGION = 'eu'\nKEY = '{AWS_ID}'\n")
    finding = only(repo, "SEC001")
    assert finding["line"] == 2
    assert finding["fix"].startswith("remove it, rotate the credential (it stays in git history)")
    assert "per-file-ignores" in finding["fix"]  # how a documented dummy is exempted
    repo.add("src/churn/settings.py", "REGION = 'eu'\nKEY = os.environ['KEY']\n")
    assert repo.check().findings == []


def test_data_folder_not_ignored_fix_keeps_pointers_addable(repo: Repo) -> None:
    repo.add(".gitignore", ".env\n/models/**\n!/models/**/\n!/models/**/*.dvc\n")
    finding = only(repo, "DATA004")
    shell(repo, finding["fix"])
    repo.git("add", ".gitignore")
    assert repo.check().findings == []
    repo.write("data/raw/x.csv", "a\n1\n")
    repo.write("data/raw/x.csv.dvc", "outs:\n- path: x.csv\n")
    repo.write("data/raw/.gitignore", "/x.csv\n")
    repo.git("add", "data/raw/x.csv.dvc", "data/raw/.gitignore")  # fails if ignored
    assert repo.git("check-ignore", "data/raw/x.csv").strip() == "data/raw/x.csv"


def test_whole_data_folder_ignored_fix(repo: Repo) -> None:
    gitignore = repo.read(".gitignore")
    repo.add(".gitignore", "/data/\n" + gitignore.replace("/data/**\n", ""))
    finding = only(repo, "DATA004")
    match = re.fullmatch(r"delete line (\d+) \(`(.+?)`\) from (\S+), then (.+)", finding["fix"])
    assert match and match.group(1, 2, 3) == ("1", "/data/", ".gitignore"), finding["fix"]
    lines = repo.read(".gitignore").splitlines(keepends=True)
    del lines[int(match.group(1)) - 1]
    repo.write(".gitignore", "".join(lines))
    shell(repo, match.group(4))
    repo.git("add", ".gitignore")
    assert repo.check().findings == []
    repo.write("data/x.csv.dvc", "outs:\n- path: x.csv\n")
    repo.git("add", "data/x.csv.dvc")


def test_notebook_with_outputs_fix(repo: Repo) -> None:
    notebook = json.loads(json.dumps(CLEAN_NOTEBOOK))
    notebook["cells"][1]["execution_count"] = 3
    notebook["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    repo.add("notebooks/explore.ipynb", json.dumps(notebook))
    finding = only(repo, "NB001")
    assert finding["fix"] == "nbstripout notebooks/explore.ipynb && git add notebooks/explore.ipynb"
    shell(repo, finding["fix"])
    assert repo.check().findings == []


def test_large_notebook_fix_strips_outputs_rather_than_dvc(repo: Repo) -> None:
    # 1.99 MB of plots, as in the notebook that became 17 kB once stripped.
    image = base64.b64encode(os.urandom(1_490_000)).decode()
    notebook = json.loads(json.dumps(CLEAN_NOTEBOOK))
    notebook["cells"][1]["execution_count"] = 1
    notebook["cells"][1]["outputs"] = [
        {"output_type": "display_data", "data": {"image/png": image}, "metadata": {}}
    ]
    repo.add("notebooks/plots.ipynb", json.dumps(notebook))
    [large] = repo.check().of("DATA001")
    assert large["message"] == "file of 1.99 MB is tracked by git (limit 1.00 MB)"
    assert large["fix"] == "nbstripout notebooks/plots.ipynb && git add notebooks/plots.ipynb"
    shell(repo, large["fix"])
    assert repo.check().findings == []


def test_documentation_image_fix_keeps_it_in_git(repo: Repo) -> None:
    repo.add("docs/img/architecture.png", b"\x89PNG" + os.urandom(1_200_000))
    finding = only(repo, "DATA001")
    assert "dvc" not in finding["fix"]
    exempt(repo, finding["fix"])
    assert repo.check().findings == []


def test_hooks_path_fix_unsets_it_then_installs(repo: Repo) -> None:
    (repo.root / ".git/hooks/pre-commit").unlink()
    repo.git("config", "core.hooksPath", ".githooks")
    finding = only(repo, "GIT002")
    assert finding["fix"] == (
        "pre-commit install refuses to run while core.hooksPath is set: "
        "git config --unset-all core.hooksPath && make setup"
    )
    shell(repo, finding["fix"].split(": ", 1)[1])
    assert repo.check().findings == []


def test_hooks_path_in_global_config_names_the_scope(repo: Repo) -> None:
    (repo.root / ".git/hooks/pre-commit").unlink()
    subprocess.run(["git", "config", "--global", "core.hooksPath", "/nonexistent"], check=True)
    finding = only(repo, "GIT002")
    assert finding["fix"].startswith(
        "pre-commit install refuses to run while core.hooksPath is set (it is set in the global"
        " git config, for every repository): git config --global --unset-all core.hooksPath"
    )
    shell(repo, finding["fix"].split(": ", 1)[1])
    assert repo.check().findings == []


def test_ci_without_tests_fix(repo: Repo) -> None:
    workflow = "jobs:\n  lint:\n    steps:\n      - run: mise run lint\n"
    repo.add(".github/workflows/ci.yml", workflow)
    finding = only(repo, "GIT003")
    assert finding["path"] == ".github/workflows/ci.yml"
    assert finding["fix"] == (
        "add a step that runs the tests (e.g. `make test` or `pytest`) to .github/workflows/ci.yml"
    )
    document = yaml.safe_load(workflow)
    document["jobs"]["lint"]["steps"].append({"run": "make test"})
    repo.add(".github/workflows/ci.yml", yaml.safe_dump(document))
    assert repo.check().findings == []


def test_lefthook_without_mlprod_fix(repo: Repo) -> None:
    repo.remove(".pre-commit-config.yaml")
    repo.add("lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: ruff check\n")
    finding = only(repo, "GIT005")
    assert finding["fix"] == (
        "add pre-commit: commands: mlprod: run: mlprod check to lefthook.yml, then commit it"
    )
    config = yaml.safe_load(repo.read("lefthook.yml"))
    config["pre-commit"]["commands"]["mlprod"] = {"run": "mlprod check"}
    repo.add("lefthook.yml", yaml.safe_dump(config))
    assert repo.check().findings == []


@pytest.mark.slow
def test_large_data_file_fix_moves_it_to_dvc(repo: Repo) -> None:
    repo.add("reports/scores.csv", "a,b\n" * 30_000)
    finding = only(repo, "DATA001")
    shell(repo, finding["fix"])
    assert repo.check().findings == []
    assert (repo.root / "reports/scores.csv.dvc").exists()
    assert "reports/scores.csv" not in repo.git("ls-files").splitlines()


def test_notebook_attributes_fix(repo: Repo) -> None:
    repo.add(".gitattributes", "*.py text\n")
    findings = repo.check().findings
    assert {f["code"] for f in findings} == {"NB002", "NB003"}
    [fix] = {f["fix"] for f in findings}
    line = re.fullmatch(r"add `(.+)` to \.gitattributes", fix).group(1)
    with (repo.root / ".gitattributes").open("a") as attributes:
        attributes.write(line + "\n")
    repo.git("add", ".gitattributes")
    assert repo.check().findings == []


def test_repository_without_commit_fix(repo: Repo) -> None:
    repo.git("update-ref", "-d", "HEAD")  # the files stay staged, the commit is gone
    finding = only(repo, "GIT001")
    assert finding["fix"] == "git add -A && git commit -m 'Initial commit'"
    shell(repo, finding["fix"])
    assert repo.check().findings == []


@pytest.mark.slow
def test_dvc_not_initialised_fix(repo: Repo) -> None:
    repo.remove(".dvc/config")
    repo.remove(".dvc/.gitignore")
    shutil.rmtree(repo.root / ".dvc")
    finding = only(repo, "DATA002")
    shell(repo, finding["fix"])
    # A new DVC project has no remote yet: the next finding, and its own fix, follow.
    remote = only(repo, "DATA003")
    assert remote["fix"] == "dvc remote add --default NAME URL, then commit .dvc/config"
    shell(repo, "dvc remote add --default storage /tmp/store && git add .dvc/config")
    assert repo.check().findings == []
