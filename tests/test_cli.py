"""The `mlprod` entry point: version, help, exit codes."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from bakery import REPO_ROOT, template_context


def mlprod(*args):
    return subprocess.run([sys.executable, "-m", "mlprod", *args], capture_output=True, text=True)


def test_version_is_the_template_version():
    result = mlprod("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlprod {template_context()['_mlprod_version']}"


def test_no_command_prints_help_and_exits_2():
    result = mlprod()
    assert result.returncode == 2
    assert "new" in result.stdout


def test_console_script_is_declared():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["mlprod"] == "mlprod.cli:main"


def test_readme_options_table_matches_cookiecutter_json():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) > 3
    }
    for option, value in template_context().items():
        if option.startswith("_"):
            continue
        assert option in rows, option
        if isinstance(value, list):
            assert rows[option] == ", ".join(value), option
