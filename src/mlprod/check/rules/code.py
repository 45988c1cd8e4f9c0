"""CODE: the project has tests, and its package lives in a src layout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check.finding import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

CODE001 = Rule("CODE001", ERROR, "no tests")
CODE002 = Rule("CODE002", ERROR, "the package is not in a src layout")
RULES = (CODE001, CODE002)

TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
SRC_PACKAGE = re.compile(r"^src/[^/]+/__init__\.py$")
FLAT_PACKAGE = re.compile(r"^(?!tests?/|docs/|src/)([^/]+)/__init__\.py$")


def check(audit: Audit) -> Iterator[Finding]:
    paths = audit.entries
    if not any(TEST_FILE.search(path) for path in paths):
        yield CODE001.finding(
            "tests/",
            "no test files are tracked (tests/test_*.py)",
            "add tests under tests/ (test_*.py) and run them in CI",
        )
    if not any(SRC_PACKAGE.match(path) for path in paths):
        flat = sorted({m.group(1) for path in paths if (m := FLAT_PACKAGE.match(path))})
        if flat:
            yield CODE002.finding(
                f"{flat[0]}/",
                f"the package '{flat[0]}' sits at the top level, not under src/",
                f"git mv {flat[0]} src/{flat[0]} and point the build configuration at src/",
            )
        else:
            yield CODE002.finding(
                "src/",
                "no package under src/ (src/<package>/__init__.py)",
                "put the project's code in src/<package>/ with an __init__.py",
            )
