"""Two-sample tests from sufficient statistics: a two-proportion z-test for conversions and
Welch's t-test for continuous metrics, each with the confidence intervals, for the difference
and for the relative lift, that agree with it (`mlprod.ab.intervals`).

Working from (n, mean, variance) per arm is what lets `analyze` stream any number of rows:
nothing here needs the rows themselves. Distribution functions come from `scipy.special`,
which loads in a fraction of the time of `scipy.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mlprod.ab.intervals import fieller_interval, score_interval_diff, score_interval_ratio

NO_CI = (math.nan, math.nan)

# The methods, as the output names them. Each interval inverts the test beside it, so it
# excludes "no difference" exactly when p < alpha.
METHODS = {
    "binomial": {
        "test": "pooled two-proportion z-test",
        "interval": "score interval inverting the z-test (Mee for the difference, "
        "Miettinen-Nurminen for the ratio)",
    },
    "continuous": {
        "test": "Welch t-test",
        "interval": "Welch t interval for the difference, Fieller's for the ratio",
    },
}


@dataclass(frozen=True)
class Comparison:
    """Treatment against control. `ci_low`/`ci_high` bound `lift_abs` and `ci_rel_low`/
    `ci_rel_high` bound `lift_rel`; both exclude 0 exactly when `p_value` < alpha. A relative
    interval that does not exist (control mean 0, or not distinguishable from 0) is NaN."""

    statistic: float
    p_value: float
    lift_abs: float
    ci_low: float
    ci_high: float
    lift_rel: float
    ci_rel_low: float
    ci_rel_high: float


def proportion_ztest(
    counts: Sequence[float], nobs: Sequence[float], value: float | None = None
) -> tuple[float, float]:
    """Two-sided z-test for one proportion against `value`, or two proportions against each
    other (pooled variance). Same conventions as statsmodels' `proportions_ztest`: the
    one-sample test uses the sample proportion's variance.

    Returns:
        (z, p_value).
    """
    from scipy.special import ndtr

    if len(counts) == 1:
        if value is None:
            raise ValueError("a one-sample test needs the null value")
        prop = counts[0] / nobs[0]
        diff = prop - value
        var = prop * (1 - prop) / nobs[0]
    elif len(counts) == 2:
        prop1, prop2 = counts[0] / nobs[0], counts[1] / nobs[1]
        diff = prop1 - prop2 - (value or 0.0)
        pooled = (counts[0] + counts[1]) / (nobs[0] + nobs[1])
        var = pooled * (1 - pooled) * (1 / nobs[0] + 1 / nobs[1])
    else:
        raise ValueError("give one or two samples")
    if var <= 0:
        return (math.nan, math.nan) if diff == 0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / math.sqrt(var)
    return z, float(2 * ndtr(-abs(z)))


def _relative(mean_c: float, mean_t: float, ratio_ci: tuple[float, float]) -> tuple[float, ...]:
    """Relative lift and its interval from an interval for the ratio of means."""
    lift = mean_t / mean_c - 1 if mean_c else math.nan
    return lift, ratio_ci[0] - 1, ratio_ci[1] - 1


def compare_proportions(
    conversions_c: float, n_c: float, conversions_t: float, n_t: float, alpha: float = 0.05
) -> Comparison:
    """Pooled two-proportion z-test, with the score intervals that invert it for the
    difference and the ratio (see `mlprod.ab.intervals`)."""
    from scipy.special import ndtri

    p_c, p_t = conversions_c / n_c, conversions_t / n_t
    z, p_value = proportion_ztest([conversions_t, conversions_c], [n_t, n_c])
    lift = p_t - p_c
    if math.isnan(p_value):
        return Comparison(z, p_value, lift, math.nan, math.nan, *_relative(p_c, p_t, NO_CI))
    crit = float(-ndtri(alpha / 2))
    low, high = score_interval_diff(conversions_c, n_c, conversions_t, n_t, crit)
    ratio_ci = score_interval_ratio(conversions_c, n_c, conversions_t, n_t, crit)
    return Comparison(z, p_value, lift, low, high, *_relative(p_c, p_t, ratio_ci))


def compare_means(
    n_c: float,
    mean_c: float,
    var_c: float,
    n_t: float,
    mean_t: float,
    var_t: float,
    alpha: float = 0.05,
) -> Comparison:
    """Welch's t-test with its interval for the difference of means, and Fieller's interval
    for their ratio at the same t quantile."""
    from scipy.special import stdtr, stdtrit

    vm_c, vm_t = var_c / n_c, var_t / n_t
    se = math.sqrt(vm_c + vm_t)
    lift = mean_t - mean_c
    if se == 0:
        statistic = math.nan if lift == 0 else math.copysign(math.inf, lift)
        p_value = math.nan if lift == 0 else 0.0
        ratio = (mean_t / mean_c,) * 2 if mean_c else NO_CI
        return Comparison(statistic, p_value, lift, lift, lift, *_relative(mean_c, mean_t, ratio))
    df = (vm_c + vm_t) ** 2 / (vm_c**2 / (n_c - 1) + vm_t**2 / (n_t - 1))
    statistic = lift / se
    p_value = float(2 * stdtr(df, -abs(statistic)))
    crit = float(-stdtrit(df, alpha / 2))
    ratio_ci = fieller_interval(mean_c, vm_c, mean_t, vm_t, crit)
    return Comparison(
        statistic,
        p_value,
        lift,
        lift - crit * se,
        lift + crit * se,
        *_relative(mean_c, mean_t, ratio_ci),
    )
