"""Reading a data set for drift checks: CSV or Parquet, whole, into a DataFrame."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlprod.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read `path`; with `columns`, only those of them that the file has."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path} does not exist; check the path")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            schema = pq.read_schema(path)
            wanted = [name for name in schema.names if columns is None or name in columns]
            text = [f.name for f in schema if f.name in wanted and pa.types.is_string(f.type)]
            table = pq.read_table(path, columns=wanted, read_dictionary=text)
        elif suffix == ".csv":
            if path.stat().st_size == 0:
                raise UsageError(f"{path} is empty; give a CSV file with a header row")
            table = _read_csv(path, columns)
        else:
            raise UsageError(
                f"{path}: unsupported file type '{suffix}'; give a .csv or .parquet file"
            )
    except (pa.ArrowInvalid, OSError) as error:
        reason = str(error).splitlines()[0]
        raise UsageError(f"{path} could not be read ({reason}); check its format") from None
    # self_destruct frees each Arrow column as soon as it is converted, so the peak holds
    # one copy of the data rather than two.
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _read_csv(path: Path, columns: list[str] | None):
    """Read a CSV block by block, so the raw text never sits in memory whole.

    Column types come from the first block; integer columns are widened to float64 since a
    later block may hold decimals or blanks, and text is dictionary-encoded, which becomes a
    pandas categorical: a fraction of the memory and conversion time of strings. If a later
    block still does not fit the types, the file is read again in one piece, with types
    inferred from all of it.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read = pacsv.ReadOptions(block_size=4 << 20)
    with pacsv.open_csv(path, read_options=read) as reader:
        schema = reader.schema
    wanted = [name for name in schema.names if columns is None or name in columns]
    types = {
        field.name: _column_type(field.type)
        for field in schema
        if field.name in wanted and not pa.types.is_null(field.type)
    }
    convert = pacsv.ConvertOptions(include_columns=wanted, column_types=types)
    try:
        with pacsv.open_csv(path, read_options=read, convert_options=convert) as reader:
            return pa.Table.from_batches(list(reader), schema=reader.schema)
    except pa.ArrowInvalid:
        convert = pacsv.ConvertOptions(include_columns=wanted)
        return pacsv.read_csv(path, convert_options=convert)


def _column_type(kind):
    import pyarrow as pa

    if pa.types.is_integer(kind):
        return pa.float64()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pa.dictionary(pa.int32(), pa.string())
    return kind
