"""A generated project to benchmark: baked, set up and trained, or an existing one reused."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SLUG, MODULE = "email-opens", "email_opens"


def project_env(project: Path, wheels: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["UV_COMPILE_BYTECODE"] = "1"
    if wheels:
        # pre-commit installs the mlprod hook with pip: both installers need the wheel.
        env["UV_FIND_LINKS"] = env["PIP_FIND_LINKS"] = str(wheels)
    env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def prepare_project(existing: Path | None) -> tuple[Path, str]:
    """Return (project directory, its module name), baking and training one if none is given.

    A reused project must have been set up (make setup) and trained (make pipeline), and
    have been generated with a realtime or both deployment for the latency benchmark.
    """
    if existing:
        module = next(p.name for p in (existing / "src").iterdir() if p.is_dir())
        return existing, module
    work = Path(tempfile.mkdtemp(prefix="mlprod-bench-"))
    print(f"baking a project in {work} ...", file=sys.stderr)
    wheels = work / "wheels"
    subprocess.run(["uv", "build", "--wheel", "-q", "-o", str(wheels)], cwd=REPO_ROOT, check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mlprod",
            "new",
            "--no-input",
            "-o",
            str(work),
            "project_name=Email Opens",
            "deployment=both",
        ],
        check=True,
        capture_output=True,
    )
    project = work / SLUG
    env = project_env(project, wheels)
    for target in ("setup", "pipeline"):
        subprocess.run(["make", target], cwd=project, env=env, check=True, capture_output=True)
    return project, MODULE


def in_project(project: Path, code: str, *args: str) -> str:
    """Run Python code with the project's interpreter; return the last line it prints."""
    result = subprocess.run(
        [str(project / ".venv/bin/python"), "-c", code, *args],
        cwd=project,
        env=project_env(project),
        check=True,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def ratio_table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "measured", "target", "ratio")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in [header, *rows]
    ]
    return "\n".join(lines)
