"""Wall time and peak memory of a command run in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE_ROOT = str(Path(__file__).resolve().parents[1] / "src")


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": SOURCE_ROOT}
    # Both sides should load cached bytecode, as an installed package does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up() -> None:
    """Compile and cache the bytecode of every library either side imports, so that neither
    side's first run pays for it."""
    modules = "mlprod.ab.cli, mlprod.ab.analyze, mlprod.drift.cli, mlprod.drift.comparison, "
    modules += "pandas, scipy.stats, statsmodels.stats.proportion, pyarrow.csv, pyarrow.parquet"
    subprocess.run([sys.executable, "-c", f"import {modules}"], env=environment(), check=True)


def measure(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0, 1),
) -> tuple[float, float, str]:
    """Run `argv`; return (seconds, peak resident MiB, stdout). `wait4` reports the rusage of
    this one child, so earlier runs cannot inflate the figure. Output goes to files, not
    pipes, so a chatty child cannot block. An exit code outside `ok` stops the benchmark.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env=environment() if env is None else env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) not in ok:
            sys.exit(f"{' '.join(argv)} failed: {err.read().decode()}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def report(title: str, ours: tuple[float, float, str], direct: tuple[float, float, str]) -> None:
    print(f"\n{title}")
    print(f"{'':28}{'wall time (s)':>14}{'peak RSS (MiB)':>16}")
    print(f"{'mlprod':28}{ours[0]:14.2f}{ours[1]:16.0f}")
    print(f"{'direct pandas+scipy':28}{direct[0]:14.2f}{direct[1]:16.0f}")
    print(
        f"{'ratio mlprod/direct':28}{ours[0] / direct[0]:14.2f}{ours[1] / direct[1]:16.2f}"
        f"   (targets: time ratio <= 1, peak < 1024 MiB)"
    )
