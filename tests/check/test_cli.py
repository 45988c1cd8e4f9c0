import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from check.conftest import COMPLIANT_FILES, Repo, run_check
from mlprod.check.audit import Selection
from mlprod.check.cli import codes, in_repository, selection
from mlprod.check.config import Settings
from mlprod.check.rules import CATALOGUE
from mlprod.cli import main
from mlprod.errors import UsageError


def test_text_output_is_one_line_per_finding_then_a_summary(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.remove(".github/CODEOWNERS")
    checked = run_check(str(repo.root))
    assert checked.stdout.splitlines() == [
        ".github/CODEOWNERS: GIT004 no CODEOWNERS file, so no reviewer is requested automatically"
        " (fix: add .github/CODEOWNERS (GitLab: .gitlab/CODEOWNERS) naming the owners)",
        "tests/: CODE001 no test files are tracked (tests/test_*.py) "
        "(fix: add tests under tests/ (test_*.py) and run them in CI)",
        f"Found 1 error and 1 warning in {len(COMPLIANT_FILES) - 2} tracked files.",
    ]
    assert checked.code == 1


def test_clean_repository_exits_zero_with_a_summary(repo: Repo) -> None:
    checked = run_check(str(repo.root))
    assert checked.stdout == f"All checks passed ({len(COMPLIANT_FILES)} tracked files).\n"
    assert checked.code == 0


def test_warnings_alone_exit_zero(repo: Repo) -> None:
    repo.remove(".github/CODEOWNERS")
    assert repo.check().code == 0


def test_json_output_holds_findings_and_summary(repo: Repo) -> None:
    repo.remove(".github/CODEOWNERS")
    document = json.loads(repo.check().stdout)
    assert document["errors"] == 0
    assert document["warnings"] == 1
    assert document["files"] == len(COMPLIANT_FILES) - 1
    assert set(document["findings"][0]) == {"code", "severity", "path", "line", "message", "fix"}
    assert document["notes"] == []


def test_select_takes_prefixes_and_codes(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.remove(".github/CODEOWNERS")
    assert repo.check("--select", "CODE").codes == {"CODE001"}
    assert repo.check("--select", "git004,DATA").codes == {"GIT004"}
    assert repo.check("--ignore", "CODE001").codes == {"GIT004"}
    assert repo.check("--select", "ALL", "--ignore", "GIT,CODE").code == 0


def test_unknown_code_is_a_usage_error(repo: Repo) -> None:
    checked = repo.check("--select", "NB,XYZ001")
    assert checked.code == 2
    assert checked.stdout == ""
    assert checked.stderr == (
        "mlprod check: error: unknown rule code 'XYZ001' in --select; use ALL, a prefix "
        "(GIT, NB, DATA, SEC, DOC, CODE, TPL) or a code such as NB001\n"
    )


def test_nonexistent_path_is_a_usage_error(tmp_path) -> None:
    checked = run_check(str(tmp_path / "missing"))
    assert checked.code == 2
    assert checked.stderr.count("\n") == 1
    assert "does not exist" in checked.stderr


def test_file_path_is_a_usage_error(repo: Repo) -> None:
    checked = run_check(str(repo.root / "README.md"))
    assert checked.code == 2
    assert "is not a directory" in checked.stderr


def test_list_rules_prints_the_catalogue(repo: Repo) -> None:
    checked = run_check("--list-rules")
    assert [line.split()[0] for line in checked.stdout.splitlines()] == list(CATALOGUE)
    assert checked.code == 0


def test_rule_codes_are_the_documented_contract() -> None:
    assert set(CATALOGUE) >= {
        *(f"GIT00{n}" for n in range(1, 5)),
        *(f"NB00{n}" for n in range(1, 5)),
        *(f"DATA00{n}" for n in range(1, 5)),
        *(f"SEC00{n}" for n in range(1, 4)),
        *(f"DOC00{n}" for n in range(1, 4)),
        "CODE001",
        "CODE002",
    }
    assert {CATALOGUE[code].severity for code in ("GIT004", "NB003")} == {"warning"}


def test_closed_pipe_ends_quietly(repo: Repo) -> None:
    for n in range(600):  # 150 kB of findings: more than a pipe holds
        repo.write(f"services/s{n}/.env", "TOKEN=x\n")
    repo.git("add", "-f", "services")
    script = f"{sys.executable} -m mlprod check {repo.root} | head -n 1"
    result = subprocess.run(script, shell=True, capture_output=True, text=True)
    assert result.stdout.startswith("services/s")
    assert result.stderr == ""


def test_console_script_has_one_line_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "check", "/nonexistent/repo"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "mlprod check: error: /nonexistent/repo does not exist; "
        "pass the directory of a repository\n"
    )


def test_files_limit_per_file_rules_to_the_files_passed(repo: Repo, tmp_path, monkeypatch) -> None:
    repo.add("legacy/old.csv", "a,b\n" * 30_000)
    repo.add("notebooks/bad.ipynb", "{")
    repo.add("src/churn/model.py", "W = 1\n")
    repo.add(".gitignore", repo.read(".gitignore").replace(".env\n", ""))
    trace = tmp_path / "trace.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
    monkeypatch.chdir(repo.root / "src")
    checked = run_check(str(repo.root), "--format", "json", "--select", "DATA,SEC,NB004")
    assert checked.codes == {"DATA001", "NB004", "SEC002"}
    trace.unlink()
    checked = run_check(
        str(repo.root),
        "--format",
        "json",
        "--select",
        "DATA,SEC,NB004",
        "--files",
        "churn/model.py",
    )
    # The repository rule (.env not ignored) still runs; no other file is read or listed.
    assert [(f["code"], f["path"]) for f in checked.findings] == [("SEC002", ".gitignore")]
    assert json.loads(checked.stdout)["files"] == 1
    listings = [
        e["argv"]
        for e in map(json.loads, trace.read_text().splitlines())
        if e.get("event") == "start" and "ls-files" in e["argv"]
    ]
    assert listings and all(argv[-1] != "--" for argv in listings), listings


def test_files_outside_the_repository_are_a_usage_error(repo: Repo, tmp_path) -> None:
    checked = run_check(str(repo.root), "--files", str(tmp_path / "elsewhere.csv"))
    assert checked.code == 2
    assert "is outside the repository" in checked.stderr


def test_the_folder_holding_the_repository_is_outside_it(tmp_path) -> None:
    root = tmp_path / "repo"
    with pytest.raises(UsageError) as error:
        in_repository([str(tmp_path)], root)
    assert str(error.value) == f"{tmp_path} is outside the repository {root}; pass files inside it"
    assert in_repository([str(root / "data" / "a.csv"), str(root)], root) == ["data/a.csv", "."]


def test_code_lists_skip_empty_items() -> None:
    assert codes("NB,, git004,") == ("NB", " git004")
    assert codes(",") == ()


CHECK_HELP = """\
usage: mlprod check [-h] [--format {text,json,sarif,github}] [--statistics] [--files [FILE ...]]
                    [--select CODES] [--ignore CODES] [--list-rules]
                    [path]

Audit a git repository against the standards of the generated project. Exit 0: no error; 1: errors
found; 2: usage error.

positional arguments:
  path                  repository (default: .)

options:
  -h, --help            show this help message and exit
  --format {text,json,sarif,github}
                        text; json; sarif (SARIF 2.1.0, for code scanning); github (annotations)
  --statistics          print the number of findings of each code
  --files [FILE ...]    check only these files with the per-file rules (what pre-commit passes);
                        the repository rules still run once
  --select CODES        comma-separated codes or prefixes, e.g. NB,DATA001
  --ignore CODES        codes or prefixes to skip
  --list-rules          print the rule catalogue and exit
"""


def test_help_documents_every_option(monkeypatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == CHECK_HELP


def test_the_current_directory_is_checked_by_default(repo: Repo, monkeypatch) -> None:
    monkeypatch.chdir(repo.root)
    checked = run_check()
    assert checked.code == 0
    assert checked.stdout == f"All checks passed ({len(COMPLIANT_FILES)} tracked files).\n"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing", "does not exist; pass the directory of a repository"),
        ("README.md", "is not a directory; pass the directory of a repository"),
    ],
)
def test_a_path_that_is_not_a_directory_is_refused(repo: Repo, name: str, problem: str) -> None:
    checked = run_check(str(repo.root / name))
    assert (checked.code, checked.stdout) == (2, "")
    assert checked.stderr == f"mlprod check: error: {repo.root / name} {problem}\n"


def test_an_unreadable_directory_is_refused(repo: Repo, monkeypatch) -> None:
    # Simulated: these tests may run as root, for whom a mode of 100 does not stop reading.
    # The directory can be searched (X_OK), not listed (R_OK).
    allowed = os.access

    def access(path, mode):
        return not mode & os.R_OK if Path(path) == repo.root else allowed(path, mode)

    monkeypatch.setattr(os, "access", access)
    checked = run_check(str(repo.root))
    assert (checked.code, checked.stdout) == (2, "")
    assert checked.stderr == (
        f"mlprod check: error: {repo.root} cannot be read; check its permissions\n"
    )


def chosen(select=None, ignore=None, settings: Settings | None = None) -> Selection:
    return selection(argparse.Namespace(select=select, ignore=ignore), settings or Settings())


def prefixed(prefix: str) -> set[str]:
    return {code for code in CATALOGUE if code.startswith(prefix)}


def test_selection_takes_the_configured_select_unless_the_command_line_has_one() -> None:
    assert chosen() == Selection(set(CATALOGUE), [])
    assert chosen(select=("GIT",)).enabled == prefixed("GIT")
    assert chosen(("NB001",), settings=Settings(select=("GIT",))).enabled == {"NB001"}
    assert chosen(settings=Settings(select=("NB001", "NB002"))).enabled == {"NB001", "NB002"}


def test_ignores_from_the_configuration_and_the_command_line_both_apply() -> None:
    enabled = chosen(("NB",), ("NB001",), Settings(ignore=("NB002",))).enabled
    assert enabled == prefixed("NB") - {"NB001", "NB002"}
    settings = Settings(per_file_ignores={"legacy/*": ("DATA", "SEC001")})
    assert chosen(settings=settings).file_ignores == [("legacy/*", prefixed("DATA") | {"SEC001"})]


@pytest.mark.parametrize(
    ("select", "ignore", "settings", "source"),
    [
        (("QQ",), None, Settings(), "--select"),
        (None, ("QQ",), Settings(), "--ignore"),
        (None, None, Settings(select=("QQ",)), "[tool.mlprod] select"),
        (None, None, Settings(ignore=("QQ",)), "[tool.mlprod] ignore"),
        (
            None,
            None,
            Settings(per_file_ignores={"a/*": ("QQ",)}),
            '[tool.mlprod] per-file-ignores."a/*"',
        ),
    ],
)
def test_an_unknown_code_names_where_it_came_from(select, ignore, settings, source) -> None:
    with pytest.raises(UsageError) as error:
        chosen(select, ignore, settings)
    assert str(error.value) == (
        f"unknown rule code 'QQ' in {source}; use ALL, a prefix "
        "(GIT, NB, DATA, SEC, DOC, CODE, TPL) or a code such as NB001"
    )


def test_a_subdirectory_is_checked_with_the_repository_s_configuration(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.write(
        "pyproject.toml", '[project]\nname = "churn"\n\n[tool.mlprod]\nignore = ["CODE001"]\n'
    )
    checked = run_check(str(repo.root / "src" / "churn"), "--format", "json")
    assert (checked.code, checked.findings) == (0, [])


def test_files_passed_outside_any_repository_still_get_the_repository_finding(
    empty_dir: Path,
) -> None:
    checked = run_check(str(empty_dir), "--format", "json", "--files", "a.csv")
    assert checked.code == 1
    assert [(f["code"], f["path"]) for f in checked.findings] == [("GIT001", str(empty_dir))]
