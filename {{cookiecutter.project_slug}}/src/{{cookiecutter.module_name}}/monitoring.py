"""Drift monitoring: does a new batch of inputs still look like the training data?

`make monitor BATCH=<file>` compares each feature of the batch with the training split
(a two-sample test and an effect size, from `mlprod drift`), writes an HTML report a
stakeholder can read, and fails when any feature has drifted materially: the cue to
investigate the source and consider retraining (see docs/phases/06-evaluation.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
from mlprod.drift import compare
from mlprod.drift.report import write_report
from mlprod.errors import UsageError

from {{ cookiecutter.module_name }} import data, tables
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES


def check_drift(reference: pd.DataFrame, batch: pd.DataFrame):
    """Compare the model's input columns of a batch with those of the reference data.

    Args:
        reference: the data the model was trained on.
        batch: new inputs, validated against the feature schema.

    Returns:
        mlprod's DriftResult: per-column tests, effect sizes, PSI and flags, and
        `dataset_drift`.
    """
    columns = list(FEATURE_NAMES)
    stale = [column for column in columns if column not in reference.columns]
    if stale:
        raise DataError(
            f"the training data has no column '{stale[0]}'; rebuild it with make pipeline"
        )
    try:
        return compare(reference[columns], batch[columns])
    except UsageError as error:
        raise DataError(f"cannot compare the batch with the training data: {error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.monitoring",
        description="Fail when a batch of inputs has drifted from the training data.",
    )
    parser.add_argument("batch", type=Path, help="the new inputs, .csv or .parquet")
    parser.add_argument("--reference", type=Path, help="default: paths.train in params.yaml")
    parser.add_argument("--report", type=Path, help="default: paths.drift_report in params.yaml")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    try:
        paths = load_params(args.params).paths
        report = args.report or paths.drift_report
        reference = tables.read_table(args.reference or paths.train)
        batch = data.validate(tables.read_table(args.batch), data.feature_schema())
        result = check_drift(reference, batch)
    except ProjectError as error:
        print(f"monitor: {error}", file=sys.stderr)
        return 2
    report.parent.mkdir(parents=True, exist_ok=True)
    write_report(reference, batch, result, report)
    report.with_suffix(".json").write_text(
        json.dumps(result.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
    )
    drifted = ", ".join(column.column for column in result.drifted) or "none"
    print(f"monitor: {result.summary} Drifted columns: {drifted}. Report: {report}")
    # One materially shifted feature is enough to mistrust the model's scores on the batch.
    return 1 if result.drifted else 0


if __name__ == "__main__":
    sys.exit(main())
