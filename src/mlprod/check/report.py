"""Findings in the formats people and tools read, all made from one list of findings:
text (one line each, then a summary), JSON, SARIF 2.1.0 (code scanning), GitHub Actions
workflow commands (annotations), and counts by code (`--statistics`)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

from mlprod import __version__
from mlprod.check.rule import ERROR, WARNING, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Result

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
NOT_CHECKED = "not checked: "


def printable(text: str) -> str:
    """One line whatever the file name holds: control characters and undecodable bytes escaped."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts(result: Result) -> dict[str, int]:
    severities = [finding.severity for finding in result.findings]
    return {"errors": severities.count(ERROR), "warnings": severities.count(WARNING)}


def summary(result: Result) -> str:
    tally = counts(result)
    files = plural(result.files, "tracked file")
    if result.findings:
        return (
            f"Found {plural(tally['errors'], 'error')} and "
            f"{plural(tally['warnings'], 'warning')} in {files}."
        )
    return f"All checks passed ({files})."


def as_text(result: Result) -> str:
    lines = [printable(f"{f.path}: {f.code} {f.message} (fix: {f.fix})") for f in result.findings]
    lines += [printable(f"note: {path}: {NOT_CHECKED}{why}") for path, why in result.notes]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def as_json(result: Result) -> str:
    document = {
        "findings": [finding.as_dict() for finding in result.findings],
        "notes": [{"path": path, "message": NOT_CHECKED + why} for path, why in result.notes],
        **counts(result),
        "files": result.files,
    }
    return json.dumps(document, indent=2) + "\n"


def statistics(result: Result, rules: dict[str, Rule], fmt: str) -> str:
    """Findings counted by code, most frequent first, as `ruff --statistics` prints them."""
    tally = Counter(finding.code for finding in result.findings)
    rows = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        document = [{"code": c, "name": rules[c].name, "count": n} for c, n in rows]
        return json.dumps(document, indent=2) + "\n"
    width = len(str(rows[0][1])) if rows else 1
    return "".join(f"{n:>{width}}\t{c:<8}\t{rules[c].name}\n" for c, n in rows)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(result: Result) -> str:
    """Workflow commands: GitHub Actions shows each as an annotation on the file and line."""
    lines = []
    for f in result.findings:
        where = f"file={escape_property(f.path)}"
        if f.line:
            where += f",line={f.line}"
        title = escape_property(f"{f.code} {f.severity}")
        message = escape_data(f"{f.message} (fix: {f.fix})")
        lines.append(f"::{f.severity} {where},title={title}::{message}")
    for path, why in result.notes:
        lines.append(f"::notice file={escape_property(path)}::{escape_data(NOT_CHECKED + why)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def sarif_result(finding: Finding, index: dict[str, int]) -> dict:
    region = {"region": {"startLine": finding.line}} if finding.line else {}
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": finding.severity,
        "message": {"text": f"{finding.message} (fix: {finding.fix})"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(finding.path), "uriBaseId": "%SRCROOT%"},
                    **region,
                }
            }
        ],
    }


def uri(path: str) -> str:
    """A relative URI reference: percent-encoded, '.' for the repository itself."""
    encoded = quote(path.encode("utf-8", "surrogateescape"), safe="/")
    return encoded if encoded not in ("", ".") else "./"


def as_sarif(result: Result, rules: dict[str, Rule]) -> str:
    """SARIF 2.1.0, as GitHub code scanning and other tools accept it."""
    index = {code: position for position, code in enumerate(rules)}
    driver = {
        "name": "mlprod check",
        "version": __version__,
        "rules": [
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "help": {"text": rule.fix},
                "defaultConfiguration": {"level": rule.severity},
            }
            for rule in rules.values()
        ],
    }
    notifications = [
        {
            "level": "note",
            "message": {"text": NOT_CHECKED + why},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        }
        for path, why in result.notes
    ]
    run = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": [sarif_result(finding, index) for finding in result.findings],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def catalogue(rules: Iterable[Rule]) -> str:
    return "".join(
        f"{rule.code:<8} {rule.severity:<8} {rule.name:<22} {rule.summary}\n" for rule in rules
    )


def rule_table(rules: Iterable[Rule]) -> str:
    """The catalogue as the Markdown table of the README (a test keeps the two equal)."""
    rows = [f"| {r.code} | {r.severity} | {r.name} | {r.summary} |\n" for r in rules]
    return "| code | severity | name | finding |\n| --- | --- | --- | --- |\n" + "".join(rows)


def write(text: str) -> None:
    """Print, surviving a closed pipe (`mlprod check | head`) and any terminal encoding."""
    try:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors="backslashreplace")
        for line in text.splitlines(keepends=True):
            sys.stdout.write(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the broken pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
