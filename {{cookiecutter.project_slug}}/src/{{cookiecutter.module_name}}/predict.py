"""Batch prediction: score a CSV or Parquet file chunk by chunk, in bounded memory.

    python -m {{ cookiecutter.module_name }}.predict INPUT OUTPUT [--skip-invalid] [--chunk-rows N]

Each chunk is validated against the feature schema. A bad row stops the run with a message
naming its row number (1 = first data row) and column, unless --skip-invalid is given: then
bad rows go to OUTPUT's sibling `<name>.rejected.csv` with the reason, and the rest are
scored. The output is written to a temporary file and renamed at the end, so a failed run
leaves no partial output behind.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from tqdm import tqdm

from {{ cookiecutter.module_name }} import data, model_io
from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.errors import DataError, ProjectError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
TEXT_COLUMNS = [data.ID_COLUMN, *(f.name for f in data.FEATURES if f.kind == "category")]


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise DataError(
            f"{path}: unknown file type '{path.suffix}'; use .csv or .parquet"
        ) from None


def read_chunks(path: Path, chunk_rows: int) -> tuple[Iterator[pd.DataFrame], int | None]:
    """Stream a file in chunks whose index numbers rows from 0 across the whole file.

    Returns:
        (the chunks, the total number of rows where the format tells it cheaply, else None).
    """
    if not path.is_file():
        raise DataError(f"{path} not found; check the path")
    if file_format(path) == "parquet":
        # Without pre-buffering, pyarrow reads a row group page by page through a small
        # buffer instead of loading it whole, so memory stays flat whatever the file's
        # length. A page is decoded whole: a file written with pages of many MB costs more
        # (the template's benchmarks/). Category columns are read as plain text: as pandas
        # categoricals they took twice as long to validate, for no memory saved.
        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        batches = parquet.iter_batches(batch_size=chunk_rows, use_threads=False)
        return (batch.to_pandas() for batch in batches), parquet.metadata.num_rows
    reader = pd.read_csv(path, chunksize=chunk_rows, dtype={name: str for name in TEXT_COLUMNS})
    return iter(reader), None


def split_valid(
    chunk: pd.DataFrame, schema: Any, skip_invalid: bool
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


class TableWriter:
    """Appends frames of one set of columns to a CSV or Parquet file, through Arrow's
    writers: they format numbers about ten times faster than DataFrame.to_csv."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = file_format(path)
        self._schema: pa.Schema | None = None
        self._csv: pa.NativeFile | None = None
        self._parquet: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._schema is None:
            self._schema = table.schema
            if self.format == "csv":
                self._csv = pa.OSFile(str(self.path), "wb")
                self._csv.write(csv_line(table.schema.names))
            else:
                self._parquet = pq.ParquetWriter(self.path, table.schema)
        elif table.schema != self._schema:
            # An empty chunk (every row rejected) can come out with looser types.
            table = table.cast(self._schema)
        if self._parquet is not None:
            self._parquet.write_table(table)
        else:
            options = pa_csv.WriteOptions(include_header=False, quoting_style=quoting(table))
            pa_csv.write_csv(table, self._csv, options)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None


def csv_line(values: list[str]) -> bytes:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(values)
    return line.getvalue().encode()


def quoting(table: pa.Table) -> str:
    """Arrow's CSV quoting for a chunk: none, as pandas writes, unless a text value holds a
    comma, a quote or a line break. CSV readers take quoted and plain fields side by side."""
    texts = [
        column
        for column in table.columns
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    ]
    special = (pc.any(pc.match_substring_regex(text, '[",\r\n]')).as_py() for text in texts)
    return "needed" if any(special) else "none"


def append_csv(frame: pd.DataFrame, path: Path) -> None:
    """Append rows to a CSV file, with a header when the file is new. For rejected rows,
    whose column types vary from chunk to chunk (a bad value makes a column text)."""
    frame.to_csv(path, mode="a", header=not path.exists(), index=False)


def predictions(chunk: pd.DataFrame, artifact: model_io.ModelArtifact) -> pd.DataFrame:
    """The output rows for a validated chunk: id (when given), label, probability, version."""
    labels, probability = artifact.score(chunk)
    output = pd.DataFrame({"prediction": labels, "probability": probability})
    if data.ID_COLUMN in chunk.columns:
        output.insert(0, data.ID_COLUMN, pd.array(chunk[data.ID_COLUMN], dtype="string"))
    # Typed as text even when the chunk is empty, so every Parquet row group agrees.
    output["model_version"] = pd.array([artifact.version] * len(output), dtype="string")
    return output


def rejected_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejected.csv")


def predict_file(
    source: Path,
    output: Path,
    artifact: model_io.ModelArtifact,
    chunk_rows: int,
    skip_invalid: bool = False,
    progress: bool | None = None,
) -> dict[str, int]:
    """Score every row of `source` into `output`.

    Args:
        source: a .csv or .parquet file with the feature columns (customer_id optional).
        output: a .csv or .parquet file to write.
        artifact: the model.
        chunk_rows: rows read, validated and scored at a time; memory grows with it.
        skip_invalid: write bad rows aside instead of stopping.
        progress: show a progress bar (None: only on a terminal).

    Returns:
        {"scored": rows written, "rejected": rows written aside}.
    """
    file_format(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial{output.suffix}")
    partial_rejected = rejected_path(partial)
    counts = {"scored": 0, "rejected": 0}
    schema = data.feature_schema()
    chunks, total = read_chunks(source, chunk_rows)
    partial_rejected.unlink(missing_ok=True)
    writer = TableWriter(partial)
    show = None if progress is None else not progress
    try:
        with tqdm(total=total, unit="rows", unit_scale=True, disable=show) as bar:
            offset = 0
            for chunk in chunks:
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                try:
                    valid, rejected = split_valid(chunk, schema, skip_invalid)
                except DataError as error:
                    raise DataError(f"{source}: {error}") from None
                writer.write(predictions(valid, artifact))
                if len(rejected):
                    append_csv(rejected, partial_rejected)
                counts["scored"] += len(valid)
                counts["rejected"] += len(rejected)
                bar.update(len(chunk))
        if offset == 0:
            raise DataError(f"{source} holds no rows; give a file with a header and rows")
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
    parser.add_argument("--model", type=Path, default=model_io.MODEL_FILE)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument(
        "--chunk-rows", type=int, help="rows per chunk (default: predict.chunk_rows)"
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write invalid rows to <output>.rejected.csv instead of stopping",
    )
    args = parser.parse_args(argv)
    try:
        chunk_rows = args.chunk_rows
        if chunk_rows is None:
            params = load_params(args.params)
            chunk_rows = params.predict.chunk_rows if params.predict else 25_000
        if chunk_rows < 1:
            raise DataError(f"--chunk-rows is {chunk_rows}; give a positive number")
        artifact = model_io.load(args.model)
        counts = predict_file(args.input, args.output, artifact, chunk_rows, args.skip_invalid)
    except ProjectError as error:
        print(f"predict: {error}", file=sys.stderr)
        return 1
    rejected = (
        f", {counts['rejected']} rejected to {rejected_path(args.output)}"
        if counts["rejected"]
        else ""
    )
    scored = f"{counts['scored']} rows scored with model {artifact.version}"
    print(f"predict: {scored} to {args.output}{rejected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
