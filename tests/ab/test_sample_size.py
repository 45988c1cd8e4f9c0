import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from mlprod.ab.sample_size import sample_size
from mlprod.errors import UsageError


@settings(max_examples=40, deadline=None)
@given(
    baseline=st.floats(0.01, 0.9),
    lift=st.floats(0.005, 0.09),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
    power=st.floats(0.5, 0.95),
    ratio=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_binomial_sample_size_matches_statsmodels(baseline, lift, alpha, power, ratio):
    result = sample_size(lift, baseline_rate=baseline, alpha=alpha, power=power, ratio=ratio)
    effect = proportion_effectsize(baseline + lift, baseline)
    nobs1 = NormalIndPower().solve_power(effect, alpha=alpha, power=power, ratio=ratio)
    assert result.n_control == math.ceil(nobs1 - 1e-6) or abs(result.n_control - nobs1) < 1
    assert result.n_treatment == pytest.approx(math.ceil(nobs1 * ratio), abs=1)


@settings(max_examples=25, deadline=None)
@given(d=st.floats(0.05, 1.0), std=st.floats(0.5, 20), ratio=st.sampled_from([0.5, 1.0, 3.0]))
def test_continuous_sample_size_matches_statsmodels_t_test(d, std, ratio):
    result = sample_size(d * std, std=std, ratio=ratio)
    nobs1 = TTestIndPower().solve_power(d, alpha=0.05, power=0.8, ratio=ratio)
    assert abs(result.n_control - nobs1) < 1


def test_relative_effect_and_duration():
    result = sample_size(0.05, baseline_rate=0.05, relative=True, daily_units=10_000)
    assert result.mde_abs == pytest.approx(0.0025)
    assert result.n_total == result.n_control + result.n_treatment
    assert result.days == math.ceil(result.n_total / 10_000)


def test_smaller_effect_needs_more_units():
    assert (
        sample_size(0.01, baseline_rate=0.1).n_total > sample_size(0.02, baseline_rate=0.1).n_total
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mde": 0.01},
        {"mde": 0.01, "baseline_rate": 0.1, "std": 1.0},
        {"mde": 0.5, "baseline_rate": 0.6},
        {"mde": 0.01, "baseline_rate": 1.5},
        {"mde": 0.0, "baseline_rate": 0.1},
        {"mde": 0.1, "std": 1.0, "relative": True},
        {"mde": 0.01, "baseline_rate": 0.1, "power": 1.0},
    ],
)
def test_impossible_designs_are_refused(kwargs):
    # A copy: the parametrized dict is shared by every run of the test in this process.
    kwargs = dict(kwargs)
    mde = kwargs.pop("mde")
    with pytest.raises(UsageError):
        sample_size(mde, **kwargs)
