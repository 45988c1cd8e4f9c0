"""The wheel carries the template: `mlprod new` from an installed wheel needs no source tree."""

from __future__ import annotations

import subprocess
import sys

import pytest
from bakery import REPO_ROOT, run
from test_new import tree

pytestmark = pytest.mark.slow


def test_mlprod_new_from_the_installed_wheel_equals_stock_cookiecutter(wheel_dir, tmp_path):
    (wheel,) = wheel_dir.glob("mlprod-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    # pip byte-compiles what it installs, the bundled template's .py files included.
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        wheel, cwd=tmp_path)  # fmt: skip
    bundled = run(venv / "bin" / "python", "-I", "-c",
                  "import mlprod.template as t; print(t.template_dir())", cwd=tmp_path)  # fmt: skip
    bundled_dir = bundled.stdout.strip()
    assert bundled_dir.endswith("site-packages/mlprod/template")
    compiled = list(
        (tmp_path / "venv").glob("lib/*/site-packages/mlprod/template/*/src/*/__pycache__")
    )
    assert compiled, "pip left the bundled template uncompiled: this test proves nothing"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([venv / "bin" / "mlprod", "new", "--no-input"], cwd=elsewhere,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    generated = elsewhere / "my-ml-project"
    assert [p for p in generated.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"] == []

    stock = tmp_path / "stock"
    stock.mkdir()
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT)],
        cwd=stock, check=True, capture_output=True,
    )  # fmt: skip
    # The test wheel carries a run-unique version label (see the wheel_dir fixture): once
    # that label is mapped back, the trees are identical byte for byte.
    label = wheel.name.split("-")[1].encode()
    version = label.split(b"+")[0]
    from_wheel = {
        path: content.replace(label, version) for path, content in tree(generated).items()
    }
    assert from_wheel == tree(stock / "my-ml-project")
