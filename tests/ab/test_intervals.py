"""Each interval agrees with the p-value beside it, and is what its method says it is."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from scipy.special import stdtrit, xlog1py, xlogy
from scipy.stats import norm
from statsmodels.stats.proportion import proportions_ztest, score_test_proportions_2indep

from mlprod.ab.intervals import _log_likelihood, _score_z_diff, _score_z_ratio, fieller_interval
from mlprod.ab.stats import compare_means, compare_proportions

ALPHAS = st.sampled_from([0.01, 0.05, 0.1, 0.2])


def excludes_zero(low, high):
    return low > 0 or high < 0


@settings(max_examples=300, deadline=None)
@given(
    n_c=st.integers(2, 10**6),
    n_t=st.integers(2, 10**6),
    share_c=st.floats(0, 1),
    share_t=st.floats(0, 1),
    alpha=ALPHAS,
)
def test_conversion_intervals_exclude_zero_exactly_when_p_is_below_alpha(
    n_c, n_t, share_c, share_t, alpha
):
    x_c, x_t = round(n_c * share_c), round(n_t * share_t)
    assume(0 < x_c + x_t < n_c + n_t)
    result = compare_proportions(x_c, n_c, x_t, n_t, alpha)
    significant = result.p_value < alpha
    assert excludes_zero(result.ci_low, result.ci_high) == significant
    assert result.ci_low <= result.lift_abs <= result.ci_high
    if x_c > 0:
        assert excludes_zero(result.ci_rel_low, result.ci_rel_high) == significant
        assert result.ci_rel_low <= result.lift_rel <= result.ci_rel_high
    else:
        assert math.isnan(result.lift_rel) and math.isnan(result.ci_rel_low)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_c=st.integers(3, 2000),
    n_t=st.integers(3, 2000),
    mean_c=st.floats(-5, 5),
    shift=st.floats(-1, 1),
    scale=st.floats(0.1, 10),
    alpha=ALPHAS,
)
def test_mean_intervals_exclude_zero_exactly_when_p_is_below_alpha(
    seed, n_c, n_t, mean_c, shift, scale, alpha
):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(mean_c, scale, n_c), rng.normal(mean_c + shift, scale, n_t)
    result = compare_means(n_c, x.mean(), x.var(ddof=1), n_t, y.mean(), y.var(ddof=1), alpha)
    significant = result.p_value < alpha
    assert excludes_zero(result.ci_low, result.ci_high) == significant
    if math.isfinite(result.ci_rel_low):
        assert excludes_zero(result.ci_rel_low, result.ci_rel_high) == significant
        assert result.ci_rel_low <= result.lift_rel <= result.ci_rel_high
    else:
        # Fieller's set is unbounded only when the control mean is not significant itself,
        # at the quantile of the test.
        vm_c, vm_t = x.var(ddof=1) / n_c, y.var(ddof=1) / n_t
        df = (vm_c + vm_t) ** 2 / (vm_c**2 / (n_c - 1) + vm_t**2 / (n_t - 1))
        assert x.mean() ** 2 <= stdtrit(df, alpha / 2) ** 2 * vm_c


def score_statistic_diff(x_c, n_c, x_t, n_t, diff):
    """The score statistic with the restricted maximum likelihood found numerically."""

    def minus_log_likelihood(p_c):
        p_t = p_c + diff
        return -(
            x_c * np.log(p_c)
            + (n_c - x_c) * np.log1p(-p_c)
            + (x_t * np.log(p_t) if x_t else 0)
            + (n_t - x_t) * np.log1p(-p_t)
        )

    low, high = max(0, -diff), min(1, 1 - diff)
    p_c = minimize_scalar(
        minus_log_likelihood,
        bounds=(low + 1e-12, high - 1e-12),
        method="bounded",
        options={"xatol": 1e-13},
    ).x
    p_t = p_c + diff
    variance = p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c
    return (x_t / n_t - x_c / n_c - diff) / math.sqrt(variance)


@pytest.mark.parametrize(
    "x_c, n_c, x_t, n_t",
    [(5, 83, 12, 99), (1000, 10_000, 1100, 10_000), (3, 40, 9, 45), (50, 1000, 0, 1000)],
)
def test_difference_interval_ends_where_the_score_test_starts_rejecting(x_c, n_c, x_t, n_t):
    result = compare_proportions(x_c, n_c, x_t, n_t, 0.05)
    crit = norm.ppf(0.975)
    assert score_statistic_diff(x_c, n_c, x_t, n_t, result.ci_low) == pytest.approx(crit, 1e-5)
    assert score_statistic_diff(x_c, n_c, x_t, n_t, result.ci_high) == pytest.approx(-crit, 1e-5)


def test_no_conversions_in_the_treatment_keeps_an_interval():
    # The example: control 30 of 1000, treatment 0 of 1000.
    result = compare_proportions(30, 1000, 0, 1000)
    assert result.lift_rel == -1
    assert result.ci_rel_low == -1 and -1 < result.ci_rel_high < 0
    assert result.ci_rel_high == pytest.approx(-0.8724, abs=1e-4)
    assert result.ci_low < result.lift_abs < result.ci_high < 0


def test_fieller_interval_ends_where_the_t_statistic_reaches_its_quantile():
    n_c, mean_c, var_c, n_t, mean_t, var_t = 400, 10.0, 16.0, 380, 10.9, 20.0
    result = compare_means(n_c, mean_c, var_c, n_t, mean_t, var_t)
    vm_c, vm_t = var_c / n_c, var_t / n_t
    df = (vm_c + vm_t) ** 2 / (vm_c**2 / (n_c - 1) + vm_t**2 / (n_t - 1))
    crit = -stdtrit(df, 0.025)
    for relative in (result.ci_rel_low, result.ci_rel_high):
        ratio = relative + 1
        statistic = abs(mean_t - ratio * mean_c) / math.sqrt(vm_t + ratio**2 * vm_c)
        assert statistic == pytest.approx(crit, rel=1e-9)


def test_control_mean_near_zero_gives_no_relative_interval():
    result = compare_means(100, 0.01, 1.0, 100, 0.5, 1.0)
    assert result.p_value < 0.05
    assert math.isnan(result.ci_rel_low) and math.isnan(result.ci_rel_high)


# The building blocks, against independent answers.


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0, 3.0])
def test_ratio_score_statistic_is_statsmodels(ratio):
    # Treatment 45 of 380 against control 30 of 400; at ratio 1 it is the pooled z-test.
    expected = score_test_proportions_2indep(
        45, 380, 30, 400, value=ratio, compare="ratio", correction=False
    ).statistic
    assert _score_z_ratio(30, 400, 45, 380, ratio) == pytest.approx(expected, rel=1e-12)


def test_difference_score_statistic_at_no_difference_is_the_pooled_z():
    (z, _p) = proportions_ztest([45, 30], [380, 400])
    assert _score_z_diff(30, 400, 45, 380, 0.0) == pytest.approx(z, rel=1e-12)
    assert _score_z_diff(30, 400, 45, 380, 1e-9) == pytest.approx(z, rel=1e-6)


def test_fieller_roots_are_exact_when_the_control_is_barely_bounded():
    # a = mean_c^2 - crit^2 var_c is 2^-28 here: the textbook formula loses 8 digits of the
    # lower root to cancellation; 60-digit arithmetic gives the reference.
    args = (1.0, 0.25 - 2**-30, 1.0, 0.1, 2.0)
    with localcontext() as context:
        context.prec = 60
        mean_c, var_c, mean_t, var_t, crit = (Decimal(value) for value in args)
        a, b = mean_c**2 - crit**2 * var_c, -2 * mean_t * mean_c
        c = mean_t**2 - crit**2 * var_t
        root = (b * b - 4 * a * c).sqrt()
        expected = (float((-b - root) / (2 * a)), float((-b + root) / (2 * a)))
    assert fieller_interval(*args) == pytest.approx(expected, rel=1e-14)


def test_fieller_without_a_bounded_interval_or_spread():
    # The control mean exactly at the edge of being told from 0: no interval.
    assert all(math.isnan(end) for end in fieller_interval(2.0, 1.0, 3.0, 0.5, 2.0))
    # A treatment constant at 0: the ratio is 0, exactly.
    assert fieller_interval(2.0, 0.01, 0.0, 0.0, 1.96) == (0.0, 0.0)


def restricted_score_z_diff(x_c, n_c, x_t, n_t, diff):
    """The score statistic for p_t - p_c = diff, its restricted estimate found numerically
    over the feasible range and its ends (xlogy: an arm without conversions or without
    failures contributes no log term)."""

    def minus_log_likelihood(p_c):
        p_t = p_c + diff
        return -(
            xlogy(x_c, p_c) + xlog1py(n_c - x_c, -p_c) + xlogy(x_t, p_t) + xlog1py(n_t - x_t, -p_t)
        )

    low, high = max(0.0, -diff), min(1.0, 1.0 - diff)
    found = minimize_scalar(
        minus_log_likelihood, bounds=(low, high), method="bounded", options={"xatol": 1e-14}
    ).x
    p_c = min((found, low, high), key=lambda p: np.nan_to_num(minus_log_likelihood(p), nan=np.inf))
    p_t = p_c + diff
    variance = p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c
    return (x_t / n_t - x_c / n_c - diff) / math.sqrt(variance)


@pytest.mark.parametrize(
    ("x", "n", "p"),
    [(3, 10, 0.2), (1, 10, 0.2), (0, 10, 0.2), (10, 10, 0.2), (0, 10, 0.0), (10, 10, 1.0)]
    + [(1, 10, 0.0), (9, 10, 1.0)],
)
def test_the_log_likelihood_is_the_binomials_without_its_constant(x, n, p):
    # xlogy: no conversion, or no failure, contributes no log term, even at p = 0 or 1.
    expected = xlogy(x, p) + xlog1py(n - x, -p)
    assert _log_likelihood(x, n, p) == pytest.approx(expected, rel=1e-12)


# Arms with no conversion or with nothing but conversions: the restricted estimate sits on
# the edge of its range, where the likelihood's special cases decide.
EDGE_DATA = [(0, 50, 6, 60), (50, 50, 40, 60), (10, 50, 0, 60), (10, 50, 60, 60), (50, 50, 60, 60)]


@pytest.mark.parametrize("data", EDGE_DATA)
@pytest.mark.parametrize("diff", [-0.3, -0.1, 0.1, 0.3])
def test_difference_score_statistic_on_the_edges(data, diff):
    expected = restricted_score_z_diff(*data, diff)
    assert _score_z_diff(*data, diff) == pytest.approx(expected, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize(
    ("data", "ratio"),
    [(data, ratio) for data in EDGE_DATA for ratio in (0.5, 1.5, 3.0)]
    + [((50, 50, 40, 60), 0.3), ((50, 50, 60, 60), 0.5), ((50, 50, 60, 60), 1.5)]
    # A discriminant below 1: the roots of the quadratic are close together.
    + [((1, 1, 0, 1), 0.6), ((1, 2, 1, 3), 0.55)],
)
def test_ratio_score_statistic_on_the_edges(data, ratio):
    x_c, n_c, x_t, n_t = data
    expected = score_test_proportions_2indep(
        x_t, n_t, x_c, n_c, value=ratio, compare="ratio", correction=False
    ).statistic
    assert _score_z_ratio(*data, ratio) == pytest.approx(expected, rel=1e-9)


def test_a_single_treatment_conversion_bounds_the_ratio_away_from_zero():
    # Only a treatment without conversions has a ratio interval reaching 0 (relative -1).
    result = compare_proportions(30, 1000, 1, 1000)
    assert result.ci_rel_low > -1
    ratio = result.ci_rel_low + 1
    statistic = score_test_proportions_2indep(
        1, 1000, 30, 1000, value=ratio, compare="ratio", correction=False
    ).statistic
    assert statistic == pytest.approx(norm.ppf(0.975), rel=1e-6)
