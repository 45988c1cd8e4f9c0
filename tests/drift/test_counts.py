"""A batch given as value counts gets the statistics and verdicts of the batch itself."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, wasserstein_distance

from mlprod.drift import compare
from mlprod.drift.counts import compare_counts
from mlprod.drift.ks import EXACT_MAX_N


def as_counts(batch: pd.DataFrame, numeric: list[str]):
    counted = {}
    for name in numeric:
        counts = batch[name].value_counts().sort_index()
        counted[name] = (counts.index.to_numpy(dtype=float), counts.to_numpy())
    categorical = {
        name: batch[name].value_counts() for name in batch.columns if name not in numeric
    }
    return counted, categorical


@pytest.mark.parametrize("rows", [3_000, 40_000])
def test_counts_give_the_statistics_and_verdicts_of_the_rows(rows):
    rng = np.random.default_rng(3)
    reference = pd.DataFrame(
        {
            "hour": rng.integers(0, 24, 4000).astype(float),
            "tenure": rng.poisson(30, 4000).astype(float),
            "day": rng.choice(["Mon", "Tue", "Sat"], 4000),
        }
    )
    batch = pd.DataFrame(
        {
            "hour": rng.integers(0, 24, rows).astype(float),  # unchanged
            "tenure": rng.poisson(36, rows).astype(float),  # shifted by about 1 std
            "day": rng.choice(["Mon", "Tue", "Sat"], rows, p=[0.2, 0.2, 0.6]),
        }
    )
    expected = compare(reference, batch)
    result = compare_counts(reference, *as_counts(batch, ["hour", "tenure"]))
    assert [c.drift for c in result.columns] == [c.drift for c in expected.columns]
    assert [c.drift for c in result.columns] == [False, True, True]
    assert result.summary == expected.summary
    for got, want in zip(result.columns, expected.columns, strict=True):
        assert got.statistic == pytest.approx(want.statistic, rel=1e-12)
        assert got.p_value == pytest.approx(want.p_value, rel=1e-9, abs=1e-300)
        assert got.effect == pytest.approx(want.effect, rel=1e-9)
        assert got.psi == pytest.approx(want.psi, rel=1e-9)
        assert got.summary == want.summary
    assert result.to_dict()["findings"] == []
    for got, want in zip(result.columns, expected.columns, strict=True):
        assert (got.test, got.kind, got.effect_measure) == (
            want.test,
            want.kind,
            want.effect_measure,
        )
        assert (got.n_reference, got.n_current) == (4000, rows)
        assert got.findings == want.findings == []


def counted(values):
    counts = pd.Series(values).value_counts().sort_index()
    return counts.index.to_numpy(dtype=float), counts.to_numpy()


@pytest.mark.parametrize(
    "current",
    [
        [1.0, 2.0, 3.0, 4.0],
        [1.0, 2.0, 2.0, 3.0, 5.0],
        [1.0, 1.0, 2.0, 3.0, 3.0, 3.0],
        [4.0, 4.0, 7.0, 9.0],
        [2.0, 8.0, 8.0, 8.0, 9.0, 9.0, 9.0, 9.0],
        [5.0],
        [1.0, 2.0, 3.0],
    ],
)
def test_median_of_the_counts_is_the_median_of_the_rows(current):
    reference = pd.DataFrame({"x": [0.0, 10.0, 20.0]})
    (column,) = compare_counts(reference, {"x": counted(current)}, {}).columns
    assert column.summary == f"median 10 in the reference, {np.median(current):.4g} now"


def test_a_one_row_constant_reference_is_a_finding_and_a_shift_is_infinite():
    reference = pd.DataFrame({"x": [5.0]})
    (same,) = compare_counts(reference, {"x": counted([5.0, 5.0])}, {}).columns
    assert same.findings == ["constant in the reference (always 5)"]
    assert same.effect == 0.0
    # One reference unit away: a distance of exactly 1, infinitely many (zero) stds.
    (moved,) = compare_counts(reference, {"x": counted([6.0, 6.0])}, {}).columns
    assert moved.effect == math.inf
    assert moved.test == "ks"


@pytest.mark.parametrize("reference", [[0.0, 1.0, 1.0], [1.0, 1.0, 2.0], [1.0, 2.0, 2.0]])
def test_a_reference_with_two_values_is_not_constant(reference):
    (column,) = compare_counts(
        pd.DataFrame({"x": reference}), {"x": counted([1.0, 2.0])}, {}
    ).columns
    assert column.findings == []


def test_effect_over_a_unit_std_reference_is_the_wasserstein_distance():
    # The reference's std is exactly 1.
    reference = pd.DataFrame({"x": [0.0, 2.0, 0.0, 2.0]})
    current = [1.0, 3.0, 3.0]
    (column,) = compare_counts(reference, {"x": counted(current)}, {}).columns
    assert column.effect == pytest.approx(wasserstein_distance([0.0, 2.0, 0.0, 2.0], current))


def test_integer_reference_of_nullable_type_is_read_as_numbers():
    reference = pd.DataFrame({"x": pd.array([3, 1, 2, 2], dtype="Int64")})
    current = [1.0, 2.0, 2.0, 4.0]
    (column,) = compare_counts(reference, {"x": counted(current)}, {}).columns
    expected = ks_2samp([3, 1, 2, 2], current)
    assert column.statistic == pytest.approx(expected.statistic)
    assert column.p_value == pytest.approx(expected.pvalue)
    assert column.summary == "median 2 in the reference, 2 now"


def test_exact_p_value_up_to_the_exact_limit():
    rng = np.random.default_rng(11)
    reference = np.round(rng.normal(size=EXACT_MAX_N), 1)
    current = np.round(rng.normal(0.05, 1, 300), 1)
    (column,) = compare_counts(pd.DataFrame({"x": reference}), {"x": counted(current)}, {}).columns
    expected = ks_2samp(reference, current, method="exact")
    assert column.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert column.p_value == pytest.approx(expected.pvalue, rel=1e-9)


def test_a_single_precision_reference_is_compared_in_double_precision():
    rng = np.random.default_rng(4)
    reference = rng.normal(10, 3, 500).astype(np.float32)
    current = np.round(rng.normal(11, 3, 400), 2)
    (column,) = compare_counts(pd.DataFrame({"x": reference}), {"x": counted(current)}, {}).columns
    as_double = reference.astype(float)
    expected = wasserstein_distance(as_double, current) / np.std(as_double)
    assert column.effect == pytest.approx(expected, rel=1e-12)
