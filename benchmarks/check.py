"""Wall time of `mlprod check` on synthetic repositories of 2,000 to 20,000 tracked files.

Each repository holds a project skeleton plus generated Python modules, Markdown docs,
small CSV files, YAML configs and notebooks (1,000 of them at 20,000 files, in
proportion below), all built in one `git fast-import` run and checked out. Every size
is timed as the median of several runs of the console command, in a fresh process (wall
time, and CPU time of mlprod with its git processes, which a busy machine disturbs less),
and the growth from the smallest size is printed next to the growth in files.

    python benchmarks/check.py [--sizes 2000,5000,10000,20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlprod.check.rules.docs import PHASE_DOCS

SKELETON = {
    ".pre-commit-config.yaml": "repos: []\n",
    ".gitattributes": "*.ipynb filter=nbstripout diff=jupyternotebook merge=jupyternotebook\n",
    ".gitignore": "/data/*\n!/data/.gitkeep\n/models/*\n!/models/.gitkeep\n.env\n",
    ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: make test\n",
    ".github/pull_request_template.md": "## What changed\n",
    ".github/CODEOWNERS": "* @data-team\n",
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = /tmp/store\n",
    "Makefile": "setup:\n\tpre-commit install\n",
    "src/bench/__init__.py": "",
    "tests/test_bench.py": "def test_one():\n    assert 1\n",
    **{
        path: "---\nphase: x\nstatus: not-started\nowner: a\n"
        "last_reviewed: 2025-01-01\n---\n# Phase\n\n[FILL: answer]\n"
        for path in PHASE_DOCS
    },
}
CLONE_CONFIG = {
    "filter.nbstripout.clean": "cat",
    "diff.jupyternotebook.command": "git-nbdiffdriver diff",
    "merge.jupyternotebook.driver": "git-nbmergedriver merge %O %A %B %L %P",
}


def python_module(n: int) -> str:
    body = "".join(
        f"def step_{i}(frame):\n"
        f'    """Step {i} of module {n}: scale the column and keep the index."""\n'
        f"    return frame.assign(x{i}=frame['x'] * {i} + {n})\n\n"
        for i in range(12)
    )
    return f'"""Module {n}."""\n\nimport pandas as pd\n\n{body}'


def markdown(n: int) -> str:
    return f"# Note {n}\n\n" + "A paragraph about the experiment and its results.\n" * 30


def notebook(n: int) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Notebook {n}\n"]},
        *(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": [f"frame = load({i})\n", "frame.describe()\n"],
            }
            for i in range(10)
        ),
    ]
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


def csv(n: int) -> str:
    return "customer_id,send_hour,opened\n" + "".join(
        f"{n}{i},{i % 24},{i % 2}\n" for i in range(40)
    )


def files(total: int) -> dict[str, str]:
    """`total` files: the skeleton, 5% notebooks, then Python, Markdown, CSV and YAML."""
    result = dict(SKELETON)
    notebooks = total // 20
    for n in range(notebooks):
        result[f"notebooks/area{n % 50}/explore_{n}.ipynb"] = notebook(n)
    makers = (
        ("src/bench/pkg{g}/mod_{n}.py", python_module),
        ("docs/notes/{g}/note_{n}.md", markdown),
        ("reports/{g}/table_{n}.csv", csv),
        ("conf/{g}/params_{n}.yaml", lambda n: f"seed: {n}\nlearning_rate: 0.1\n"),
    )
    n = 0
    while len(result) < total:
        pattern, make = makers[n % len(makers)]
        result[pattern.format(g=n % 100, n=n)] = make(n)
        n += 1
    return result


def build(root: Path, total: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = bytearray()
    for mark, content in enumerate(files(total).values(), 1):
        data = content.encode()
        stream += b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data)
    stream += b"commit refs/heads/main\ncommitter Bench <b@e> 1700000000 +0000\ndata 5\nbench\n"
    for mark, path in enumerate(files(total), 1):
        stream += b"M 100644 :%d %s\n" % (mark, path.encode())
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    for key, value in CLONE_CONFIG.items():
        subprocess.run(["git", "config", key, value], cwd=root, check=True)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_check(root: Path, runs: int) -> tuple[float, float, int]:
    """Median wall time, median CPU time (mlprod and its git processes) and findings."""
    timings, cpu, findings = [], [], 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        result = subprocess.run(
            [sys.executable, "-m", "mlprod", "check", str(root), "--format", "json"],
            capture_output=True,
            text=True,
        )
        timings.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
        if result.returncode == 2:
            raise SystemExit(f"mlprod check failed: {result.stderr.strip()}")
        findings = len(json.loads(result.stdout)["findings"])
    return statistics.median(timings), statistics.median(cpu), findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,5000,10000,20000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    columns = ("files", "notebooks", "median s", "cpu s", "files x", "time x", "findings")
    print(" ".join(f"{name:>9}" for name in columns))
    with tempfile.TemporaryDirectory(prefix="mlprod-check-bench-") as tmp:
        base = None
        for size in sizes:
            root = Path(tmp) / f"repo-{size}"
            build(root, size)
            seconds, cpu, findings = time_check(root, args.runs)
            base = base or (size, seconds)
            print(
                f"{size:>9} {size // 20:>9} {seconds:>9.3f} {cpu:>9.3f} {size / base[0]:>9.1f} "
                f"{seconds / base[1]:>9.2f} {findings:>9}",
                flush=True,
            )


if __name__ == "__main__":
    main()
