"""Wall time of `mlprod check` on synthetic repositories of 2,000 to 20,000 tracked files.

Each repository holds a project skeleton plus generated Python modules, Markdown docs,
small CSV files, YAML configs and notebooks (1,000 of them at 20,000 files, in
proportion below), all built in one `git fast-import` run and checked out. Every size
is timed as the median of several runs of the console command, in a fresh process (wall
time, and CPU time of mlprod with its git processes, which a busy machine disturbs less),
and the growth from the smallest size is printed next to the growth in files.

Then, on the largest repository, the cases of a team's day:

- the data hook on a one-file commit (`--select DATA,SEC --files FILE`, as pre-commit calls
  it) against the same rules over the whole index, and the full audit;
- a partial clone (`git clone --filter=blob:none` over file://, sparse so that the
  notebooks of 12 folders stay unfetched): the audit, which fetches what it lacks in one
  `git fetch`, against git fetching the same blobs lazily, one process per blob (how the
  audit read them before).

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
    ".gitignore": "/data/**\n!/data/**/\n!/data/**/*.dvc\n/models/**\n!/models/**/\n.env\n",
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


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return time.perf_counter() - start


def median_of(runs: int, command: list[str], cwd: Path | None = None) -> float:
    return statistics.median(timed(command, cwd) for _ in range(runs))


def hook_case(root: Path, runs: int) -> None:
    """A one-file commit: the data hook on the staged file against the whole index."""
    changed = "src/bench/pkg0/mod_0.py"
    with open(root / changed, "a") as module:
        module.write("# changed\n")
    subprocess.run(["git", "add", changed], cwd=root, check=True)
    check = [sys.executable, "-m", "mlprod", "check", str(root), "--format", "json"]
    full = median_of(runs, check)
    whole = median_of(runs, [*check, "--select", "DATA,SEC"])
    staged = median_of(runs, [*check, "--select", "DATA,SEC", "--files", str(root / changed)])
    print(f"full audit {full:.3f} s; DATA,SEC over the whole index {whole:.3f} s; data hook on")
    print(f"the one staged file {staged:.3f} s: {staged / whole:.2f} of the whole-index run,")
    print(f"{staged / full:.2f} of the full audit")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)


def sparse_clone(source: Path, target: Path, excluded: list[str]) -> list[str]:
    """A blob:none clone whose checkout leaves `excluded` folders out; their blob ids."""
    url = f"file://{source}"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", url, str(target)],
        check=True,
    )
    patterns = ["/*", *(f"!/{folder}/" for folder in excluded)]
    subprocess.run(
        ["git", "sparse-checkout", "set", "--no-cone", *patterns], cwd=target, check=True
    )
    subprocess.run(["git", "checkout", "-q", "main"], cwd=target, check=True)
    staged = subprocess.run(
        ["git", "ls-files", "-s", "--", *excluded], cwd=target, capture_output=True, text=True
    ).stdout
    return [line.split()[1] for line in staged.splitlines()]


def partial_clone_case(root: Path, tmp: Path) -> None:
    subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=root, check=True)
    excluded = [f"notebooks/area{n}" for n in range(12)]
    check = [sys.executable, "-m", "mlprod", "check", "--format", "json"]
    full = timed([*check, str(root)])
    ours = tmp / "partial-batch"
    missing = sparse_clone(root, ours, excluded)
    batch = timed([*check, str(ours)])
    lazy = tmp / "partial-lazy"
    sparse_clone(root, lazy, excluded)
    start = time.perf_counter()
    subprocess.run(
        ["git", "cat-file", "--batch-check"],
        cwd=lazy,
        input="".join(f"{sha}\n" for sha in missing),
        capture_output=True,
        text=True,
        check=True,
    )
    one_by_one = time.perf_counter() - start
    print(f"partial clone, {len(missing)} blobs not fetched: audit {batch:.2f} s (one fetch);")
    print(f"git fetching the same blobs one process each: {one_by_one:.2f} s, before any")
    print(f"checking; full clone audit {full:.2f} s")


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
        root = Path(tmp)
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
        print(f"\nOn the {sizes[-1]:,}-file repository:")
        hook_case(root, args.runs)
        partial_clone_case(root, Path(tmp))


if __name__ == "__main__":
    main()
