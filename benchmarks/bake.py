"""Time generating a project: `mlprod new` next to stock cookiecutter on the same template.

Prints the median wall time of each over several runs, their ratio, and the share of the
time spent in each post-generation step (hooks/post_gen_project.py, timed here step by step on
renders made without hooks, so that no timing code ships in the hook).

    python benchmarks/bake.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


sys.path.insert(0, str(REPO_ROOT / "hooks"))
import post_gen_project  # noqa: E402


def time_once(cmd: list[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(cmd, cwd=out, check=True, capture_output=True)
        return time.perf_counter() - started


def time_steps() -> dict[str, float]:
    """Each post-generation step on a fresh render made without hooks."""
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory() as out:
        project = Path(cookiecutter(str(REPO_ROOT), no_input=True, output_dir=out,
                                    accept_hooks=False))  # fmt: skip
        record = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
        context = record["context"]["cookiecutter"]
        steps = {
            "prune": lambda: post_gen_project.remove(
                project, post_gen_project.paths_to_remove(context)
            ),
            "bytecode": lambda: post_gen_project.remove_bytecode(project),
            "git init": lambda: post_gen_project.git_init(project),
            "git commit": lambda: post_gen_project.commit_everything(project, context),
        }
        timings = {}
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            timings[name] = time.perf_counter() - started
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    commands = {
        "mlprod new": [sys.executable, "-m", "mlprod", "new", "--no-input"],
        "cookiecutter": [sys.executable, "-m", "cookiecutter", "--no-input", str(REPO_ROOT)],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    steps = []
    for _ in range(runs):  # interleaved, so that machine noise hits all alike
        for name, cmd in commands.items():
            walls[name].append(time_once(cmd))
        steps.append(time_steps())

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
