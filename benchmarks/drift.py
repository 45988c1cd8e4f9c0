"""`mlprod drift` on two data sets of 1,000,000 rows by 20 columns (16 numeric, 4
categorical) against the same tests done directly with pandas, scipy and numpy, for CSV and
Parquet. Run: python benchmarks/drift.py [ROWS]."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _measure import measure, report, warm_up

NUMERIC, CATEGORICAL = 16, 4

DIRECT = """
import sys
import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)

reference, current = read(sys.argv[1]), read(sys.argv[2])
drifted = 0
for name in reference.columns:
    ref, cur = reference[name].dropna(), current[name].dropna()
    if pd.api.types.is_numeric_dtype(ref):
        p = ks_2samp(ref, cur).pvalue
        effect, threshold = wasserstein_distance(ref, cur) / ref.std(ddof=0), 0.1
        edges = np.unique(np.quantile(ref, np.linspace(0, 1, 11)[1:-1]))
        e = np.bincount(np.searchsorted(edges, ref), minlength=len(edges) + 1) / len(ref)
        a = np.bincount(np.searchsorted(edges, cur), minlength=len(edges) + 1) / len(cur)
    else:
        table = pd.concat([ref.value_counts(), cur.value_counts()], axis=1).fillna(0)
        p = chi2_contingency(table.to_numpy().T).pvalue
        effect, threshold = jensenshannon(table.iloc[:, 0], table.iloc[:, 1]), 0.1
        e, a = (table / table.sum()).to_numpy().T
    # PSI, reported though it no longer decides
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    psi = float(np.sum((a - e) * np.log(a / e)))
    drifted += p < 0.05 / len(reference.columns) and effect >= threshold
print(drifted)
"""


def frame(rows: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for index in range(NUMERIC):
        moved = shift if index < 4 else 0.0
        columns[f"num_{index}"] = rng.normal(moved, 1, rows)
    for index in range(CATEGORICAL):
        p = [0.5, 0.3, 0.2] if index or not shift else [0.3, 0.3, 0.4]
        columns[f"cat_{index}"] = rng.choice(["email", "push", "sms"], rows, p=p)
    return pd.DataFrame(columns)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    warm_up()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        reference, current = frame(rows, 0, 0.0), frame(rows, 1, 0.5)
        script = folder / "direct.py"
        script.write_text(DIRECT)
        for suffix in ("csv", "parquet"):
            ref_path, cur_path = folder / f"reference.{suffix}", folder / f"current.{suffix}"
            if suffix == "csv":
                reference.to_csv(ref_path, index=False)
                current.to_csv(cur_path, index=False)
            else:
                reference.to_parquet(ref_path)
                current.to_parquet(cur_path)
            ours = measure(
                [
                    sys.executable,
                    "-m",
                    "mlprod",
                    "drift",
                    str(ref_path),
                    str(cur_path),
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                ]
            )
            direct = measure([sys.executable, str(script), str(ref_path), str(cur_path)])
            found = sum(column["drift"] for column in json.loads(ours[2])["columns"])
            size = ref_path.stat().st_size / 2**20
            title = f"drift, {rows:,} rows x {NUMERIC + CATEGORICAL} columns, {suffix}"
            report(f"{title} ({size:.0f} MiB per file)", ours, direct)
            print(f"drifted columns: mlprod {found}, direct {direct[2].strip()} (5 shifted)")


if __name__ == "__main__":
    main()
