"""Two-sample tests from sufficient statistics: a two-proportion z-test for conversions and
Welch's t-test for continuous metrics, each with a confidence interval for the difference.

Working from (n, mean, variance) per arm is what lets `analyze` stream any number of rows:
nothing here needs the rows themselves. Distribution functions come from `scipy.special`,
which loads in a fraction of the time of `scipy.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    """Treatment against control. `ci_low`/`ci_high` bound `lift_abs`; the `rel` interval uses
    the delta method for a ratio of means."""

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


def _relative_interval(
    mean_c: float, mean_t: float, var_mean_c: float, var_mean_t: float, crit: float
) -> tuple[float, float, float]:
    if mean_c == 0:
        return math.nan, math.nan, math.nan
    ratio = mean_t / mean_c
    se = math.sqrt(var_mean_t / mean_c**2 + mean_t**2 * var_mean_c / mean_c**4)
    lift = ratio - 1
    return lift, lift - crit * se, lift + crit * se


def compare_proportions(
    conversions_c: float, n_c: float, conversions_t: float, n_t: float, alpha: float = 0.05
) -> Comparison:
    """Two-proportion z-test (pooled) with an unpooled Wald interval for the difference."""
    from scipy.special import ndtri

    p_c, p_t = conversions_c / n_c, conversions_t / n_t
    z, p_value = proportion_ztest([conversions_t, conversions_c], [n_t, n_c])
    var_c, var_t = p_c * (1 - p_c) / n_c, p_t * (1 - p_t) / n_t
    crit = float(-ndtri(alpha / 2))
    half = crit * math.sqrt(var_c + var_t)
    lift = p_t - p_c
    rel, rel_low, rel_high = _relative_interval(p_c, p_t, var_c, var_t, crit)
    return Comparison(z, p_value, lift, lift - half, lift + half, rel, rel_low, rel_high)


def compare_means(
    n_c: float,
    mean_c: float,
    var_c: float,
    n_t: float,
    mean_t: float,
    var_t: float,
    alpha: float = 0.05,
) -> Comparison:
    """Welch's t-test with a Welch-Satterthwaite interval for the difference of means."""
    from scipy.special import stdtr, stdtrit

    vm_c, vm_t = var_c / n_c, var_t / n_t
    se = math.sqrt(vm_c + vm_t)
    lift = mean_t - mean_c
    if se == 0:
        statistic = math.nan if lift == 0 else math.copysign(math.inf, lift)
        p_value = math.nan if lift == 0 else 0.0
        rel = lift / mean_c if mean_c else math.nan
        return Comparison(statistic, p_value, lift, lift, lift, rel, rel, rel)
    df = (vm_c + vm_t) ** 2 / (vm_c**2 / (n_c - 1) + vm_t**2 / (n_t - 1))
    statistic = lift / se
    p_value = float(2 * stdtr(df, -abs(statistic)))
    crit = float(-stdtrit(df, alpha / 2))
    rel, rel_low, rel_high = _relative_interval(mean_c, mean_t, vm_c, vm_t, crit)
    return Comparison(
        statistic, p_value, lift, lift - crit * se, lift + crit * se, rel, rel_low, rel_high
    )
