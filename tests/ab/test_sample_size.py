import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from mlprod.ab.sample_size import sample_size
from mlprod.errors import InvalidParameter

REFUSED_METRIC = "baseline rate is needed for a conversion metric, or std for a continuous one"


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
    ("kwargs", "name", "message"),
    [
        ({"mde": 0.01}, "baseline_rate", REFUSED_METRIC),
        ({"mde": 0.01, "baseline_rate": 0.1, "std": 1.0}, "baseline_rate", REFUSED_METRIC),
        (
            {"mde": 0.5, "baseline_rate": 0.6},
            "mde",
            "mde 0.5 added to the baseline 0.6 leaves (0, 1); lower it",
        ),
        # The target on either edge of (0, 1) is a rate no test can reach.
        (
            {"mde": 0.5, "baseline_rate": 0.5},
            "mde",
            "mde 0.5 added to the baseline 0.5 leaves (0, 1); lower it",
        ),
        (
            {"mde": -0.25, "baseline_rate": 0.25},
            "mde",
            "mde -0.25 added to the baseline 0.25 leaves (0, 1); lower it",
        ),
        (
            {"mde": 0.01, "baseline_rate": 1.5},
            "baseline_rate",
            "baseline rate must be between 0 and 1 (exclusive), got 1.5",
        ),
        (
            {"mde": 0.0, "baseline_rate": 0.1},
            "mde",
            "mde must not be 0; give the smallest effect worth detecting",
        ),
        (
            {"mde": 0.1, "std": 1.0, "relative": True},
            "baseline_mean",
            "baseline mean (non-zero) is needed for a relative effect on a std",
        ),
        (
            {"mde": 0.01, "baseline_rate": 0.1, "power": 1.0},
            "power",
            "power must be between 0 and 1 (exclusive), got 1.0",
        ),
        (
            {"mde": 0.01, "baseline_rate": 0.1, "alpha": 0.0},
            "alpha",
            "alpha must be between 0 and 1 (exclusive), got 0.0",
        ),
        (
            {"mde": 0.01, "baseline_rate": 0.1, "ratio": 0.0},
            "ratio",
            "ratio must be positive, got 0.0",
        ),
        (
            {"mde": 0.01, "baseline_rate": 0.1, "daily_units": 0.0},
            "daily_units",
            "daily units must be positive, got 0.0",
        ),
        ({"mde": 0.5, "std": 0.0}, "std", "std must be positive, got 0.0"),
        # About 2e16 units per arm: past what the search for a sample size will try.
        (
            {"mde": 1e-8, "baseline_rate": 0.5},
            "mde",
            "mde is too small to detect with any sample; raise it",
        ),
    ],
)
def test_impossible_designs_are_refused(kwargs, name, message):
    # A copy: the parametrized dict is shared by every run of the test in this process.
    kwargs = dict(kwargs)
    mde = kwargs.pop("mde")
    with pytest.raises(InvalidParameter) as refused:
        sample_size(mde, **kwargs)
    assert refused.value.name == name
    assert str(refused.value) == message


def test_binomial_result_reports_the_design():
    result = sample_size(0.02, baseline_rate=0.1, alpha=0.1, power=0.9, daily_units=0.5)
    effect = proportion_effectsize(0.12, 0.1)
    nobs1 = NormalIndPower().solve_power(effect, alpha=0.1, power=0.9, ratio=1.0)
    n = math.ceil(nobs1)
    assert result.to_dict() == {
        "metric": "binomial",
        "n_per_variant": n,
        "n_control": n,
        "n_treatment": n,
        "n_total": 2 * n,
        "effect_size": pytest.approx(effect, rel=1e-12),
        "baseline": 0.1,
        "target": pytest.approx(0.12),
        "mde_abs": 0.02,
        "alpha": 0.1,
        "power": 0.9,
        "ratio": 1.0,
        # Fewer than one unit a day is a slow experiment, not a refused one.
        "days": math.ceil(2 * n / 0.5),
    }


def test_relative_effect_on_a_continuous_metric():
    result = sample_size(0.1, std=2.0, baseline_mean=10.0, relative=True, ratio=2.0)
    nobs1 = TTestIndPower().solve_power(0.5, alpha=0.05, power=0.8, ratio=2.0)
    assert result.metric == "continuous"
    assert result.mde_abs == pytest.approx(1.0)
    assert result.effect_size == pytest.approx(0.5)
    assert (result.baseline, result.target) == (10.0, pytest.approx(11.0))
    assert result.n_control == math.ceil(nobs1)
    assert result.n_treatment == math.ceil(2 * nobs1)
    assert result.n_per_variant == result.n_treatment
    assert result.ratio == 2.0


@pytest.mark.parametrize(
    ("d", "alpha", "power"),
    # A large effect, where the t distribution's degrees of freedom matter most, and low
    # power, where the far tail of the two-sided test carries a share of it.
    [(2.0, 0.05, 0.8), (0.3, 0.1, 0.2), (1.5, 0.01, 0.9)],
)
def test_continuous_sample_size_is_the_smallest_with_the_power(d, alpha, power):
    result = sample_size(d, std=1.0, alpha=alpha, power=power)
    t_power = TTestIndPower().power
    assert result.n_control == result.n_treatment
    assert t_power(d, nobs1=result.n_control, alpha=alpha, ratio=1.0) >= power
    assert t_power(d, nobs1=result.n_control - 1, alpha=alpha, ratio=1.0) < power


def test_a_root_just_above_a_whole_number_is_rounded_up():
    # Powers reached at 2e-8 units past 500, 501, ...: the answer must be the next whole number.
    effect = proportion_effectsize(0.12, 0.1)
    normal_power = NormalIndPower().power
    for n in range(500, 700):
        target = normal_power(effect, nobs1=n + 2e-8, alpha=0.05, ratio=1.0)
        result = sample_size(0.02, baseline_rate=0.1, power=target)
        assert result.n_control == n + 1


def test_huge_effect_needs_the_smallest_sample_a_t_test_takes():
    result = sample_size(10.0, std=1.0, ratio=1.0)
    # Two units per arm already give the power (and a mde of 1 is an effect like any other).
    assert TTestIndPower().power(10.0, nobs1=2, alpha=0.05, ratio=1.0) >= 0.8
    assert (result.n_control, result.n_treatment) == (2, 2)
    assert sample_size(1.0, std=0.1).n_control == 2


def test_very_small_effect_is_still_answered():
    # About 7e12 units per arm, near the largest sample the search tries.
    result = sample_size(7.5e-7, baseline_rate=0.5)
    nobs1 = NormalIndPower().solve_power(result.effect_size, alpha=0.05, power=0.8, ratio=1.0)
    assert result.n_control == pytest.approx(nobs1, abs=1)
