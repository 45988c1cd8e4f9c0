import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from mlprod.drift.ks import ks_sorted


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n1=st.integers(1, 300),
    n2=st.integers(1, 300),
    shift=st.floats(-1, 1),
    rounding=st.sampled_from([None, 0, 1]),
)
def test_small_samples_match_scipy(seed, n1, n2, shift, rounding):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, n1), rng.normal(shift, 1, n2)
    if rounding is not None:
        x, y = x.round(rounding), y.round(rounding)
    expected = ks_2samp(x, y)
    statistic, p_value = ks_sorted(np.sort(x), np.sort(y))
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("shift, rounding", [(0.0, None), (0.02, None), (0.0, 1), (0.05, 0)])
def test_large_samples_match_scipy_asymptotic(shift, rounding):
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, 30_000), rng.normal(shift, 1, 12_000)
    if rounding is not None:
        x, y = x.round(rounding), y.round(rounding)
    expected = ks_2samp(x, y)
    statistic, p_value = ks_sorted(np.sort(x), np.sort(y))
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("n1", [10_000, 10_001])
def test_exact_up_to_ten_thousand_then_asymptotic_as_scipy(n1):
    # scipy's automatic method is exact while the larger sample has at most 10,000 values.
    rng = np.random.default_rng(11)
    x, y = np.sort(rng.normal(0, 1, n1)), np.sort(rng.normal(0.3, 1, 40))
    method = "exact" if n1 == 10_000 else "asymp"
    expected = ks_2samp(x, y, method=method)
    assert expected.pvalue != pytest.approx(
        ks_2samp(x, y, method="asymp" if n1 == 10_000 else "exact").pvalue, rel=1e-6
    )
    statistic, p_value = ks_sorted(x, y)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9)
