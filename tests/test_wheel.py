"""The wheel carries the template: `mlprod new` from an installed wheel needs no source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from bakery import REPO_ROOT
from test_new import tree

pytestmark = pytest.mark.slow


def test_mlprod_new_from_the_wheel_alone_equals_stock_cookiecutter(wheel_dir, tmp_path):
    (wheel,) = wheel_dir.glob("mlprod-*.whl")
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    assert (unpacked / "mlprod" / "template" / "cookiecutter.json").is_file()

    # Only the unpacked wheel is importable as mlprod; it runs from an unrelated directory.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bundled = str((unpacked / "mlprod" / "template").resolve())
    script = (
        f"import sys; sys.path.insert(0, {str(unpacked)!r}); "
        "import pathlib, mlprod.template as t; "
        f"assert t.template_dir() == pathlib.Path({bundled!r}), t.template_dir(); "
        "from mlprod.cli import main; raise SystemExit(main(['new', '--no-input']))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script], cwd=elsewhere, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    stock = tmp_path / "stock"
    stock.mkdir()
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT)],
        cwd=stock, check=True, capture_output=True,
    )  # fmt: skip
    from_wheel = tree(elsewhere / "my-ml-project")
    from_repo = tree(stock / "my-ml-project")
    # The test wheel carries a run-unique version label (see the wheel_dir fixture): once
    # that label is mapped back, the trees are identical byte for byte.
    label = wheel.name.split("-")[1].encode()
    version = label.split(b"+")[0]
    assert {path: content.replace(label, version) for path, content in from_wheel.items()} == (
        from_repo
    )
