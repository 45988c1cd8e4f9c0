"""CODE: the project has tests, and its package lives in a src layout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check.rule import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
SRC_PACKAGE = re.compile(r"^src/[^/]+/__init__\.py$")
FLAT_PACKAGE = re.compile(r"^(?!tests?/|docs/|src/)([^/]+)/__init__\.py$")


class NoTests(Rule):
    code = "CODE001"
    name = "no-tests"
    severity = ERROR
    summary = "no test files are tracked"
    fix = "add tests under tests/ (test_*.py) and run them in CI"

    def check(self, audit: Audit) -> Iterator[Finding]:
        if not any(TEST_FILE.search(path) for path in audit.entries):
            yield self.finding("tests/", "no test files are tracked (tests/test_*.py)", self.fix)


class NoSrcLayout(Rule):
    code = "CODE002"
    name = "no-src-layout"
    severity = ERROR
    summary = "the package is not in a src layout"
    fix = "move the package to src/<package>/ and point the build configuration at src/"

    def check(self, audit: Audit) -> Iterator[Finding]:
        paths = audit.entries
        if any(SRC_PACKAGE.match(path) for path in paths):
            return
        flat = sorted({m.group(1) for path in paths if (m := FLAT_PACKAGE.match(path))})
        if flat:
            yield self.finding(
                f"{flat[0]}/",
                f"the package '{flat[0]}' sits at the top level, not under src/",
                f"git mv {flat[0]} src/{flat[0]} and point the build configuration at src/",
            )
        else:
            yield self.finding(
                "src/",
                "no package under src/ (src/<package>/__init__.py)",
                "put the project's code in src/<package>/ with an __init__.py",
            )


RULES = (NoTests(), NoSrcLayout())
