"""Render the template's `docs/` directory with cookiecutter's own context and Jinja environment.

Only the documents are rendered, so their tests run in milliseconds and do not depend on the
rest of the template. The context comes from `cookiecutter.json` exactly as `cookiecutter
--no-input` builds it, and each file is rendered by cookiecutter's `StrictEnvironment`, which
loads the same extensions (`now`, `jsonify`, ...) as a real bake.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "{{cookiecutter.project_slug}}"
DOCS_TEMPLATE = TEMPLATE_DIR / "docs"
MARKDOWN_LINT_CONFIG = TEMPLATE_DIR / ".pymarkdown.json"


def cookiecutter_context(**extra: str) -> dict:
    """The `cookiecutter` variables of a `--no-input` bake with `extra` overriding defaults."""
    context = generate_context(
        context_file=str(REPO_ROOT / "cookiecutter.json"), extra_context=extra
    )
    return dict(prompt_for_config(context, no_input=True))


def render_docs(out_dir: Path, **extra: str) -> Path:
    """Render every file of the template's `docs/` into `out_dir/docs` and return that path."""
    variables = cookiecutter_context(**extra)
    env = StrictEnvironment(context={"cookiecutter": variables}, keep_trailing_newline=True)
    target = out_dir / "docs"
    for source in sorted(DOCS_TEMPLATE.rglob("*")):
        if source.is_dir():
            continue
        destination = target / source.relative_to(DOCS_TEMPLATE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        template = env.from_string(source.read_text(encoding="utf-8"))
        destination.write_text(template.render(cookiecutter=variables), encoding="utf-8")
    return target


def lint_markdown(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Run pymarkdown with the generated project's configuration, as its pre-commit hook does."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pymarkdown",
            "--config",
            str(MARKDOWN_LINT_CONFIG),
            "scan",
            "--recurse",
        ]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def markdown_linter() -> Callable[..., subprocess.CompletedProcess[str]]:
    return lint_markdown


@pytest.fixture
def docs_renderer(tmp_path: Path) -> Callable[..., Path]:
    """Return a function rendering the docs with given options, each call in its own directory."""
    counter = iter(range(1_000))

    def render(**extra: str) -> Path:
        return render_docs(tmp_path / f"bake-{next(counter)}", **extra)

    return render


@pytest.fixture(scope="module")
def default_docs(module_tmp) -> Path:
    """The docs of a bake on the default options."""
    return render_docs(module_tmp("default"))
