import math
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlprod import tables
from mlprod.ab.sufficient import ArmStats, accumulate_units, read_aggregated
from mlprod.errors import InvalidData


def write(tmp_path, text, name="f.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_aggregated_conversions_add_up_rows_per_variant_in_file_order(tmp_path):
    # B first, and its count of 0: a variant with no units yet is kept, as an empty arm.
    path = write(tmp_path, "v,n,conversions\nB,10,10\nA,4,1\nB,6,2\nZ,0,0\n")
    arms = read_aggregated(path, "v", ["n", "conversions"])
    assert list(arms) == ["B", "A", "Z"]
    # 12 conversions of 16 units: mean 0.75, sum of squared deviations 16 * 0.75 * 0.25.
    assert arms["B"] == ArmStats(n=16.0, mean=0.75, m2=3.0, binary=True)
    assert arms["A"] == ArmStats(n=4.0, mean=0.25, m2=0.75, binary=True)
    assert arms["Z"] == ArmStats(n=0.0, mean=0.0, m2=0.0, binary=True)


def test_aggregated_sums_match_numpy_and_text_labels_stay_text(tmp_path):
    rng = np.random.default_rng(3)
    control, treatment = rng.normal(5, 2, 40), np.full(3, 7.0)
    rows = [("01", len(control), control.sum(), (control**2).sum())]
    # A constant metric sits exactly on the sum**2 / n floor: its variance is 0, not refused.
    rows.append(("02", 3, 21.0, 147.0))
    rows.append(("03", 1, 3.0, 9.0))
    frame = pd.DataFrame(rows, columns=["v", "n", "sum", "sum_squares"])
    frame.to_csv(tmp_path / "f.csv", index=False)
    arms = read_aggregated(tmp_path / "f.csv", "v", ["n", "sum", "sum_squares"])
    assert list(arms) == ["01", "02", "03"]
    assert arms["01"].mean == pytest.approx(control.mean(), rel=1e-12)
    assert arms["01"].variance == pytest.approx(np.var(control, ddof=1), rel=1e-9)
    assert arms["01"].binary is False
    assert arms["02"] == ArmStats(n=3.0, mean=treatment.mean(), m2=0.0, binary=False)
    assert arms["03"] == ArmStats(n=1.0, mean=3.0, m2=0.0, binary=False)


def test_aggregated_zero_rows_are_read_without_warnings(tmp_path):
    path = write(tmp_path, "v,n,sum,sum_squares\nA,0,0,0\nB,5,0,0\nB,0,0,0.5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arms = read_aggregated(path, "v", ["n", "sum", "sum_squares"])
    assert arms["A"] == ArmStats(n=0.0, mean=0.0, m2=0.0, binary=False)
    assert arms["B"] == ArmStats(n=5.0, mean=0.0, m2=0.5, binary=False)


def test_aggregated_integer_sums_do_not_overflow(tmp_path):
    # sum**2 is 2.5e19, past the 64-bit integers the file's columns are read as.
    path = write(tmp_path, "v,n,sum,sum_squares\nA,10,5000000000,2000000000000000000\n")
    with pytest.raises(InvalidData, match="data row 1 .*'sum_squares' is below"):
        read_aggregated(path, "v", ["n", "sum", "sum_squares"])


def test_aggregated_one_row_parquet_and_empty_parquet(tmp_path):
    one = pd.DataFrame({"v": ["A"], "n": [7], "conversions": [2]})
    one.to_parquet(tmp_path / "one.parquet")
    arms = read_aggregated(tmp_path / "one.parquet", "v", ["n", "conversions"])
    assert arms == {"A": ArmStats(n=7.0, mean=2 / 7, m2=2 - 4 / 7, binary=True)}
    one.iloc[:0].to_parquet(tmp_path / "empty.parquet")
    with pytest.raises(InvalidData) as refused:
        read_aggregated(tmp_path / "empty.parquet", "v", ["n", "conversions"])
    assert str(refused.value) == (
        f"{tmp_path / 'empty.parquet'} has no rows; give a file with one row per variant"
    )


SUMS = "v,n,sum,sum_squares\n"
BAD_SQUARES = (
    "'sum_squares' is below sum**2 / n, which no data can give "
    "(it must be the sum of the squared values)"
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v,n,conversions\n", None),
        ("v,n,conversions\nA,x,1\n", "column 'n' must be numeric in {path}; fix the file"),
        (
            "v,n,conversions\nA,3,1\n,3,1\n",
            "{path}, data row 2 (no variant): the variant column 'v' is blank; fix the file",
        ),
        (
            "v,n,conversions\nA,3,4\n",
            "{path}, data row 1 (variant 'A'): more conversions than units (n); fix the file",
        ),
        (SUMS + "A,1,3,4\n", f"{{path}}, data row 1 (variant 'A'): {BAD_SQUARES}; fix the file"),
        (SUMS + "A,0,0,-1\n", f"{{path}}, data row 1 (variant 'A'): {BAD_SQUARES}; fix the file"),
        (SUMS + "A,0,1,1\n", f"{{path}}, data row 1 (variant 'A'): {BAD_SQUARES}; fix the file"),
        (SUMS + "A,0,-2,4\n", f"{{path}}, data row 1 (variant 'A'): {BAD_SQUARES}; fix the file"),
    ],
)
def test_aggregated_refusals(tmp_path, text, problem):
    path = write(tmp_path, text)
    columns = ["n", "conversions"] if "conversions" in text else ["n", "sum", "sum_squares"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidData) as refused:
            read_aggregated(path, "v", columns)
    if problem is None:
        problem = "{path} has no rows; give a file with one row per variant"
    assert str(refused.value) == problem.format(path=path)


def test_unit_rows_match_numpy_per_variant(tmp_path):
    # C's only row has no metric: C is left out, and its label is the last one read.
    path = write(tmp_path, "v,y\n01,1.5\n02,3\n01,2.5\n01,\n03,7\nC,\n02,5\n")
    numbers = write(tmp_path, "v,y\n01,1\n1,0\n", "numbers.csv")
    # Labels that look like numbers are kept as written: 01 and 1 are two variants.
    assert list(accumulate_units(numbers, "v", "y").arms) == ["01", "1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        units = accumulate_units(path, "v", "y")
    assert (units.rows, units.dropped) == (7, 2)
    assert list(units.arms) == ["01", "02", "03"]
    assert units.arms["01"] == ArmStats(n=2.0, mean=2.0, m2=0.5, binary=False)
    assert units.arms["02"] == ArmStats(n=2.0, mean=4.0, m2=2.0, binary=False)
    assert units.arms["03"] == ArmStats(n=1.0, mean=7.0, m2=0.0, binary=False)


def test_unit_rows_in_many_batches_are_all_counted(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    values = rng.normal(size=60)
    variant = np.where(np.arange(60) % 3 == 0, "A", "B")
    # The first batch has no metric at all; it is dropped, and reading goes on. Two more
    # rows are dropped in later batches, and a batch keeps just one row.
    values[:10] = np.nan
    values[[25, 33]] = np.nan
    values[40:49] = np.nan
    frame = pd.DataFrame({"v": variant, "y": values})
    frame.to_parquet(tmp_path / "f.parquet")
    monkeypatch.setattr(tables, "BATCH_ROWS", 10)
    units = accumulate_units(tmp_path / "f.parquet", "v", "y")
    assert (units.rows, units.dropped) == (60, 21)
    for label in ("A", "B"):
        kept = values[(variant == label) & ~np.isnan(values)]
        assert units.arms[label].n == len(kept)
        assert units.arms[label].mean == pytest.approx(kept.mean(), rel=1e-12)
        assert units.arms[label].variance == pytest.approx(np.var(kept, ddof=1), rel=1e-9)
    frame.loc[45, "y"] = -np.inf
    frame.to_parquet(tmp_path / "f.parquet")
    with pytest.raises(InvalidData) as refused:
        accumulate_units(tmp_path / "f.parquet", "v", "y")
    assert str(refused.value) == (
        f"{tmp_path / 'f.parquet'}, data row 46: metric 'y' is -inf; fix or remove the row"
    )


def test_unit_rows_of_numeric_parquet_labels_and_categorical_metric(tmp_path):
    frame = pd.DataFrame(
        {"v": [1.0, 2.5, 1.0, 2.5], "y": pd.Categorical([1, 0, 1, 1]), "z": [True] * 4}
    )
    frame.to_parquet(tmp_path / "f.parquet")
    units = accumulate_units(tmp_path / "f.parquet", "v", "y")
    # Labels are Arrow's text of the value, as the command line would spell them.
    assert units.arms == {
        "1": ArmStats(n=2.0, mean=1.0, m2=0.0, binary=True),
        "2.5": ArmStats(n=2.0, mean=0.5, m2=0.5, binary=True),
    }
    binary = accumulate_units(tmp_path / "f.parquet", "v", "z").arms["1"]
    assert binary == ArmStats(n=2.0, mean=1.0, m2=0.0, binary=True)


@pytest.mark.parametrize("name", ["f.csv", "f.parquet"])
def test_text_metric_is_refused_by_name(tmp_path, name):
    frame = pd.DataFrame({"v": ["A", "B"], "score": ["high", "low"]})
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        # Parquet keeps a dictionary-encoded text column as such: still text to the reader.
        pq.write_table(
            pa.table({"v": frame.v, "score": pa.array(frame.score).dictionary_encode()}), path
        )
    with pytest.raises(InvalidData) as refused:
        accumulate_units(path, "v", "score")
    assert str(refused.value) == (
        "metric column 'score' holds string values; it must be numeric or 0/1"
    )


def test_one_unit_file_is_one_arm_of_one(tmp_path):
    units = accumulate_units(write(tmp_path, "v,y\nA,4\n"), "v", "y")
    assert units.arms == {"A": ArmStats(n=1.0, mean=4.0, m2=0.0, binary=False)}
    assert math.isnan(units.arms["A"].variance)


def test_other_columns_are_not_read(tmp_path, monkeypatch):
    # A note that looks like a number in the first block and is text later would stop a
    # streamed read of that column; only the variant and metric columns are read.
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", 256)
    lines = [f"{'AB'[i % 2]},{i % 3},{i if i < 150 else 'late'}" for i in range(200)]
    units = write(tmp_path, "v,y,note\n" + "\n".join(lines) + "\n")
    assert accumulate_units(units, "v", "y").rows == 200
    lines = [f"{'AB'[i % 2]},10,{i % 4},{i if i < 150 else 'late'}" for i in range(200)]
    aggregated = write(tmp_path, "v,n,conversions,note\n" + "\n".join(lines) + "\n", "agg.csv")
    arms = read_aggregated(aggregated, "v", ["n", "conversions"])
    assert (arms["A"].n, arms["B"].n) == (1000.0, 1000.0)
