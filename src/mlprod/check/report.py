"""Findings as text (one line each, then a summary) or as one JSON document."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlprod.check.rule import ERROR, WARNING, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Result

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """One line whatever the file name holds: control characters and undecodable bytes escaped."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def counts(result: Result) -> dict[str, int]:
    severities = [finding.severity for finding in result.findings]
    return {"errors": severities.count(ERROR), "warnings": severities.count(WARNING)}


def as_text(result: Result) -> str:
    lines = [printable(f"{f.path}: {f.code} {f.message} (fix: {f.fix})") for f in result.findings]
    tally = counts(result)
    files = plural(result.files, "tracked file")
    if result.findings:
        lines.append(
            f"Found {plural(tally['errors'], 'error')} and "
            f"{plural(tally['warnings'], 'warning')} in {files}."
        )
    else:
        lines.append(f"All checks passed ({files}).")
    return "\n".join(lines) + "\n"


def as_json(result: Result) -> str:
    document = {
        "findings": [finding.as_dict() for finding in result.findings],
        **counts(result),
        "files": result.files,
    }
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
