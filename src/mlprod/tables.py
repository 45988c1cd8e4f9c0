"""Reading the CSV and Parquet files of `mlprod ab` and `mlprod drift`: the header alone,
record batches streamed in bounded memory, or a whole table as a DataFrame.

A folder of Parquet files (Spark's output, a generated project's prediction log) reads as
one table: its files in name order, hidden and `_` entries skipped as Spark and Arrow skip
them, with the columns every file has.

Every reader refuses what it cannot read with an `InvalidData` naming the file: a missing
file, another file type, a malformed file, or a header that names a column twice (a reader
would silently keep the first).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mlprod.errors import InvalidData

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

BATCH_ROWS = 1 << 20
# The CSV reader parses blocks ahead on other threads while this one consumes them; small
# blocks keep that queue, and so the peak memory, flat whatever the file size.
CSV_BLOCK_BYTES = 1 << 20


def parquet_parts(path: Path) -> list[Path]:
    """The Parquet files a path names: itself, or those in the folder and its subfolders."""
    if not path.is_dir():
        return [path]
    return sorted(
        part
        for part in path.rglob("*")
        if part.is_file()
        and part.suffix.lower() in (".parquet", ".pq")
        and not any(name.startswith((".", "_")) for name in part.relative_to(path).parts)
    )


def file_kind(path: Path) -> str:
    """ "csv" or "parquet", from the suffix; the file (or folder of Parquet files) must exist."""
    if path.is_dir():
        if not parquet_parts(path):
            raise InvalidData(
                f"{path} is a folder without .parquet files; give a .csv or .parquet file, "
                "or a folder of Parquet files"
            )
        return "parquet"
    if not path.is_file():
        raise InvalidData(f"{path} does not exist; check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InvalidData(f"{path}: unsupported file type '{suffix}'; give a .csv or .parquet file")


@contextmanager
def _readable(path: Path):
    import pyarrow as pa

    try:
        yield
    except (pa.ArrowInvalid, OSError) as error:
        reason = str(error).splitlines()[0]
        raise InvalidData(f"{path} could not be read ({reason}); check its format") from None


def column_names(path: Path) -> list[str]:
    """The file's header, read without loading its rows; each name must be unique."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    kind = file_kind(path)
    if kind == "csv" and path.stat().st_size == 0:
        raise InvalidData(f"{path} is empty; give a CSV file with a header row")
    with _readable(path):
        if kind == "parquet":
            schemas = [pq.read_schema(part).names for part in parquet_parts(path)]
            names = [name for name in schemas[0] if all(name in other for other in schemas)]
        else:
            with pacsv.open_csv(path) as reader:
                names = list(reader.schema.names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidData(
            f"{path} names column {', '.join(repr(n) for n in repeated)} more than once; "
            "give each column a unique name"
        )
    return names


def iter_batches(
    path: Path, columns: list[str], as_text: tuple[str, ...] = ()
) -> Iterator[pa.RecordBatch]:
    """Record batches of `columns`, streamed: CSV by blocks, Parquet by row groups.

    Columns in `as_text` are read as (dictionary-encoded) text, so that labels such as `0`/`1`
    compare equal to the names given on the command line.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    kind = file_kind(path)
    column_names(path)
    with _readable(path):
        if kind == "parquet":
            for part in parquet_parts(path):
                yield from pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS, columns=columns)
            return
        convert = pacsv.ConvertOptions(
            include_columns=columns,
            strings_can_be_null=True,
            column_types={name: pa.dictionary(pa.int32(), pa.string()) for name in as_text},
        )
        read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES)
        with pacsv.open_csv(path, read_options=read, convert_options=convert) as reader:
            yield from reader


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The whole file as a DataFrame; with `columns`, only those of them that it has."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    kind = file_kind(path)
    names = column_names(path)
    wanted = [name for name in names if columns is None or name in columns]
    with _readable(path):
        if kind == "parquet":
            tables = []
            for part in parquet_parts(path):
                schema = pq.read_schema(part)
                text = [f.name for f in schema if f.name in wanted and pa.types.is_string(f.type)]
                tables.append(pq.read_table(part, columns=wanted, read_dictionary=text))
            try:
                table = pa.concat_tables(tables, promote_options="permissive")
            except pa.ArrowTypeError:
                mixed = [n for n in wanted if not _one_type([t.schema.field(n) for t in tables])]
                raise InvalidData(
                    f"{path}: its Parquet files disagree on the type of column "
                    f"{', '.join(map(repr, mixed))}; write it with one type in all of them"
                ) from None
        else:
            table = _read_csv(path, wanted)
    # self_destruct frees each Arrow column as soon as it is converted, so the peak holds
    # one copy of the data rather than two.
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _one_type(fields: list[pa.Field]) -> bool:
    """Whether Arrow can promote these versions of a column to one type (int32 and int64
    can; numbers and text cannot)."""
    import pyarrow as pa

    try:
        pa.unify_schemas([pa.schema([f]) for f in fields], promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return False
    return True


def _read_csv(path: Path, wanted: list[str]) -> pa.Table:
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
