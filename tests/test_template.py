"""Where `mlprod new` finds the template: bundled in the wheel, else the source tree's root."""

from __future__ import annotations

import pytest
from bakery import REPO_ROOT

from mlprod import template
from mlprod.template import template_dir


def test_a_source_checkout_uses_the_repository_root():
    assert template_dir() == REPO_ROOT


def test_the_template_bundled_in_the_package_comes_first(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "mlprod"
    (package / "template").mkdir(parents=True)
    (package / "template" / "cookiecutter.json").write_text("{}")
    (tmp_path / "cookiecutter.json").write_text("{}")
    monkeypatch.setattr(template, "_PACKAGE_DIR", package)
    assert template_dir() == package / "template"


def test_a_missing_template_says_to_reinstall(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "mlprod"
    package.mkdir(parents=True)
    monkeypatch.setattr(template, "_PACKAGE_DIR", package)
    with pytest.raises(FileNotFoundError) as error:
        template_dir()
    assert str(error.value) == f"the mlprod template is missing from {package}; reinstall mlprod"
