import tomllib
from pathlib import Path

import {{ cookiecutter.module_name }}

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_installed_version_matches_pyproject():
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as f:
        declared = tomllib.load(f)["project"]["version"]
    assert {{ cookiecutter.module_name }}.__version__ == declared
