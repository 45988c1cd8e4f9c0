import os
import re
import subprocess
import sys
from pathlib import Path

import {{ cookiecutter.module_name }}

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_installed_version_matches_pyproject():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    assert {{ cookiecutter.module_name }}.__version__ == declared


def test_importing_the_package_gives_arrow_the_system_allocator():
    # Batch prediction's memory bound depends on it (see __init__.py).
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    package = {{ cookiecutter.module_name }}.__name__
    code = f"import {package}, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "system"


def test_the_runtime_does_not_import_the_dev_tools():
    # The pipeline, predict and serve run from `pip install .` alone; mlprod is a dev tool.
    package = {{ cookiecutter.module_name }}.__name__
    runtime = [
        name
        for name in ("stages", "predict", "serve")
        if (PROJECT_ROOT / "src" / package / f"{name}.py").is_file()
    ]
    imports = "; ".join(f"import {package}.{name}" for name in runtime)
    code = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.startswith('mlprod')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "stages" in runtime
    assert result.stdout.strip() == "[]"
