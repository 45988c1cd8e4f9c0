import io
import json
import os
import sys

import pytest

from mlprod import __version__
from mlprod.check.audit import Result
from mlprod.check.report import (
    as_github,
    as_json,
    as_sarif,
    as_text,
    escape_data,
    escape_property,
    printable,
    statistics,
    uri,
    write,
)
from mlprod.check.rule import Finding
from mlprod.check.rules import CATALOGUE


def test_control_characters_and_undecodable_bytes_stay_on_one_line() -> None:
    assert printable("a\nb\tc\udcff: NB004") == "a\\nb\\tc\\xff: NB004"


def test_unicode_names_print_as_they_are() -> None:
    assert printable("daten/\u00fcbersicht.csv") == "daten/\u00fcbersicht.csv"


# Every format from one small result, compared with the exact text each tool reads.

NOTEBOOK = Finding(
    "NB004", "error", "a b.ipynb", "invalid JSON at line 1", "repair the notebook", 1
)
CODEOWNERS = Finding(
    "GIT004", "warning", ".github/CODEOWNERS", "no CODEOWNERS file", "add .github/CODEOWNERS"
)
NOTES = [("data/huge.bin", "a blob git could not read\r\nagain")]
RESULT = Result([NOTEBOOK, CODEOWNERS], 7, NOTES)
RULES = {code: CATALOGUE[code] for code in ("GIT004", "NB004")}


def test_text_lists_findings_then_notes_then_the_summary() -> None:
    assert as_text(RESULT) == (
        "a b.ipynb: NB004 invalid JSON at line 1 (fix: repair the notebook)\n"
        ".github/CODEOWNERS: GIT004 no CODEOWNERS file (fix: add .github/CODEOWNERS)\n"
        "note: data/huge.bin: not checked: a blob git could not read\\r\\nagain\n"
        "Found 1 error and 1 warning in 7 tracked files.\n"
    )
    assert as_text(Result([], 1, [])) == "All checks passed (1 tracked file).\n"


def test_json_carries_findings_notes_counts_and_files() -> None:
    assert json.loads(as_json(RESULT)) == {
        "findings": [NOTEBOOK.as_dict(), CODEOWNERS.as_dict()],
        "notes": [
            {"path": "data/huge.bin", "message": "not checked: a blob git could not read\r\nagain"}
        ],
        "errors": 1,
        "warnings": 1,
        "files": 7,
    }


def test_github_notes_are_notices_on_the_file() -> None:
    assert as_github(RESULT).splitlines()[2:] == [
        "::notice file=data/huge.bin::not checked: a blob git could not read%0D%0Aagain",
        "Found 1 error and 1 warning in 7 tracked files.",
    ]


def test_escape_data_encodes_percent_and_line_breaks() -> None:
    assert escape_data("50%\r\n") == "50%25%0D%0A"
    assert escape_property("a:b,c%\r") == "a%3Ab%2Cc%25%0D"


def test_sarif_run_carries_the_tool_the_notes_and_the_results() -> None:
    text = as_sarif(RESULT, RULES)
    assert text.startswith(
        '{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n'
    )
    assert text.endswith("\n}\n")
    [run] = json.loads(text)["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("mlprod check", __version__)
    assert driver["rules"][1] == {
        "id": "NB004",
        "name": "invalid-notebook",
        "shortDescription": {"text": CATALOGUE["NB004"].summary},
        "help": {"text": CATALOGUE["NB004"].fix},
        "defaultConfiguration": {"level": "error"},
    }
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "note",
                    "message": {"text": "not checked: a blob git could not read\r\nagain"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": "data/huge.bin",
                                    "uriBaseId": "%SRCROOT%",
                                }
                            }
                        }
                    ],
                }
            ],
        }
    ]
    assert run["results"] == [
        {
            "ruleId": "NB004",
            "ruleIndex": 1,
            "level": "error",
            "message": {"text": "invalid JSON at line 1 (fix: repair the notebook)"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "a%20b.ipynb", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1},
                    }
                }
            ],
        },
        {
            "ruleId": "GIT004",
            "ruleIndex": 0,
            "level": "warning",
            "message": {"text": "no CODEOWNERS file (fix: add .github/CODEOWNERS)"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": ".github/CODEOWNERS",
                            "uriBaseId": "%SRCROOT%",
                        }
                    }
                }
            ],
        },
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "./"),
        (".", "./"),
        ("./", "./"),
        ("data/raw file#1.csv", "data/raw%20file%231.csv"),
        ("caf\u00e9/x.csv", "caf%C3%A9/x.csv"),
        # An undecodable byte of the name is encoded as the byte it was.
        ("bad\udcff.ipynb", "bad%FF.ipynb"),
    ],
)
def test_uri_is_a_relative_percent_encoded_reference(path: str, expected: str) -> None:
    assert uri(path) == expected


def finding(code: str, path: str) -> Finding:
    return Finding(code, "error", path, "m", "f")


def test_statistics_align_counts_and_break_ties_by_code() -> None:
    findings = [finding("NB004", f"n{i}.ipynb") for i in range(10)]
    findings += [finding("SEC001", "b.py"), finding("GIT004", "a"), finding("SEC001", "c.py")]
    findings += [finding("GIT004", "d")]
    result = Result(findings, 20, [])
    assert statistics(result, CATALOGUE, "text") == (
        "10\tNB004   \tinvalid-notebook\n"
        " 2\tGIT004  \tno-review-files\n"
        f" 2\tSEC001  \t{CATALOGUE['SEC001'].name}\n"
    )
    assert statistics(result, CATALOGUE, "json") == (
        "[\n"
        '  {\n    "code": "NB004",\n    "name": "invalid-notebook",\n    "count": 10\n  },\n'
        '  {\n    "code": "GIT004",\n    "name": "no-review-files",\n    "count": 2\n  },\n'
        f'  {{\n    "code": "SEC001",\n    "name": "{CATALOGUE["SEC001"].name}",\n'
        '    "count": 2\n  }\n'
        "]\n"
    )


def test_statistics_of_no_findings_are_empty() -> None:
    assert statistics(Result([], 3, []), CATALOGUE, "text") == ""
    assert statistics(Result([], 3, []), CATALOGUE, "json") == "[]\n"


def test_write_prints_what_the_terminal_cannot_encode_as_escapes(monkeypatch) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", newline="")
    monkeypatch.setattr(sys, "stdout", stream)
    write("daten/\u00fcbersicht.csv: DATA001\nnext\n")
    assert stream.buffer.getvalue() == b"daten/\\xfcbersicht.csv: DATA001\nnext\n"


def test_write_to_a_closed_pipe_ends_quietly(monkeypatch) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = io.TextIOWrapper(io.FileIO(write_end, "w"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    write("a.ipynb: NB004 invalid\n")
    # Standard output now goes nowhere, so the interpreter's last flush cannot fail.
    assert os.write(write_end, b"more") == 4
    stream.close()


def test_json_is_indented_for_people_reading_it() -> None:
    assert as_json(Result([], 1, [])) == (
        '{\n  "findings": [],\n  "notes": [],\n  "errors": 0,\n  "warnings": 0,\n  "files": 1\n}\n'
    )
