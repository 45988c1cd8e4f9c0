"""Per-variant sufficient statistics, accumulated from unit-level rows read in batches.

A file of any length is reduced to (n, mean, sum of squared deviations) per variant while it
is read, batch by batch, so memory stays bounded by the batch size rather than the file size.
Batches are merged with Chan's parallel update, which stays accurate where the textbook
sum-of-squares formula loses digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlprod.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

BATCH_ROWS = 1 << 20
# The CSV reader parses blocks ahead on other threads while this one aggregates; small blocks
# keep that queue, and so the peak memory, flat whatever the file size, at no cost in speed.
CSV_BLOCK_BYTES = 1 << 20


@dataclass
class ArmStats:
    """Sufficient statistics of one variant's metric."""

    n: float = 0.0
    mean: float = 0.0
    m2: float = 0.0
    binary: bool = True

    @classmethod
    def from_sums(cls, n: float, total: float, sum_squares: float, binary: bool) -> ArmStats:
        mean = total / n if n else 0.0
        return cls(n=n, mean=mean, m2=max(sum_squares - total * mean, 0.0), binary=binary)

    @property
    def variance(self) -> float:
        return self.m2 / (self.n - 1) if self.n > 1 else math.nan

    def merge(self, n: float, mean: float, m2: float, binary: bool) -> None:
        total = self.n + n
        if total == 0:
            return
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.n * n / total
        self.mean += delta * n / total
        self.n = total
        self.binary = self.binary and binary


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise UsageError(f"{path}: unsupported file type '{suffix}'; give a .csv or .parquet file")


def column_names(path: Path) -> list[str]:
    """The file's header, read without loading its rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if not path.is_file():
        raise UsageError(f"{path} does not exist; check the path")
    try:
        if file_kind(path) == "parquet":
            return list(pq.read_schema(path).names)
        with pacsv.open_csv(path) as reader:
            return list(reader.schema.names)
    except pa.ArrowInvalid as error:
        reason = str(error).splitlines()[0]
        raise UsageError(f"{path} could not be read ({reason}); check its format") from None


def iter_batches(
    path: Path, columns: list[str], as_text: tuple[str, ...] = ()
) -> Iterator[pa.RecordBatch]:
    """Record batches of `columns`, streamed: CSV by blocks, Parquet by row groups.

    Columns in `as_text` are read as (dictionary-encoded) text, so that variant labels such as
    `0`/`1` compare equal to the `--control` given on the command line.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if file_kind(path) == "parquet":
            yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns)
            return
        convert = pacsv.ConvertOptions(
            include_columns=columns,
            strings_can_be_null=True,
            column_types={name: pa.dictionary(pa.int32(), pa.string()) for name in as_text},
        )
        read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES)
        with pacsv.open_csv(path, read_options=read, convert_options=convert) as reader:
            yield from reader
    except pa.ArrowInvalid as error:
        reason = str(error).splitlines()[0]
        raise UsageError(f"{path} could not be read ({reason}); check its format") from None


def _codes_and_labels(array: pa.Array) -> tuple[np.ndarray, list[str]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(array.type):
        if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
            array = pc.cast(array, pa.string())
        array = pc.dictionary_encode(array)
    codes = pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False)
    labels = [str(label) for label in array.dictionary.to_pylist()]
    return codes, labels


def _metric_values(array: pa.Array, metric_col: str) -> np.ndarray:
    import pyarrow as pa

    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
        raise UsageError(
            f"metric column '{metric_col}' holds {kind} values; it must be numeric or 0/1"
        )
    return array.cast(pa.float64()).to_numpy(zero_copy_only=False)


@dataclass
class UnitLevel:
    arms: dict[str, ArmStats]
    rows: int
    dropped: int


def accumulate_units(path: Path, variant_col: str, metric_col: str) -> UnitLevel:
    """Stream unit-level rows into per-variant statistics; rows missing either value are
    dropped and counted."""
    import numpy as np

    arms: dict[str, ArmStats] = {}
    rows = dropped = 0
    for batch in iter_batches(path, [variant_col, metric_col], as_text=(variant_col,)):
        codes, labels = _codes_and_labels(batch.column(variant_col))
        values = _metric_values(batch.column(metric_col), metric_col)
        rows += len(values)
        keep = (codes >= 0) & ~np.isnan(values)
        if not keep.all():
            dropped += int(len(keep) - keep.sum())
            codes, values = codes[keep], values[keep]
        if len(values) == 0:
            continue
        size = len(labels)
        counts = np.bincount(codes, minlength=size)
        sums = np.bincount(codes, weights=values, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / counts
        squares = np.bincount(codes, weights=(values - means[codes]) ** 2, minlength=size)
        binary = bool(np.all((values == 0) | (values == 1)))
        for index in np.flatnonzero(counts):
            label = labels[index]
            arm = arms.setdefault(label, ArmStats())
            arm.merge(float(counts[index]), float(means[index]), float(squares[index]), binary)
    return UnitLevel(arms=arms, rows=rows, dropped=dropped)


def read_aggregated(path: Path, variant_col: str, columns: list[str]) -> dict[str, ArmStats]:
    """Per-variant statistics from a file of `n,conversions` or `n,sum,sum_squares` rows;
    several rows of one variant (e.g. one per day) are added up."""
    import pyarrow as pa
    from pandas.api.types import is_numeric_dtype

    tables = list(iter_batches(path, [variant_col, *columns], as_text=(variant_col,)))
    if not tables:
        raise UsageError(f"{path} has no rows; give a file with one row per variant")
    frame = pa.Table.from_batches(tables).to_pandas()
    frame[variant_col] = frame[variant_col].astype(str)
    for name in columns:
        if not is_numeric_dtype(frame[name]):
            raise UsageError(f"column '{name}' must be numeric in {path}; fix the file")
    sums = frame.groupby(variant_col, sort=False)[columns].sum()
    arms: dict[str, ArmStats] = {}
    for label, row in sums.iterrows():
        n = float(row["n"])
        if n < 0 or any(math.isnan(float(row[name])) for name in columns):
            raise UsageError(f"variant '{label}' has a missing or negative count; fix the file")
        if "conversions" in columns:
            conversions = float(row["conversions"])
            if not 0 <= conversions <= n:
                raise UsageError(
                    f"variant '{label}' has {conversions:g} conversions out of {n:g}; "
                    "conversions must lie between 0 and n"
                )
            arms[str(label)] = ArmStats.from_sums(n, conversions, conversions, binary=True)
        else:
            arms[str(label)] = ArmStats.from_sums(
                n, float(row["sum"]), float(row["sum_squares"]), binary=False
            )
    return arms
