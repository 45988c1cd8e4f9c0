"""Throughput and peak memory of streaming batch prediction, next to in-memory scoring.

    uv run python benchmarks/batch_predict.py [--project PATH] [--rows 2000000] [--rounds 3]

Writes a file of new rows as CSV and as Parquet (pandas' default 1,048,576-row groups), then
runs, each as a fresh process and alternating so that both sides meet the same machine:
- streaming: `python -m <module>.predict IN OUT`, the command users run, in chunks of
  predict.chunk_rows;
- in memory: the same work on the whole file at once (read, validate, score, write with the
  same writer);
and, once per format, one bare model.predict_proba on all rows, already encoded.
Both sides are timed as whole processes: imports, model loading, reading and writing
included. Peak memory is each process's own maximum resident set (wait4).

The streaming command runs twice per round, with the prediction log on (the project's
default: every scored row is also written to logs/predictions) and off (a copy of
params.yaml with prediction_log.enabled false), so the log's cost is measured side by side.

Then the streaming command alone on a Parquet file `--large-factor` times longer: its peak
should not grow with the file. Once more on that file written as one row group: pyarrow then
writes pages of several MB, and a reader must hold a whole page of each column.

Targets: streaming throughput at least 0.8 of in-memory, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
from pathlib import Path

import yaml
from _measure import measure
from project import prepare_project, project_env, ratio_table

TARGET_RATIO, TARGET_PEAK_MB = 0.8, 300

MAKE_FILES = """
import sys
import pyarrow as pa, pyarrow.parquet as pq
from {module}.sample import make_sample
from {module}.schema import TARGET
rows, factor = int(sys.argv[1]), int(sys.argv[2])
frame = make_sample(rows, seed=2024).drop(columns=[TARGET])
frame.to_csv("bench/new.csv", index=False)
frame.to_parquet("bench/new.parquet", index=False)
table = pa.Table.from_pandas(frame, preserve_index=False)
large = pa.concat_tables([table] * factor)
pq.write_table(large, "bench/large.parquet")
pq.write_table(large, "bench/large-one-group.parquet", row_group_size=len(large))
"""

IN_MEMORY = """
import sys
from pathlib import Path
from {module} import data, model_io, tables
from {module}.config import load_params
from {module}.predict import predictions
artifact = model_io.load(load_params().paths.model)
source, output = Path(sys.argv[1]), Path(sys.argv[2])
frame = data.validate(tables.read_table(source), data.feature_schema())
writer = tables.TableWriter(output)
writer.write(predictions(frame, artifact))
writer.close()
"""

BARE = """
import json, sys, time
from {module} import data, model_io, tables
from {module}.config import load_params
from {module}.features import to_matrix
matrix = to_matrix(data.validate(tables.read_table(sys.argv[1]), data.feature_schema()))
model = model_io.load(load_params().paths.model).model
start = time.perf_counter()
model.predict_proba(matrix)
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def run_measured(project: Path, argv: list[str]) -> tuple[float, float, str]:
    """Run a command in the project; return (wall seconds, peak resident MB, stdout)."""
    return measure(argv, cwd=project, env=project_env(project), ok=(0,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a set-up, trained project to reuse")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large-factor", type=int, default=5)
    args = parser.parse_args()
    project, module = prepare_project(args.project)
    python = str(project / ".venv/bin/python")

    (project / "bench").mkdir(exist_ok=True)
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["prediction_log"]["enabled"] = False
    (project / "bench/no-log.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    def predict(source: str, output: str, log: bool = True) -> list[str]:
        no_log = [] if log else ["--params", "bench/no-log.yaml"]
        return [python, "-m", f"{module}.predict", source, output, "--force", *no_log]

    subprocess.run(
        [python, "-c", MAKE_FILES.format(module=module), str(args.rows), str(args.large_factor)],
        cwd=project,
        env=project_env(project),
        check=True,
    )
    table = []
    for kind in ("csv", "parquet"):
        source = f"bench/new.{kind}"
        runs = {"stream": [], "no-log": [], "memory": []}
        for _ in range(args.rounds):
            stream = predict(source, f"bench/out-stream.{kind}")
            runs["stream"].append(run_measured(project, stream))
            no_log = predict(source, f"bench/out-stream.{kind}", log=False)
            runs["no-log"].append(run_measured(project, no_log))
            in_memory = IN_MEMORY.format(module=module)
            memory = [python, "-c", in_memory, source, f"bench/out-memory.{kind}"]
            runs["memory"].append(run_measured(project, memory))
        _, _, out = run_measured(project, [python, "-c", BARE.format(module=module), source])
        bare_seconds = json.loads(out.strip().splitlines()[-1])["seconds"]
        ratios = [m[0] / s[0] for s, m in zip(runs["stream"], runs["memory"], strict=True)]
        bare_ratios = [m[0] / s[0] for s, m in zip(runs["no-log"], runs["memory"], strict=True)]
        log_costs = [s[0] / n[0] for s, n in zip(runs["stream"], runs["no-log"], strict=True)]
        no_log_rate = args.rows / statistics.median(n[0] for n in runs["no-log"])
        no_log_peak = max(n[1] for n in runs["no-log"])
        stream_rate = args.rows / statistics.median(s[0] for s in runs["stream"])
        memory_rate = args.rows / statistics.median(m[0] for m in runs["memory"])
        bare_rate = args.rows / bare_seconds
        stream_peak = max(s[1] for s in runs["stream"])
        memory_peak = max(m[1] for m in runs["memory"])
        table += [
            (
                f"{kind}: streaming rows/s (whole command)",
                f"{stream_rate:,.0f}",
                f">= {TARGET_RATIO} x in-memory",
                f"{statistics.median(ratios):.2f} of in-memory"
                f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})",
            ),
            (
                f"{kind}: streaming rows/s, prediction log off",
                f"{no_log_rate:,.0f}",
                f">= {TARGET_RATIO} x in-memory",
                f"{statistics.median(bare_ratios):.2f} of in-memory"
                f" (rounds: {', '.join(f'{r:.2f}' for r in bare_ratios)})",
            ),
            (
                f"{kind}: time with the log, of without",
                f"{statistics.median(log_costs):.2f}",
                "-",
                f"rounds: {', '.join(f'{r:.2f}' for r in log_costs)}",
            ),
            (f"{kind}: in-memory rows/s (same work)", f"{memory_rate:,.0f}", "-", "-"),
            (
                f"{kind}: bare predict_proba rows/s",
                f"{bare_rate:,.0f}",
                "-",
                f"streaming is {stream_rate / bare_rate:.2f} of it",
            ),
            (
                f"{kind}: streaming peak memory",
                f"{stream_peak:.0f} MB",
                f"< {TARGET_PEAK_MB} MB",
                f"{stream_peak / TARGET_PEAK_MB:.2f} of target",
            ),
            (
                f"{kind}: streaming peak memory, log off",
                f"{no_log_peak:.0f} MB",
                f"< {TARGET_PEAK_MB} MB",
                f"the log adds {stream_peak - no_log_peak:.0f} MB",
            ),
            (
                f"{kind}: in-memory peak memory",
                f"{memory_peak:.0f} MB",
                "-",
                f"streaming uses {stream_peak / memory_peak:.2f} of it",
            ),
        ]
    large_rows = args.rows * args.large_factor
    large = [("large", "1,048,576-row groups", True), ("large", "1,048,576-row groups, no log",
              False), ("large-one-group", "one row group", True)]  # fmt: skip
    for name, groups, log in large:
        seconds, peak, _ = run_measured(
            project, predict(f"bench/{name}.parquet", f"bench/out-{name}.parquet", log)
        )
        table.append(
            (
                f"parquet, {large_rows:,} rows, {groups}: streaming peak",
                f"{peak:.0f} MB",
                f"< {TARGET_PEAK_MB} MB",
                f"{peak / stream_peak:.2f} of the {args.rows:,}-row file's;"
                f" {large_rows / seconds:,.0f} rows/s",
            )
        )
    small = project / "bench/small.csv"
    with (project / "bench/new.csv").open() as f:
        small.write_text("".join(itertools.islice(f, 101)))
    _, baseline, _ = run_measured(project, predict(str(small), "bench/out-small.csv"))
    table.append(("streaming peak on 100 rows (imports and model)", f"{baseline:.0f} MB", "-", "-"))
    print(f"{args.rows:,} rows, {args.rounds} rounds, project {project}\n")
    print(ratio_table(table))


if __name__ == "__main__":
    main()
