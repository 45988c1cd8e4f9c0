"""Drift monitoring on Spark: `make monitor ENGINE=spark [BATCH=<file or folder>]`.

Without BATCH, Spark reads the prediction log's window that the pandas monitor would read
(since the last check, or SINCE=), and the check's end is remembered the same way.

The batch is never collected: each Python worker validates its Arrow batches with the
pandas monitor's schema and counts rows per distinct value of each feature; Spark sums
those counts across partitions, and only the sums (a few hundred rows: one per category or
whole number) reach the driver. `mlprod.drift.counts` then takes the statistics and the
decision of the pandas monitor (KS or chi-square with Bonferroni, and Wasserstein or
Jensen-Shannon materiality) from the counts against the training data. Counts per exact
value give exact statistics for integer, boolean and category features. FLOAT features are
counted on a grid of 2**20 steps over their declared range (or at float32 precision without
one), so their KS statistic may differ by the share of rows in one grid step and their
Wasserstein distance by half a step.

The JSON report is written (reports/drift.json); the HTML report, which plots the rows,
is the pandas monitor's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from mlprod.drift.counts import compare_counts
from mlprod.errors import UsageError

from {{ cookiecutter.module_name }} import data, monitoring, spark_predict, tables
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, FEATURES, Feature, Kind

GRID_STEPS = 2**20


def counted_values(feature: Feature, values: pd.Series) -> pd.Series:
    """The values as counted: exact, except FLOAT features, snapped to a grid."""
    if feature.kind is Kind.CATEGORY:
        return values.astype(str)
    if feature.kind is not Kind.FLOAT:
        return values.astype(float)
    if feature.minimum is not None and feature.maximum is not None:
        step = (feature.maximum - feature.minimum) / GRID_STEPS
        return feature.minimum + np.round((values - feature.minimum) / step) * step
    return values.astype(np.float32).astype(float)


def value_counter(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The mapInPandas function: validate each batch, count its rows per feature value."""
    schema = data.feature_schema()
    for batch in batches:
        if batch.empty:
            continue
        valid = data.validate(spark_predict.typed_like_pandas(batch.reset_index(drop=True)), schema)
        for feature in FEATURES:
            counts = counted_values(feature, valid[feature.name]).value_counts()
            is_category = feature.kind is Kind.CATEGORY
            yield pd.DataFrame(
                {
                    "feature": feature.name,
                    "number": None if is_category else counts.index.to_numpy(dtype=float),
                    "category": counts.index.astype(object) if is_category else None,
                    "rows": counts.to_numpy(dtype=np.int64),
                }
            )


def batch_counts(spark, source: str, frame=None, empty: DataError | None = None):
    """Rows per value of each feature of the batch, summed over all partitions by Spark.

    Args:
        source: the batch's path or URI, read unless `frame` (text columns) is given.
        empty: the error when the batch holds no rows.

    Returns:
        (numeric: feature -> (sorted values, rows), categorical: feature -> rows per category)
    """
    from pyspark.sql import functions as F

    frame = spark_predict.read_input(spark, source) if frame is None else frame
    missing = [name for name in FEATURE_NAMES if name not in frame.columns]
    if missing:
        raise DataError(f"{source}: column '{missing[0]}' is missing; fix the data")
    schema = "feature string, number double, category string, rows long"
    sums = (
        frame.select(list(FEATURE_NAMES))
        .mapInPandas(value_counter, schema)
        .groupBy("feature", "number", "category")
        .agg(F.sum("rows").alias("rows"))
    )
    table = pd.DataFrame(
        [row.asDict() for row in spark_predict.collect(sums, source)],
        columns=["feature", "number", "category", "rows"],
    )
    if table.empty:
        raise empty or DataError(f"{source} holds no rows; give files with a header and rows")
    numeric, categorical = {}, {}
    for feature in FEATURES:
        own = table[table["feature"] == feature.name]
        if feature.kind is Kind.CATEGORY:
            categorical[feature.name] = own.set_index("category")["rows"].astype(np.int64)
        else:
            own = own.sort_values("number")
            numeric[feature.name] = (
                own["number"].to_numpy(dtype=float),
                own["rows"].to_numpy(dtype=np.int64),
            )
    return numeric, categorical


def check_drift_on_spark(spark, reference: pd.DataFrame, source: str, frame=None, empty=None):
    """monitoring.check_drift for a batch that stays on the cluster (batch_counts' args)."""
    stale = [column for column in FEATURE_NAMES if column not in reference.columns]
    if stale:
        raise DataError(
            f"the training data has no column '{stale[0]}'; rebuild it with make pipeline"
        )
    numeric, categorical = batch_counts(spark, source, frame, empty)
    try:
        return compare_counts(reference[list(FEATURE_NAMES)], numeric, categorical)
    except UsageError as error:
        raise DataError(f"cannot compare the batch with the training data: {error}") from None


def log_frame(spark, params, args: argparse.Namespace):
    """The answered rows of the prediction log's window, as text columns (as read_input
    gives them), and what the pandas monitor's log_batch gives besides.

    Returns:
        (frame, its name, the error if it is empty, the state to save, the window in words)
    """
    from pyspark.sql import functions as F

    log, since, until, window = monitoring.log_window(params, args)
    hidden = [name for name in FEATURE_NAMES if name not in monitoring.compared_features(params)]
    if hidden:
        raise DataError(
            f"the prediction log hides '{hidden[0]}' (prediction_log.exclude or hashed); "
            "check it with ENGINE=pandas, which compares the other features, or give BATCH="
        )
    files = monitoring.log_files(log, since)
    if not files:
        raise monitoring.no_rows(log, window)
    frame = spark.read.parquet(*[str(path) for path in files])
    keep = F.col("served") & (F.col("timestamp") < F.lit(until))
    if since is not None:
        keep &= F.col("timestamp") >= F.lit(since)
    frame = frame.where(keep).select([F.col(name).cast("string") for name in FEATURE_NAMES])
    state = (Path(log) / monitoring.STATE_FILE, until)
    return frame, str(log), monitoring.no_rows(log, window), state, window


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.spark_monitor",
        description="Fail when a batch of inputs (files or folders, on Spark) has drifted.",
    )
    parser.add_argument(
        "batch", nargs="?", help="CSV or Parquet file or folder, or URI (default: the log)"
    )
    parser.add_argument("--reference", type=Path, help="default: paths.train in params.yaml")
    parser.add_argument("--report", type=Path, help="default: paths.drift_report, as .json")
    parser.add_argument("--log", type=Path, help="default: prediction_log.directory")
    parser.add_argument("--since", help="ISO time (UTC if no zone); default: the last check")
    parser.add_argument("--until", help="ISO time; default: now")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    state = None
    try:
        params = load_params(args.params)
        report = (args.report or params.paths.drift_report).with_suffix(".json")
        reference = tables.read_table(args.reference or params.paths.train)
        spark = spark_predict.session()
        if args.batch is not None:
            result = check_drift_on_spark(spark, reference, args.batch)
        else:
            frame, name, empty, state, window = log_frame(spark, params, args)
            result = check_drift_on_spark(spark, reference, name, frame, empty)
            print(f"monitor: {result.columns[0].n_current} logged rows {window}")
    except ProjectError as error:
        print(f"monitor: {error}", file=sys.stderr)
        return 2
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(result.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    drifted = ", ".join(column.column for column in result.drifted) or "none"
    print(f"monitor: {result.summary} Drifted columns: {drifted}. Report: {report}")
    if state is not None:
        monitoring.save_state(state)
    return 1 if result.drifted else 0


if __name__ == "__main__":
    sys.exit(main())
