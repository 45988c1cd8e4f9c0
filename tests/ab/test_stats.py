import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import t as t_dist
from scipy.stats import ttest_ind
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
    score_test_proportions_2indep,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from mlprod.ab.stats import compare_means, compare_proportions, proportion_ztest


def test_known_answer_one_sample_proportion():
    assert proportion_ztest([5], [83], 0.05)[1] == pytest.approx(0.695, abs=5e-4)


def test_known_answer_two_sample_proportions():
    z, p = proportion_ztest([5, 12], [83, 99])
    assert z == pytest.approx(-1.4078, abs=5e-5)
    assert p == pytest.approx(0.159, abs=5e-4)


@settings(max_examples=60, deadline=None)
@given(
    n1=st.integers(20, 10**6),
    n2=st.integers(20, 10**6),
    r1=st.floats(0.01, 0.99),
    r2=st.floats(0.01, 0.99),
)
def test_two_proportions_match_statsmodels(n1, n2, r1, r2):
    c1, c2 = round(n1 * r1), round(n2 * r2)
    assume(0 < c1 + c2 < n1 + n2)
    z, p = proportions_ztest([c2, c1], [n2, n1])
    result = compare_proportions(c1, n1, c2, n2)
    assert result.statistic == pytest.approx(z, rel=1e-9)
    assert result.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)
    # The relative interval ends where statsmodels' score test for the ratio reaches the
    # normal quantile (its own interval finds the ends less precisely when n1 >> n2).
    assume(0 < c1 < n1 and 0 < c2 < n2)
    for end, sign in ((result.ci_rel_low, 1), (result.ci_rel_high, -1)):
        score = score_test_proportions_2indep(
            c2, n2, c1, n1, value=end + 1, compare="ratio", correction=False
        )
        assert score.statistic == pytest.approx(sign * 1.959963984540054, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n1=st.integers(3, 400),
    n2=st.integers(3, 400),
    shift=st.floats(-2, 2),
    scale=st.floats(0.1, 5),
)
def test_welch_matches_scipy_and_statsmodels(seed, n1, n2, shift, scale):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, n1), rng.normal(shift, scale, n2)
    result = compare_means(n1, x.mean(), x.var(ddof=1), n2, y.mean(), y.var(ddof=1))
    expected = ttest_ind(y, x, equal_var=False)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-300)
    low, high = CompareMeans(DescrStatsW(y), DescrStatsW(x)).tconfint_diff(usevar="unequal")
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_relative_interval_is_the_score_interval_for_the_ratio_minus_one():
    result = compare_proportions(1000, 10_000, 1100, 10_000)
    assert result.lift_rel == pytest.approx(0.1)
    # statsmodels' score interval for the ratio of the treatment's rate to the control's.
    low, high = confint_proportions_2indep(
        1100, 10_000, 1000, 10_000, compare="ratio", method="score", correction=False
    )
    assert (result.ci_rel_low, result.ci_rel_high) == pytest.approx((low - 1, high - 1), rel=1e-9)
    assert (result.ci_rel_low, result.ci_rel_high) == pytest.approx(
        (0.0144174, 0.1928272), rel=1e-6
    )


def test_fieller_interval_uses_both_arms_variances():
    # Known answer: the roots of (11 - 10 r)^2 = t^2 (0.09 + 0.04 r^2), with t the Welch
    # quantile at df = 0.13^2 / (0.04^2 / 99 + 0.09^2 / 99). Dropping either arm's variance
    # moves both ends.
    result = compare_means(100, 10.0, 4.0, 100, 11.0, 9.0)
    t = -t_dist.ppf(0.025, 0.13**2 / (0.04**2 / 99 + 0.09**2 / 99))
    a, b, c = 100 - t**2 * 0.04, -220.0, 121 - t**2 * 0.09
    roots = sorted(
        ((-b - (b * b - 4 * a * c) ** 0.5) / (2 * a), (-b + (b * b - 4 * a * c) ** 0.5) / (2 * a))
    )
    assert (result.ci_rel_low, result.ci_rel_high) == pytest.approx(
        (roots[0] - 1, roots[1] - 1), rel=1e-9
    )
    assert (result.ci_rel_low, result.ci_rel_high) == pytest.approx(
        (0.02820947, 0.17522431), rel=1e-6
    )


def test_no_conversions_anywhere_gives_no_p_value():
    result = compare_proportions(0, 100, 0, 100)
    assert np.isnan(result.p_value) and result.lift_abs == 0


def test_one_and_two_sample_z_match_statsmodels_with_a_null_value():
    z, p = proportions_ztest([5], [83], 0.05)
    assert proportion_ztest([5], [83], 0.05) == pytest.approx((z[0], p[0]), rel=1e-12)
    z, p = proportions_ztest([5, 12], [83, 99], value=0.01)
    assert proportion_ztest([5, 12], [83, 99], value=0.01) == pytest.approx((z, p), rel=1e-12)


def test_z_test_refuses_a_missing_null_value_and_three_samples():
    with pytest.raises(ValueError, match="^a one-sample test needs the null value$"):
        proportion_ztest([5], [83])
    with pytest.raises(ValueError, match="^give one or two samples$"):
        proportion_ztest([1, 2, 3], [10, 10, 10])


def test_z_test_without_variance_is_certain_or_undefined():
    # No spread: a difference is certain (z infinite, p 0); no difference is undefined.
    assert proportion_ztest([0], [50], 0.1) == (-np.inf, 0.0)
    assert proportion_ztest([50], [50], 0.9) == (np.inf, 0.0)
    z, p = proportion_ztest([50, 20], [50, 20])
    assert np.isnan(z) and np.isnan(p)


def test_everyone_converting_in_both_arms_has_no_p_value_and_no_interval():
    result = compare_proportions(100, 100, 100, 100)
    assert np.isnan(result.statistic) and np.isnan(result.p_value)
    assert result.lift_abs == 0 and result.lift_rel == 0
    assert all(
        np.isnan(v) for v in (result.ci_low, result.ci_high, result.ci_rel_low, result.ci_rel_high)
    )


def test_no_conversion_in_control_has_no_relative_lift():
    result = compare_proportions(0, 100, 10, 100)
    assert result.lift_abs == pytest.approx(0.1) and np.isnan(result.lift_rel)


@pytest.mark.parametrize(
    ("mean_c", "mean_t", "expected"),
    [
        # Constant arms: the difference is known exactly, so is the ratio when control is not 0.
        (2.0, 3.0, (np.inf, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5)),
        (2.0, 1.0, (-np.inf, 0.0, -1.0, -1.0, -1.0, -0.5, -0.5, -0.5)),
        (0.0, -3.0, (-np.inf, 0.0, -3.0, -3.0, -3.0, np.nan, np.nan, np.nan)),
        (2.0, 2.0, (np.nan, np.nan, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    ],
)
def test_constant_arms_give_an_exact_answer(mean_c, mean_t, expected):
    result = compare_means(10, mean_c, 0.0, 10, mean_t, 0.0)
    assert tuple(result.__dict__.values()) == pytest.approx(expected, nan_ok=True)


def test_alpha_sets_the_interval_level():
    rng = np.random.default_rng(3)
    c, t = rng.normal(10, 2, 40), rng.normal(11, 3, 60)
    args = (len(c), c.mean(), c.var(ddof=1), len(t), t.mean(), t.var(ddof=1))
    expected = CompareMeans(DescrStatsW(t), DescrStatsW(c)).tconfint_diff(
        alpha=0.1, usevar="unequal"
    )
    result = compare_means(*args, alpha=0.1)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, rel=1e-9)
    assert compare_means(*args).ci_high > result.ci_high
    low, high = confint_proportions_2indep(
        1100, 10_000, 1000, 10_000, compare="ratio", method="score", correction=False, alpha=0.1
    )
    result = compare_proportions(1000, 10_000, 1100, 10_000, alpha=0.1)
    assert (result.ci_rel_low, result.ci_rel_high) == pytest.approx((low - 1, high - 1), rel=1e-9)
