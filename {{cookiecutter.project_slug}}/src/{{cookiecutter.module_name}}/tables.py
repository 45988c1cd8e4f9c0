"""Reading and writing tables: CSV or Parquet, whole or in chunks.

Every data table the project reads or writes goes through here, so a format is added in one
place.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from {{ cookiecutter.module_name }}.errors import UsageError
from {{ cookiecutter.module_name }}.schema import FEATURES, ID_COLUMN, Kind

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# Read as text from a CSV even when they look like numbers (ids such as 00123).
TEXT_COLUMNS = {ID_COLUMN: str} | {f.name: str for f in FEATURES if f.kind is Kind.CATEGORY}
# A header may take this many bytes per allowed column before it is refused unread.
HEADER_BYTES_PER_COLUMN = 256
# What a malformed file raises while it is parsed: each becomes one line naming the file.
READ_ERRORS = (
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    UnicodeDecodeError,
    pa.ArrowException,
    OSError,
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def file_format(path: Path) -> str:
    """ "csv" or "parquet", from the file name."""
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise UsageError(
            f"{path}: unknown file type '{Path(path).suffix}'; use .csv or .parquet"
        ) from None


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path} not found; check the path")
    if not path.is_file():
        raise UsageError(
            f"{path} is not a regular file (a directory, FIFO or device); give a data file"
        )
    if not os.access(path, os.R_OK):
        raise UsageError(f"{path} is not readable; check its permissions")
    return path


def unreadable(path: Path, error: BaseException) -> UsageError:
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return UsageError(f"{path} cannot be read as {file_format(path)} ({reason}); check the file")


def check_width(path: Path, max_columns: int) -> None:
    """Refuse a file with more than max_columns columns, reading only its header: the first
    line of a CSV (at most max_columns * HEADER_BYTES_PER_COLUMN bytes of it), the footer of
    a Parquet file (bounded alike before it is parsed)."""
    path = _existing(path)
    limit = max_columns * HEADER_BYTES_PER_COLUMN
    too_wide = f"over predict.max_columns ({max_columns}); give the feature columns only"
    if file_format(path) == "csv":
        with path.open("rb") as f:
            header = f.readline(limit + 1)
        if not header.strip():
            raise UsageError(f"{path} is empty; give a file with a header and rows")
        if len(header) > limit:
            raise UsageError(f"{path}: header line longer than {limit} bytes, {too_wide}")
        columns = len(next(csv.reader([header.decode("utf-8", errors="replace")])))
    else:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() < 12:
                raise UsageError(f"{path} is not a Parquet file (too short); check the file")
            f.seek(-8, os.SEEK_END)
            tail = f.read(8)
        if tail[4:] != b"PAR1":
            raise UsageError(f"{path} is not a Parquet file (no PAR1 footer); check the file")
        if int.from_bytes(tail[:4], "little") > limit:
            raise UsageError(f"{path}: Parquet metadata over {limit} bytes, {too_wide}")
        try:
            columns = pq.ParquetFile(path).metadata.num_columns
        except READ_ERRORS as error:
            raise unreadable(path, error) from None
    if columns > max_columns:
        raise UsageError(f"{path} has {columns} columns, {too_wide}")


def _guarded(path: Path, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    try:
        yield from chunks
    except READ_ERRORS as error:
        raise unreadable(path, error) from None


def read_table(path: Path) -> pd.DataFrame:
    """Read a whole CSV or Parquet file, unvalidated."""
    if file_format(path) == "csv":
        return pd.read_csv(_existing(path), dtype=TEXT_COLUMNS)
    return pd.read_parquet(_existing(path))


def read_chunks(path: Path, chunk_rows: int) -> tuple[Iterator[pd.DataFrame], int | None]:
    """Stream a file in chunks of at most chunk_rows rows, unvalidated.

    Returns:
        (the chunks, the total number of rows where the format tells it cheaply, else None).
    """
    try:
        if file_format(path) == "csv":
            reader = pd.read_csv(_existing(path), chunksize=chunk_rows, dtype=TEXT_COLUMNS)
            return _guarded(path, reader), None
        parquet = pq.ParquetFile(_existing(path), pre_buffer=False, buffer_size=1 << 20)
    except READ_ERRORS as error:
        raise unreadable(path, error) from None
    # Without pre-buffering, pyarrow reads a row group page by page through a small buffer
    # instead of loading it whole, so memory stays flat whatever the file's length. A page
    # is decoded whole: a file written with pages of many MB costs more (the template's
    # benchmarks/). Category columns are read as plain text: as pandas categoricals they
    # took twice as long to validate, for no memory saved.
    batches = parquet.iter_batches(batch_size=chunk_rows, use_threads=False)
    return _guarded(path, (batch.to_pandas() for batch in batches)), parquet.metadata.num_rows


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with ' (OWASP's advice
    on CSV injection), for CSV outputs. Numbers are left alone, and so is text that is a
    plain number such as "-3": only text columns are touched, and in them only cells that
    start with = + - @ tab or carriage return and are not a plain number."""
    changed = {}
    for name in frame.columns:
        column = frame[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        text = column.astype("string")
        risky = text.str.contains(FORMULA_START, regex=True) & ~text.str.match(PLAIN_NUMBER)
        risky = risky.fillna(False).astype(bool)
        if risky.any():
            changed[name] = column.where(~risky, "'" + text)
    return frame.assign(**changed) if changed else frame


class TableWriter:
    """Appends frames of one set of columns to a CSV or Parquet file, through Arrow's
    writers: they format numbers about ten times faster than DataFrame.to_csv."""

    def __init__(self, path: Path, format: str | None = None) -> None:
        self.path = Path(path)
        self.format = format or file_format(path)
        self._schema: pa.Schema | None = None
        self._writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.format == "csv":
            frame = neutralise_formulas(frame)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._schema is None:
            self._schema = table.schema
            if self.format == "csv":
                self._writer = pa_csv.CSVWriter(str(self.path), table.schema)
            else:
                self._writer = pq.ParquetWriter(self.path, table.schema)
        elif table.schema != self._schema:
            # An empty chunk (every row rejected) can come out with looser types.
            table = table.cast(self._schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def append_csv(frame: pd.DataFrame, path: Path, header: bool) -> None:
    """Append rows to a CSV file, formulas neutralised. For rejected rows, whose column
    types vary from chunk to chunk (a bad value makes a column text)."""
    neutralise_formulas(frame).to_csv(path, mode="a", header=header, index=False)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a whole frame as CSV or Parquet, creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format(path) == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
