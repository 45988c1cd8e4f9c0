"""`mlprod drift REFERENCE CURRENT`: which columns of a new batch no longer look like the
reference data. Exit code 1 when drift is found (see --fail-on), 2 on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlprod.drift.comparison import DEFAULTS
from mlprod.errors import UsageError
from mlprod.output import dumps, number

EFFECT_NAMES = {"wasserstein_norm": "Wasserstein/sd", "jensen_shannon": "Jensen-Shannon"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "reference", type=Path, metavar="REFERENCE", help="CSV or Parquet file, or Parquet folder"
    )
    parser.add_argument(
        "current", type=Path, metavar="CURRENT", help="CSV or Parquet file, or Parquet folder"
    )
    parser.add_argument("--columns", nargs="+", help="columns to compare (all)")
    parser.add_argument("--exclude", nargs="+", default=[], help="columns to leave out")
    parser.add_argument(
        "--alpha", type=float, default=DEFAULTS["alpha"], help="family-wise level (0.05)"
    )
    parser.add_argument(
        "--wasserstein-threshold",
        type=float,
        default=DEFAULTS["wasserstein_threshold"],
        help="smallest Wasserstein distance, in reference standard deviations, that makes a "
        "numeric change material (0.1)",
    )
    parser.add_argument(
        "--jensen-shannon-threshold",
        type=float,
        default=DEFAULTS["jensen_shannon_threshold"],
        help="smallest Jensen-Shannon distance that makes a categorical change material (0.1)",
    )
    parser.add_argument(
        "--psi-threshold",
        type=float,
        default=DEFAULTS["psi_threshold"],
        help="also require this PSI (off: PSI reads higher on small batches)",
    )
    parser.add_argument(
        "--share",
        type=float,
        dest="share_threshold",
        default=DEFAULTS["share_threshold"],
        help="share of drifted columns that makes the data set drift (0.5)",
    )
    parser.add_argument("--bins", type=int, default=DEFAULTS["bins"], help="PSI quantile bins (10)")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write an HTML report")
    parser.add_argument(
        "--fail-on",
        choices=["dataset", "column", "never"],
        default="dataset",
        help="exit 1 when the data set drifts (default), when any column does, or never",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(func=run, flags={"share_threshold": "--share", "path": "--report"})


def _print_text(result) -> None:
    for column in result.columns:
        flag = "DRIFT" if column.drift else "ok"
        stats = (
            f"{column.test} statistic {number(column.statistic)}, p = {number(column.p_value, 3)}"
            f", {EFFECT_NAMES[column.effect_measure]} {number(column.effect, 3)}"
            f", PSI {number(column.psi, 3)}"
            if column.statistic is not None
            else column.test
        )
        print(f"{flag:5} {column.column}: {stats}; {column.summary}")
        for finding in column.findings:
            if finding != column.summary:
                print(f"      note: {finding}")
    for finding in result.findings:
        print(f"note: {finding}")
    print(result.summary)


def run(args: argparse.Namespace) -> int:
    from mlprod.drift.comparison import compare
    from mlprod.tables import read_table

    if args.report is not None and not args.report.parent.is_dir():
        raise UsageError(f"directory {args.report.parent} does not exist; create it first")
    reference = read_table(args.reference, args.columns)
    current = read_table(args.current, args.columns)
    result = compare(
        reference,
        current,
        args.columns,
        alpha=args.alpha,
        wasserstein_threshold=args.wasserstein_threshold,
        jensen_shannon_threshold=args.jensen_shannon_threshold,
        psi_threshold=args.psi_threshold,
        share_threshold=args.share_threshold,
        bins=args.bins,
        exclude=args.exclude,
    )
    if args.report is not None:
        from mlprod.drift.report import write_report

        write_report(reference, current, result, args.report)
    if args.format == "json":
        print(dumps(result.to_dict()))
    else:
        _print_text(result)
    if args.fail_on == "dataset":
        return 1 if result.dataset_drift else 0
    if args.fail_on == "column":
        return 1 if result.drifted else 0
    return 0
