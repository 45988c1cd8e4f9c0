import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mlprod
from mlprod.cli import main

SOURCE_ROOT = str(Path(mlprod.__file__).resolve().parents[1])


@pytest.fixture
def cli(capsys):
    """Run `mlprod ARGS` in this process; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_json(cli):
    def run(*args: str) -> dict:
        code, out, err = cli(*args, "--format", "json")
        assert code in (0, 1), err
        return json.loads(out)

    return run


def run_subprocess(*args: str, env_extra: dict[str, str] | None = None, stdin: str | None = None):
    env = {**os.environ, "PYTHONPATH": SOURCE_ROOT, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "mlprod", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        check=False,
    )
