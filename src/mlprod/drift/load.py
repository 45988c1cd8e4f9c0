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
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path} does not exist; check the path")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            names = pq.read_schema(path).names
            wanted = None if columns is None else [name for name in names if name in columns]
            table = pq.read_table(path, columns=wanted)
        elif suffix == ".csv":
            if path.stat().st_size == 0:
                raise UsageError(f"{path} is empty; give a CSV file with a header row")
            convert = pacsv.ConvertOptions()
            if columns is not None:
                with pacsv.open_csv(path) as reader:
                    names = reader.schema.names
                convert.include_columns = [name for name in names if name in columns]
            table = pacsv.read_csv(path, convert_options=convert)
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
