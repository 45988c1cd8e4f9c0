"""Where the cookiecutter template lives: inside the wheel, or at the root of a source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir() -> Path:
    """Return the directory holding `cookiecutter.json`, `hooks/` and the project template.

    An installed wheel carries the template in `mlprod/template/`; an editable install or a
    source checkout uses the repository root, so edits to the template take effect at once.
    """
    for candidate in (_PACKAGE_DIR / "template", _PACKAGE_DIR.parent.parent):
        if (candidate / "cookiecutter.json").is_file():
            return candidate
    raise FileNotFoundError(f"the mlprod template is missing from {_PACKAGE_DIR}; reinstall mlprod")
