"""Drift monitoring: does a new batch of inputs still look like the training data?

`make monitor BATCH=<file>` compares each feature of the batch with the training split
(a two-sample test and an effect size, from `mlprod drift`), writes an HTML report a
stakeholder can read, and fails when any feature has drifted materially: the cue to
investigate the source and consider retraining (see docs/phases/06-evaluation.md).

`make monitor` without BATCH takes the rows the prediction log holds for a window of time
instead: by default those since the end of the last check, which a small state file in the
log folder (`.monitor-state.json`) remembers. The window ends before the rows that are not
readable yet (still queued, or in a file a running process has open), so the next check
takes them. Shadow scores are left out (each input once),
and so are features the log excludes or hashes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from mlprod.drift import compare
from mlprod.drift.report import write_report
from mlprod.errors import UsageError

from {{ cookiecutter.module_name }} import data, tables
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError
from {{ cookiecutter.module_name }}.prediction_log import settled_until
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES

STATE_FILE = ".monitor-state.json"


def parse_time(text: str) -> datetime:
    """An ISO time, as UTC when it names no zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DataError(f"'{text}' is not an ISO time; write e.g. 2025-01-31T08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # noqa: UP017


def last_check(log: Path) -> datetime | None:
    """The end of the window of the last check from the log, if there was one."""
    state = log / STATE_FILE
    if not state.is_file():
        return None
    return parse_time(json.loads(state.read_text(encoding="utf-8"))["checked_until"])


def log_files(log: Path, since: datetime | None) -> list[Path]:
    """The log's closed files that may hold rows stamped since `since`."""
    files = sorted(Path(log).glob("*.parquet"))
    if since is not None:
        # A file is closed after its last row was written: one closed before `since` has none.
        files = [path for path in files if path.stat().st_mtime >= since.timestamp()]
    return files


def read_log_window(log: Path, since: datetime | None, until: datetime) -> pd.DataFrame:
    """The answered rows the log's closed files hold with since <= timestamp < until."""
    frames = [pd.read_parquet(path) for path in log_files(log, since)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if rows.empty:
        return rows
    keep = rows["served"] & (rows["timestamp"] < until)
    if since is not None:
        keep &= rows["timestamp"] >= since
    return rows[keep].reset_index(drop=True)


def check_drift(reference: pd.DataFrame, batch: pd.DataFrame, columns=FEATURE_NAMES):
    """Compare the model's input columns of a batch with those of the reference data.

    Args:
        reference: the data the model was trained on.
        batch: new inputs, validated against the feature schema.
        columns: the features to compare (default: all of them).

    Returns:
        mlprod's DriftResult: per-column tests, effect sizes, PSI and flags, and
        `dataset_drift`.
    """
    columns = list(columns)
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
    parser.add_argument(
        "batch", type=Path, nargs="?", help="new inputs, .csv or .parquet (default: the log)"
    )
    parser.add_argument("--reference", type=Path, help="default: paths.train in params.yaml")
    parser.add_argument("--report", type=Path, help="default: paths.drift_report in params.yaml")
    parser.add_argument("--log", type=Path, help="default: prediction_log.directory")
    parser.add_argument("--since", help="ISO time (UTC if no zone); default: the last check")
    parser.add_argument("--until", help="ISO time; default: now")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    state = None
    try:
        params = load_params(args.params)
        paths = params.paths
        report = args.report or paths.drift_report
        reference = tables.read_table(args.reference or paths.train)
        if args.batch is not None:
            batch = data.validate(tables.read_table(args.batch), data.feature_schema())
            result = check_drift(reference, batch)
        else:
            batch, columns, state, window = log_batch(params, args)
            result = check_drift(reference, batch, columns)
            print(f"monitor: {len(batch)} logged rows {window}")
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
    if state is not None:
        save_state(state)
    # One materially shifted feature is enough to mistrust the model's scores on the batch.
    return 1 if result.drifted else 0


def log_window(params, args: argparse.Namespace) -> tuple[Path, datetime | None, datetime, str]:
    """The log folder and the window to check in it: since the last check (or --since) to
    now (or --until), ending before the rows that are not readable yet.

    Returns:
        (folder, since, until, the window in words)
    """
    if params.prediction_log is None:
        raise DataError(f"{args.params} has no prediction_log section; give BATCH=<file>")
    log = args.log or params.prediction_log.directory
    until = parse_time(args.until) if args.until else datetime.now(timezone.utc)  # noqa: UP017
    since = parse_time(args.since) if args.since else last_check(log)
    # Rows still queued, or in a file a running process has open, are not readable yet: the
    # window ends before them, so that the next check, which starts where this one ends,
    # takes them.
    settled, abandoned = settled_until(log, params.prediction_log.roll_seconds, time.time())
    until = min(until, datetime.fromtimestamp(settled, timezone.utc))  # noqa: UP017
    if abandoned:
        print(
            f"monitor: {len(abandoned)} log file(s) were left open by a stopped process, "
            f"their rows lost (e.g. {abandoned[0]}); delete them",
            file=sys.stderr,
        )
    window = f"from {since.isoformat() if since else 'the start'} to {until.isoformat()}"
    return log, since, until, window


def no_rows(log: Path, window: str) -> DataError:
    return DataError(
        f"no prediction log rows in {log} {window}; serve or predict first, or give BATCH="
    )


def compared_features(params) -> list[str]:
    """The features a check of the log compares: those it neither excludes nor hashes."""
    hidden = set(params.prediction_log.exclude) | set(params.prediction_log.hashed)
    return [name for name in FEATURE_NAMES if name not in hidden]


def save_state(state: tuple[Path, datetime]) -> None:
    """The window is checked: the next check starts where it ends."""
    path, until = state
    path.write_text(json.dumps({"checked_until": until.isoformat()}) + "\n", encoding="utf-8")


def log_batch(params, args: argparse.Namespace):
    """The rows of the prediction log to check, the features to compare, and the state."""
    log, since, until, window = log_window(params, args)
    batch = read_log_window(log, since, until)
    if batch.empty:
        raise no_rows(log, window)
    return batch, compared_features(params), (log / STATE_FILE, until), window


if __name__ == "__main__":
    sys.exit(main())
