"""Champion/challenger report: outcomes joined with the prediction log, then `mlprod ab analyze`.

    make ab-report OUTCOMES=outcomes.csv
    python -m {{ cookiecutter.module_name }}.ab_report OUTCOMES [--log DIR] [--output-dir reports/ab]

OUTCOMES is a CSV or Parquet file with one row per unit: `customer_id` and `outcome` (a
number). Each unit's variant is the one that answered it first in the log, among the rows
routed by the experiment of challenger.salt (split mode): rows of batch runs, of shadow
scores and of experiments with another salt are never counted. Writes `units.csv`
(customer_id, variant, outcome) and `analysis.json`, and prints the analysis with its
decision. Exit 2 when the inputs cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
from mlprod.ab.analyze import analyze_file
from mlprod.cli import main as mlprod
from mlprod.errors import UsageError as AnalysisError

from {{ cookiecutter.module_name }} import tables
from {{ cookiecutter.module_name }}.champion_challenger import CHALLENGER, CHAMPION
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError
from {{ cookiecutter.module_name }}.prediction_log import hash_value
from {{ cookiecutter.module_name }}.schema import ID_COLUMN

OUTCOME = "outcome"


def served_units(log: Path, experiment: str) -> tuple[pd.DataFrame, int]:
    """Each unit's variant from the log: the first that answered it in the experiment.

    Returns:
        (one row per unit: customer_id, variant; units answered by both variants, which
        are left out: the salt or the share changed during the experiment).
    """
    files = sorted(Path(log).glob("*.parquet"))
    if not files:
        raise DataError(f"no prediction log files in {log}; serve with challenger.mode: split")
    columns = ["timestamp", ID_COLUMN, "variant", "served", "experiment"]
    rows = pd.concat([pd.read_parquet(path, columns=columns) for path in files])
    rows = rows[rows["served"] & rows[ID_COLUMN].notna() & (rows["experiment"] == experiment)]
    if rows.empty:
        raise DataError(
            f"no row in {log} was routed by the experiment of challenger.salt '{experiment}'; "
            "serve with challenger.mode: split, or set the salt the experiment ran with"
        )
    rows = rows.sort_values("timestamp")
    variants = rows.groupby(ID_COLUMN)["variant"].agg(["first", "nunique"])
    mixed = int((variants["nunique"] > 1).sum())
    units = variants[variants["nunique"] == 1]["first"].rename("variant").reset_index()
    return units, mixed


def join_outcomes(units: pd.DataFrame, outcomes: pd.DataFrame, salt: str | None) -> pd.DataFrame:
    """Units with their outcome; `salt` given when the log holds customer_id hashed."""
    missing = [name for name in (ID_COLUMN, OUTCOME) if name not in outcomes.columns]
    if missing:
        raise DataError(
            f"the outcomes file has no column '{missing[0]}'; give {ID_COLUMN},{OUTCOME}"
        )
    outcomes = outcomes[[ID_COLUMN, OUTCOME]].astype({ID_COLUMN: "string"})
    if not pd.api.types.is_numeric_dtype(outcomes[OUTCOME]):
        raise DataError(f"the outcomes file's '{OUTCOME}' is not numeric; give 1/0 or values")
    if salt is not None:
        outcomes[ID_COLUMN] = [hash_value(unit, salt) for unit in outcomes[ID_COLUMN]]
    joined = units.astype({ID_COLUMN: "string"}).merge(outcomes, on=ID_COLUMN, how="inner")
    if joined.empty:
        raise DataError("no unit of the outcomes file is in the prediction log; check the ids")
    return joined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.ab_report",
        description="Analyse champion against challenger from the log and an outcomes file.",
    )
    parser.add_argument("outcomes", type=Path, help=f"CSV or Parquet: {ID_COLUMN},{OUTCOME}")
    parser.add_argument("--log", type=Path, help="default: prediction_log.directory")
    parser.add_argument("--output-dir", type=Path, default=Path("reports/ab"))
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        if params.prediction_log is None or params.challenger is None:
            raise DataError(f"{args.params} has no prediction_log or challenger section")
        hashed = ID_COLUMN in params.prediction_log.hashed
        if ID_COLUMN in params.prediction_log.exclude:
            raise DataError(f"prediction_log.exclude drops {ID_COLUMN}: no unit can be joined")
        log = args.log or params.prediction_log.directory
        units, mixed = served_units(log, params.challenger.salt)
        outcomes = tables.read_table(args.outcomes)
        salt = params.prediction_log.hash_salt if hashed else None
        joined = join_outcomes(units, outcomes, salt)
    except ProjectError as error:
        print(f"ab-report: {error}", file=sys.stderr)
        return 2
    args.output_dir.mkdir(parents=True, exist_ok=True)
    table = args.output_dir / "units.csv"
    joined.to_csv(table, index=False)
    share = params.challenger.share
    weights = {CHAMPION: 1 - share, CHALLENGER: share}
    print(
        f"ab-report: {len(joined)} units with an outcome ({len(units)} in the log"
        + (f", {mixed} answered by both variants left out" if mixed else "")
        + f"); {table}"
    )
    try:
        analysis = analyze_file(table, "variant", CHAMPION, metric_col=OUTCOME, weights=weights)
    except AnalysisError as error:
        print(f"ab-report: {error}", file=sys.stderr)
        return 2
    (args.output_dir / "analysis.json").write_text(
        json.dumps(analysis.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
    )
    flags = ["--variant-col", "variant", "--control", CHAMPION, "--metric-col", OUTCOME]
    weight_flags = [f"{name}={weight}" for name, weight in weights.items()]
    return mlprod(["ab", "analyze", str(table), *flags, "--weights", *weight_flags])


if __name__ == "__main__":
    sys.exit(main())
