"""A batch given as value counts gets the statistics and verdicts of the batch itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlprod.drift import compare
from mlprod.drift.counts import compare_counts


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
