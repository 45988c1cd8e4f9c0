"""Batch prediction: score a CSV or Parquet file chunk by chunk, in bounded memory.

    python -m {{ cookiecutter.module_name }}.predict INPUT OUTPUT [--skip-invalid] [--force] [--chunk-rows N]

Each chunk is validated against the feature schema. A bad row stops the run with a message
naming its row number (1 = first data row) and column, unless --skip-invalid is given: then
bad rows go to OUTPUT's sibling `<name>.rejected.csv` with the reason, and the rest are
scored. The output is written to a temporary file of an unpredictable name in OUTPUT's
folder and renamed at the end, so a failed run leaves no partial output behind. An existing
OUTPUT is replaced only with --force, and never when it is INPUT. A file that cannot be used
(missing, not a regular file, malformed, wider than predict.max_columns) exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
from tqdm import tqdm

from {{ cookiecutter.module_name }} import data, model_io, tables
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError, UsageError
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN


def split_valid(
    chunk: pd.DataFrame, schema: pandera.DataFrameSchema, skip_invalid: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate one chunk.

    Returns:
        (valid rows with typed columns, rejected rows with an `error` column).

    Raises:
        DataError: a row is bad and skip_invalid is off, or a problem concerns a whole
            column (a missing one), which no skipping can fix.
    """
    if not skip_invalid:
        return data.validate(chunk, schema), chunk.iloc[0:0]
    cases = data.failure_cases(chunk, schema)
    if cases.empty:
        return data.validate(chunk, schema), chunk.iloc[0:0]
    if cases["index"].isna().any():
        data.validate(chunk, schema)  # raises, naming the column
    reasons = (
        cases.assign(reason=cases["column"].astype(str) + ": fails " + cases["check"].astype(str))
        .groupby("index")["reason"]
        .agg("; ".join)
    )
    bad = chunk.index.isin(reasons.index)
    rejected = chunk[bad].assign(error=reasons.reindex(chunk.index[bad]).to_numpy())
    return data.validate(chunk[~bad], schema), rejected


def predictions(chunk: pd.DataFrame, artifact: model_io.ModelArtifact) -> pd.DataFrame:
    """The output rows for a validated chunk: id (when given), label, probability, version."""
    labels, probability = artifact.score(chunk)
    output = pd.DataFrame({"prediction": labels, "probability": probability})
    if ID_COLUMN in chunk.columns:
        output.insert(0, ID_COLUMN, pd.array(chunk[ID_COLUMN], dtype="string"))
    # Typed as text even when the chunk is empty, so every Parquet row group agrees.
    output["model_version"] = pd.array([artifact.version] * len(output), dtype="string")
    return output


def record(
    log: PredictionLog, run_id: str, valid: pd.DataFrame, scored: pd.DataFrame, version: str
) -> None:
    """Put a scored chunk in the prediction log, waiting for room rather than dropping it.
    The columns go over as Arrow arrays: no copy of the chunk's text to Python objects."""
    unit_ids = pa.array(valid[ID_COLUMN], pa.large_string()) if ID_COLUMN in valid else None
    log.record(
        {name: pa.array(valid[name]) for name in FEATURE_NAMES},
        scored["prediction"].to_numpy(),
        scored["probability"].to_numpy(),
        request_id=run_id,
        model_version=version,
        variant="champion",
        unit_ids=unit_ids,
        wait=True,
    )


def rejected_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejected.csv")


def summary(counts: dict[str, int], version: str, output, engine: str = "") -> str:
    """The run's last line, for both engines: rows scored, by which model, where to, and
    where the rejected rows went."""
    rejected = (
        f", {counts['rejected']} rejected to {rejected_path(Path(output))}"
        if counts["rejected"]
        else ""
    )
    scored = f"{counts['scored']} rows scored with model {version}{engine}"
    return f"predict: {scored} to {output}{rejected}"


def check_outputs(source: Path, outputs: list[Path], force: bool) -> None:
    """Refuse to write over INPUT (whatever the path's spelling: a link, ../), over a folder,
    or over an existing file without force."""
    for output in outputs:
        if output.is_dir():
            raise UsageError(f"{output} is a folder; give a file name for the output")
        if output.exists() and output.samefile(source):
            raise UsageError(f"{output} is the input file; give another output file")
        if output.exists() and not force:
            raise UsageError(f"{output} exists; give FORCE=1 (--force) to replace it")


def temporary_file(output: Path) -> Path:
    """A new empty file of an unpredictable name beside output (so the final rename stays
    on one file system), created exclusively: a file or link planted there is never
    followed. It gets the permissions a new file gets, not mkstemp's owner-only ones."""
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def predict_file(
    source: Path,
    output: Path,
    artifact: model_io.ModelArtifact,
    chunk_rows: int,
    skip_invalid: bool = False,
    progress: bool | None = None,
    force: bool = False,
    max_columns: int = 1000,
    log: PredictionLog | None = None,
) -> dict[str, int]:
    """Score every row of `source` into `output`.

    Args:
        source: a .csv or .parquet file with the feature columns (customer_id optional).
        output: a .csv or .parquet file to write.
        artifact: the model.
        chunk_rows: rows read, validated and scored at a time; memory grows with it.
        skip_invalid: write bad rows aside instead of stopping.
        progress: show a progress bar (None: only on a terminal).
        force: replace an existing output (never the input).
        max_columns: refuse an input with more columns, before reading its rows.
        log: the prediction log to record every scored row in (one request_id per run).

    Returns:
        {"scored": rows written, "rejected": rows written aside}.
    """
    tables.file_format(output)
    tables.check_width(source, max_columns)
    check_outputs(source, [output, rejected_path(output)] if skip_invalid else [output], force)
    counts = {"scored": 0, "rejected": 0}
    run_id = uuid.uuid4().hex
    schema = data.feature_schema()
    chunks, total = tables.read_chunks(source, chunk_rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = temporary_file(output)
    partial_rejected = temporary_file(output)
    writer = tables.TableWriter(partial, tables.file_format(output))
    # tqdm's disable=None hides the bar where the output is not a terminal.
    hide_bar = None if progress is None else not progress
    try:
        with tqdm(total=total, unit="rows", unit_scale=True, disable=hide_bar) as bar:
            offset = 0
            for chunk in chunks:
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                try:
                    valid, rejected = split_valid(chunk, schema, skip_invalid)
                except DataError as error:
                    raise DataError(f"{source}: {error}") from None
                scored = predictions(valid, artifact)
                writer.write(scored)
                if log is not None:
                    record(log, run_id, valid, scored, artifact.version)
                if len(rejected):
                    tables.append_csv(rejected, partial_rejected, header=not counts["rejected"])
                counts["scored"] += len(valid)
                counts["rejected"] += len(rejected)
                bar.update(len(chunk))
        if offset == 0:
            raise UsageError(f"{source} holds no rows; give a file with a header and rows")
        writer.close()
        partial.replace(output)
        if counts["rejected"]:
            partial_rejected.replace(rejected_path(output))
    finally:
        writer.close()
        partial.unlink(missing_ok=True)
        partial_rejected.unlink(missing_ok=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.predict",
        description="Score a CSV or Parquet file with the trained model.",
    )
    parser.add_argument("input", type=Path, help="CSV or Parquet file with the feature columns")
    parser.add_argument("output", type=Path, help="CSV or Parquet file to write")
    parser.add_argument("--model", type=Path, help="default: paths.model in params.yaml")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument(
        "--chunk-rows", type=int, help="rows per chunk (default: predict.chunk_rows)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUTPUT if it exists (never INPUT)"
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write invalid rows to <output>.rejected.csv instead of stopping",
    )
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        chunk_rows = args.chunk_rows
        if chunk_rows is None:
            chunk_rows = params.predict.chunk_rows if params.predict else 25_000
        if chunk_rows < 1:
            raise UsageError(f"--chunk-rows is {chunk_rows}; give a positive number")
        max_columns = params.predict.max_columns if params.predict else 1000
        artifact = model_io.load(args.model or params.paths.model, **params.model_file.model_dump())
        log = None
        if params.prediction_log is not None and params.prediction_log.enabled:
            # One chunk queued while the next is scored: a deeper queue only holds memory,
            # since a batch run waits for the writer rather than drop rows.
            queue_rows = min(params.prediction_log.queue_rows, chunk_rows)
            settings = params.prediction_log.model_copy(update={"queue_rows": queue_rows})
            log = PredictionLog(settings).start()
        try:
            counts = predict_file(
                args.input,
                args.output,
                artifact,
                chunk_rows,
                args.skip_invalid,
                force=args.force,
                max_columns=max_columns,
                log=log,
            )
        finally:
            if log is not None:
                log.close()
    except ProjectError as error:
        print(f"predict: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1
    print(summary(counts, artifact.version, args.output))
    if log is not None and log.dropped:
        print(f"predict: {log.dropped} scored rows could not be logged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
