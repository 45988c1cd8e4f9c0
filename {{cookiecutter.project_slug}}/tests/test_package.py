import re
from pathlib import Path

import {{ cookiecutter.module_name }}

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_installed_version_matches_pyproject():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    assert {{ cookiecutter.module_name }}.__version__ == declared
