"""`python -m {{ cookiecutter.module_name }}.report`: write the project report."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError
from {{ cookiecutter.module_name }}.report.inputs import read_inputs
from {{ cookiecutter.module_name }}.report.page import build_page


def run_check(target: Path) -> None:
    """Write `mlprod check --format json` to target, where the dev tools are installed.

    mlprod is a dev dependency: the runtime package calls its command, never imports it.
    """
    # The environment's own scripts first: make runs .venv/bin/python without .venv/bin on PATH.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    mlprod = shutil.which("mlprod", path=search)
    if mlprod is None:
        print("report: mlprod is not installed, so the page lists no check; run make setup")
        return
    result = subprocess.run([mlprod, "check", "--format", "json"], capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: findings, which the page lists
        print(f"report: mlprod check failed: {result.stderr.strip()}", file=sys.stderr)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.stdout, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.report",
        description="Write the project report, one static HTML page.",
    )
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument(
        "--check", action="store_true", help="run mlprod check first and show its findings"
    )
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
    except ProjectError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    if args.check:
        run_check(params.paths.check)
    page = build_page(
        read_inputs(params.paths), params, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    target = params.paths.report
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    print(f"report: wrote {target} ({len(page.encode()) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
