"""Reading and writing tables: CSV or Parquet, whole or in chunks.

Every data table the project reads or writes goes through here, so a format is added in one
place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from {{ cookiecutter.module_name }}.errors import DataError
from {{ cookiecutter.module_name }}.schema import FEATURES, ID_COLUMN, Kind

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# Read as text from a CSV even when they look like numbers (ids such as 00123).
TEXT_COLUMNS = {ID_COLUMN: str} | {f.name: str for f in FEATURES if f.kind is Kind.CATEGORY}


def file_format(path: Path) -> str:
    """ "csv" or "parquet", from the file name."""
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise DataError(
            f"{path}: unknown file type '{Path(path).suffix}'; use .csv or .parquet"
        ) from None


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found; check the path")
    return path


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
    if file_format(path) == "csv":
        return iter(pd.read_csv(_existing(path), chunksize=chunk_rows, dtype=TEXT_COLUMNS)), None
    # Without pre-buffering, pyarrow reads a row group page by page through a small buffer
    # instead of loading it whole, so memory stays flat whatever the file's length. A page
    # is decoded whole: a file written with pages of many MB costs more (the template's
    # benchmarks/). Category columns are read as plain text: as pandas categoricals they
    # took twice as long to validate, for no memory saved.
    parquet = pq.ParquetFile(_existing(path), pre_buffer=False, buffer_size=1 << 20)
    batches = parquet.iter_batches(batch_size=chunk_rows, use_threads=False)
    return (batch.to_pandas() for batch in batches), parquet.metadata.num_rows


class TableWriter:
    """Appends frames of one set of columns to a CSV or Parquet file, through Arrow's
    writers: they format numbers about ten times faster than DataFrame.to_csv."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.format = file_format(path)
        self._schema: pa.Schema | None = None
        self._writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
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


def append_csv(frame: pd.DataFrame, path: Path) -> None:
    """Append rows to a CSV file, with a header when the file is new. For rejected rows,
    whose column types vary from chunk to chunk (a bad value makes a column text)."""
    frame.to_csv(path, mode="a", header=not Path(path).exists(), index=False)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a whole frame as CSV or Parquet, creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format(path) == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
