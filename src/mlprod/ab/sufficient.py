"""Per-variant sufficient statistics, accumulated from unit-level rows read in batches.

A file of any length is reduced to (n, mean, sum of squared deviations) per variant while it
is read, batch by batch, so memory stays bounded by the batch size rather than the file size.
Batches are merged with Chan's parallel update, which stays accurate where the textbook
sum-of-squares formula loses digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlprod.errors import InvalidData
from mlprod.tables import iter_batches

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


@dataclass
class ArmStats:
    """Sufficient statistics of one variant's metric."""

    n: float = 0.0
    mean: float = 0.0
    m2: float = 0.0
    binary: bool = True

    @classmethod
    def from_sums(cls, n: float, total: float, sum_squares: float, binary: bool) -> ArmStats:
        """From checked totals (see `read_aggregated`); the rounding error of
        `sum_squares - total * mean` on a constant metric is clipped to a variance of 0."""
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
        raise InvalidData(
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
        infinite = np.flatnonzero(np.isinf(values))
        if len(infinite):
            raise InvalidData(
                f"{path}, data row {rows + int(infinite[0]) + 1}: metric '{metric_col}' is "
                f"{values[infinite[0]]:g}; fix or remove the row"
            )
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
    several rows of one variant (e.g. one per day) are added up.

    Every cell is checked before anything is added up, so a blank cannot count as 0: each row
    needs a variant and a finite value in every column, whole non-negative counts,
    conversions between 0 and n, and a `sum_squares` that some data could give
    (at least sum**2 / n).
    """
    import numpy as np
    import pyarrow as pa
    from pandas.api.types import is_numeric_dtype

    tables = list(iter_batches(path, [variant_col, *columns], as_text=(variant_col,)))
    frame = pa.Table.from_batches(tables).to_pandas() if tables else None
    if frame is None or len(frame) == 0:
        raise InvalidData(f"{path} has no rows; give a file with one row per variant")
    for name in columns:
        if not is_numeric_dtype(frame[name]):
            raise InvalidData(f"column '{name}' must be numeric in {path}; fix the file")

    def refuse(mask, problem: str) -> None:
        rows = np.flatnonzero(np.asarray(mask))
        if len(rows):
            row = int(rows[0])
            label = frame[variant_col].iloc[row]
            where = f"variant '{label}'" if isinstance(label, str) else "no variant"
            raise InvalidData(f"{path}, data row {row + 1} ({where}): {problem}; fix the file")

    refuse(frame[variant_col].isna(), f"the variant column '{variant_col}' is blank")
    for name in columns:
        values = frame[name].to_numpy(dtype=float, na_value=np.nan)
        refuse(np.isnan(values), f"'{name}' is blank")
        refuse(np.isinf(values), f"'{name}' is not a finite number")
    values = {name: frame[name].to_numpy(dtype=float) for name in columns}
    n = values["n"]
    counts = ["n", "conversions"] if "conversions" in columns else ["n"]
    for name in counts:
        refuse(values[name] < 0, f"'{name}' is negative")
        refuse(values[name] % 1 != 0, f"'{name}' is not a whole number of units")
    if "conversions" in columns:
        refuse(values["conversions"] > n, "more conversions than units (n)")
    else:
        total, squares = values["sum"], values["sum_squares"]
        with np.errstate(divide="ignore", invalid="ignore"):
            floor = np.where(n > 0, total**2 / n, 0.0)
        refuse(
            (squares < floor * (1 - 1e-9)) | ((n == 0) & (total != 0)),
            "'sum_squares' is below sum**2 / n, which no data can give "
            "(it must be the sum of the squared values)",
        )

    frame[variant_col] = frame[variant_col].astype(str)
    sums = frame.groupby(variant_col, sort=False)[columns].sum()
    arms: dict[str, ArmStats] = {}
    for label, row in sums.iterrows():
        n_arm = float(row["n"])
        if "conversions" in columns:
            conversions = float(row["conversions"])
            arms[str(label)] = ArmStats.from_sums(n_arm, conversions, conversions, binary=True)
        else:
            arms[str(label)] = ArmStats.from_sums(
                n_arm, float(row["sum"]), float(row["sum_squares"]), binary=False
            )
    return arms
