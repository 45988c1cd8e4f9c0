"""Batch scoring on Spark (local[1], local[2]) next to the pandas streaming scorer; equality.

    uv run python benchmarks/spark_predict.py --project PATH [--rows 2000000] [--bad-every 100000]

PATH is a project generated with batch_engine=spark, set up and trained (`make setup`,
`make pipeline`). The script writes a Parquet file of new rows, one in every `--bad-every`
out of range, then runs as fresh processes, with SKIP_INVALID semantics:
- pandas: `python -m <module>.predict IN OUT --skip-invalid`, the streaming scorer;
- spark local[1] and local[2]: `python -m <module>.spark_predict IN OUT --skip-invalid`;
- spark start-up: a process that starts a local[2] session, runs a one-row job and stops.

Memory is sampled every 0.1 s over the whole process tree (driver Python, its JVM, the
Python workers): the peak of the sum, and the peak of each kind of process. Rows/s is over
the whole command; for Spark also after taking the start-up off. Finally the two engines'
outputs are compared: predictions, probabilities (largest difference) and rejected rows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
from project import project_env

MAKE_FILE = """
import sys
from {module}.sample import make_sample
from {module}.schema import TARGET
rows, bad_every = int(sys.argv[1]), int(sys.argv[2])
frame = make_sample(rows, seed=2024).drop(columns=[TARGET])
frame.loc[::bad_every, "tenure_months"] = -1
frame.to_parquet("bench/spark-in.parquet", index=False)
"""

STARTUP = """
from {module}.spark_predict import session
spark = session()
spark.range(1).count()
spark.stop()
"""


def tree_rss(root: int) -> dict[str, int]:
    """Resident bytes of `root` and its descendants, by kind of process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    totals: dict[str, int] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        rss = next((int(line.split()[1]) * 1024 for line in status.splitlines()
                    if line.startswith("VmRSS:")), 0)  # fmt: skip
        name = Path(command[0].decode()).name if command[0] else "?"
        kind = "jvm" if name == "java" else "driver" if pid == root else "workers"
        totals[kind] = totals.get(kind, 0) + rss
        if kind == "workers":
            totals["one worker"] = max(totals.get("one worker", 0), rss)
    return totals


def run_sampled(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """(wall seconds, peak MB of the tree's sum and of each kind) of one command; under "load",
    the mean of the 1-minute load average sampled during the run (this run's own processes
    included: a command busy on 2 cores adds about 2)."""
    peaks: dict[str, int] = {}
    loads: list[float] = []
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            totals = tree_rss(process.pid)
            totals["total"] = sum(v for kind, v in totals.items() if kind != "one worker")
            for kind, value in totals.items():
                peaks[kind] = max(peaks.get(kind, 0), value)
            loads.append(os.getloadavg()[0])
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err.decode()[-3000:]}")
    figures = {kind: value / 2**20 for kind, value in peaks.items()}
    figures["load"] = sum(loads) / max(len(loads), 1)
    return seconds, figures


def read_output(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path).set_index("customer_id").sort_index()


def read_rejected(path: Path) -> pd.DataFrame:
    parts = sorted(path.glob("part-*.csv")) if path.is_dir() else [path]
    frame = pd.concat([pd.read_csv(part, dtype=str) for part in parts])
    return frame[["customer_id", "error"]].sort_values("customer_id").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--bad-every", type=int, default=100_000)
    args = parser.parse_args()
    project = args.project.resolve()
    module = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    python = str(project / ".venv/bin/python")
    env = project_env(project)
    (project / "bench").mkdir(exist_ok=True)
    make = MAKE_FILE.format(module=module)
    subprocess.run([python, "-c", make, str(args.rows), str(args.bad_every)], cwd=project,
                   env=env, check=True)  # fmt: skip
    source = "bench/spark-in.parquet"
    startup, startup_peaks = run_sampled(
        [python, "-c", STARTUP.format(module=module)], project, {**env, "SPARK_MASTER": "local[2]"}
    )
    runs = {}
    runs["pandas streaming"] = run_sampled(
        [
            python,
            "-m",
            f"{module}.predict",
            source,
            "bench/pandas.parquet",
            "--skip-invalid",
            "--force",
        ],
        project,
        env,
    )
    for cores in (1, 2):
        runs[f"spark local[{cores}]"] = run_sampled(
            [python, "-m", f"{module}.spark_predict", source, f"bench/spark{cores}.parquet",
             "--skip-invalid", "--force"],
            project,
            {**env, "SPARK_MASTER": f"local[{cores}]"},
        )  # fmt: skip
    print(f"rows: {args.rows:,}, {os.cpu_count()} cores; load average over the last 15 "
          f"minutes: {os.getloadavg()[2]:.1f}")  # fmt: skip
    print(f"spark start-up (local[2] session, one-row job, stop): {startup:.1f} s, "
          f"peak {startup_peaks['total']:.0f} MB, load {startup_peaks['load']:.1f}")  # fmt: skip
    print("| engine | seconds | rows/s | rows/s without start-up | peak MB (sum) | "
          "driver | JVM | workers (largest one) | load | vs pandas |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    base = args.rows / runs["pandas streaming"][0]
    for name, (seconds, peaks) in runs.items():
        rate = args.rows / seconds
        net = args.rows / max(seconds - startup, 1e-9) if name.startswith("spark") else rate
        print(f"| {name} | {seconds:.1f} | {rate:,.0f} | {net:,.0f} | {peaks['total']:.0f} | "
              f"{peaks.get('driver', 0):.0f} | {peaks.get('jvm', 0):.0f} | "
              f"{peaks.get('workers', 0):.0f} ({peaks.get('one worker', 0):.0f}) | "
              f"{peaks['load']:.1f} | {rate / base:.2f} |")  # fmt: skip
    expected = read_output(project / "bench/pandas.parquet")
    got = read_output(project / "bench/spark2.parquet")
    same_rows = expected.index.equals(got.index)
    gap = float(np.abs(got["probability"] - expected["probability"]).max())
    labels = bool((got["prediction"] == expected["prediction"]).all())
    rejected_same = read_rejected(project / "bench/pandas.rejected.csv").equals(
        read_rejected(project / "bench/spark2.rejected.csv")
    )
    print(f"equality (pandas vs spark local[2]): same ids {same_rows}, same labels {labels}, "
          f"largest probability difference {gap:.3g}, same rejected rows and reasons "
          f"{rejected_same}")  # fmt: skip


if __name__ == "__main__":
    main()
