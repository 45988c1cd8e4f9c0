"""Throughput and peak memory of streaming batch prediction, next to in-memory scoring.

    uv run python benchmarks/batch_predict.py [--project PATH] [--rows 2000000]

Writes a file of new rows (CSV and Parquet), then measures, each in a fresh process:
the streaming predictor (`python -m <module>.predict`, chunks of predict.chunk_rows);
the same work in memory (read the whole file, validate, score, write); and one bare
model.predict_proba on all rows, already encoded. Targets: streaming throughput at least
0.8 of in-memory, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from project import in_project, prepare_project, ratio_table

TARGET_RATIO, TARGET_PEAK_MB = 0.8, 300

MAKE_FILES = """
import sys
from {module} import data
frame = data.make_sample(int(sys.argv[1]), seed=2024).drop(columns=[data.TARGET])
frame.to_csv("bench/new.csv", index=False)
frame.to_parquet("bench/new.parquet", index=False)
"""

# Each measurement reports its own process's peak resident memory (ru_maxrss, KB on Linux).
STREAMING = """
import json, resource, sys, time
from {module}.predict import main
start = time.perf_counter()
code = main([sys.argv[1], sys.argv[2]])
seconds = time.perf_counter() - start
assert code == 0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak}}))
"""

IN_MEMORY = """
import json, resource, sys, time
import pandas as pd
from {module} import data, model_io
from {module}.features import to_matrix
from {module}.predict import predictions
artifact = model_io.load()
source, output = sys.argv[1], sys.argv[2]
start = time.perf_counter()
frame = data.validate(data.read_table(source), data.feature_schema())
scored = predictions(frame, artifact)
if output.endswith(".csv"):
    scored.to_csv(output, index=False)
else:
    scored.to_parquet(output, index=False)
seconds = time.perf_counter() - start
matrix = to_matrix(frame)
start = time.perf_counter()
artifact.model.predict_proba(matrix)
bare = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "bare_seconds": bare, "peak_mb": peak}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a set-up, trained project to reuse")
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    project, module = prepare_project(args.project)
    (project / "bench").mkdir(exist_ok=True)
    in_project(project, MAKE_FILES.format(module=module), str(args.rows))
    table = []
    for kind in ("csv", "parquet"):
        source = f"bench/new.{kind}"
        stream = json.loads(
            in_project(project, STREAMING.format(module=module), source, f"bench/out-stream.{kind}")
        )
        memory = json.loads(
            in_project(project, IN_MEMORY.format(module=module), source, f"bench/out-memory.{kind}")
        )
        rate = {
            name: args.rows / seconds
            for name, seconds in (
                ("stream", stream["seconds"]),
                ("memory", memory["seconds"]),
                ("bare", memory["bare_seconds"]),
            )
        }
        table += [
            (
                f"{kind}: streaming rows/s",
                f"{rate['stream']:,.0f}",
                f">= {TARGET_RATIO} x in-memory",
                f"{rate['stream'] / rate['memory']:.2f} of in-memory",
            ),
            (
                f"{kind}: in-memory rows/s (read, validate, score, write)",
                f"{rate['memory']:,.0f}",
                "-",
                "-",
            ),
            (
                f"{kind}: bare predict_proba rows/s",
                f"{rate['bare']:,.0f}",
                "-",
                f"streaming is {rate['stream'] / rate['bare']:.2f} of it",
            ),
            (
                f"{kind}: streaming peak memory",
                f"{stream['peak_mb']:.0f} MB",
                f"< {TARGET_PEAK_MB} MB",
                f"{stream['peak_mb'] / TARGET_PEAK_MB:.2f} of target",
            ),
            (
                f"{kind}: in-memory peak memory",
                f"{memory['peak_mb']:.0f} MB",
                "-",
                f"streaming uses {stream['peak_mb'] / memory['peak_mb']:.2f} of it",
            ),
        ]
    print(f"{args.rows:,} rows, project {project}\n")
    print(ratio_table(table))


if __name__ == "__main__":
    main()
