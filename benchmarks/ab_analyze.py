"""`mlprod ab analyze` on 10,000,000 unit-level rows against the same analysis done directly
with pandas and statsmodels, for a CSV and a Parquet file. Run: python benchmarks/ab_analyze.py
[ROWS]."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from _measure import measure, report, warm_up

DIRECT = """
import sys
import pandas as pd
from scipy.stats import chisquare
from statsmodels.stats.proportion import proportions_ztest
path = sys.argv[1]
frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
stats = frame.groupby("variant")["converted"].agg(["sum", "count"])
z, p = proportions_ztest(
    [stats.at["treatment", "sum"], stats.at["control", "sum"]],
    [stats.at["treatment", "count"], stats.at["control", "count"]],
)
print(p, chisquare(stats["count"]).pvalue)
"""


def generate(folder: Path, rows: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    csv_path, parquet_path = folder / "units.csv", folder / "units.parquet"
    schema = pa.schema(
        [("user_id", pa.int64()), ("variant", pa.string()), ("converted", pa.int8())]
    )
    chunk = 1_000_000
    with (
        pacsv.CSVWriter(csv_path, schema) as csv_out,
        pq.ParquetWriter(parquet_path, schema) as pq_out,
    ):
        for start in range(0, rows, chunk):
            size = min(chunk, rows - start)
            treated = rng.random(size) < 0.5
            converted = rng.random(size) < np.where(treated, 0.105, 0.100)
            batch = pa.record_batch(
                [
                    pa.array(np.arange(start, start + size)),
                    pa.array(np.where(treated, "treatment", "control")),
                    pa.array(converted.astype(np.int8)),
                ],
                schema=schema,
            )
            csv_out.write(batch)
            pq_out.write_batch(batch)
    return csv_path, parquet_path


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    warm_up()
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path = generate(Path(folder), rows)
        script = Path(folder) / "direct.py"
        script.write_text(DIRECT)
        for path in (csv_path, parquet_path):
            ours = measure(
                [
                    sys.executable,
                    "-m",
                    "mlprod",
                    "ab",
                    "analyze",
                    str(path),
                    "--variant-col",
                    "variant",
                    "--control",
                    "control",
                    "--metric-col",
                    "converted",
                    "--format",
                    "json",
                ]
            )
            direct = measure([sys.executable, str(script), str(path)])
            p_ours = json.loads(ours[2])["variants"][0]["p_value"]
            p_direct = float(direct[2].split()[0])
            size = path.stat().st_size / 2**20
            report(f"ab analyze, {rows:,} rows, {path.suffix[1:]} ({size:.0f} MiB)", ours, direct)
            print(f"p-value: mlprod {p_ours:.6g}, direct {p_direct:.6g}")


if __name__ == "__main__":
    main()
