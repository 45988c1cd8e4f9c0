"""Time generating a project: `mlprod new` next to stock cookiecutter on the same template.

Prints the median wall time of each over several runs, their ratio, and the share of the
time spent in each post-generation step (as recorded by the hook, MLPROD_HOOK_TIMINGS).

    python benchmarks/bake.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def time_once(cmd: list[str], timings_file: Path) -> float:
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, MLPROD_HOOK_TIMINGS=str(timings_file))
        started = time.perf_counter()
        subprocess.run(cmd, cwd=out, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    commands = {
        "mlprod new": [sys.executable, "-m", "mlprod", "new", "--no-input"],
        "cookiecutter": [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT)],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as scratch:
        timings_file = Path(scratch) / "hook-timings.jsonl"
        for _ in range(runs):  # interleaved, so that machine noise hits both alike
            for name, cmd in commands.items():
                walls[name].append(time_once(cmd, timings_file))
        steps = [json.loads(line) for line in timings_file.read_text().splitlines()]

    medians = {name: statistics.median(values) for name, values in walls.items()}
    print(f"median wall time over {runs} runs each")
    for name, median in medians.items():
        print(f"  {name:<14} {median * 1000:7.0f} ms")
    ratio = medians["mlprod new"] / medians["cookiecutter"]
    print(f"  ratio mlprod new / cookiecutter: {ratio:.2f}")
    overall = statistics.median(walls["mlprod new"] + walls["cookiecutter"])
    print("post-generation steps (median, share of the median generation time)")
    for step in steps[0]:
        median = statistics.median(run[step] for run in steps)
        print(f"  {step:<14} {median * 1000:7.0f} ms  {median / overall:6.1%}")


if __name__ == "__main__":
    main()
