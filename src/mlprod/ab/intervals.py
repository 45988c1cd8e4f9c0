"""Confidence intervals that agree with the test they sit beside.

An interval excludes the null value exactly when the test rejects it, because each interval
is the set of values that the same test, at the same level, would not reject:

- Conversions, tested with the pooled two-proportion z-test. The interval for the
  difference p_t - p_c (Mee, 1984) and for the ratio p_t / p_c (Miettinen and Nurminen,
  1985, without their n / (n - 1) variance factor; Koopman, 1984) invert the score test,
  which at "no difference" is the pooled z-test itself: both tests estimate the variance
  from the proportions that best fit the data under the hypothesis tested.
- Continuous metrics, tested with Welch's t-test. The interval for the ratio of means is
  Fieller's (1954): every ratio r with |mean_t - r mean_c| / sqrt(v_t + r^2 v_c) within the
  Welch t quantile; r = 1 gives Welch's statistic itself. When the control mean cannot be
  told from 0 at this level the set is unbounded, and no interval is reported.

The relative lift is the ratio minus 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def _boundary(accepted: Callable[[float], bool], inside: float, outside: float) -> float:
    """The last accepted value between `inside` (accepted) and `outside` (not), to float
    precision: bisection, which needs only that the accepted values form an interval."""
    while True:
        middle = (inside + outside) / 2
        if middle in (inside, outside):
            return inside
        if accepted(middle):
            inside = middle
        else:
            outside = middle


def _pooled_z(x_c: float, n_c: float, x_t: float, n_t: float) -> float:
    pooled = (x_c + x_t) / (n_c + n_t)
    return (x_t / n_t - x_c / n_c) / math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))


def _log_likelihood(x: float, n: float, p: float) -> float:
    if (x > 0 and p <= 0) or (x < n and p >= 1):
        return -math.inf
    return (x * math.log(p) if x > 0 else 0.0) + ((n - x) * math.log1p(-p) if x < n else 0.0)


def _most_likely(candidates: list[float], low: float, high: float, fit) -> float:
    """The control proportion, among the stationary points and the feasible range's ends,
    that the data make most likely: the maximum on the edge when an arm has no conversion."""
    feasible = [c for c in candidates if low <= c <= high and math.isfinite(c)] + [low, high]
    return max(feasible, key=fit)


def _score_z_diff(x_c: float, n_c: float, x_t: float, n_t: float, diff: float) -> float:
    """Score statistic for p_t - p_c = diff, with the proportions' maximum likelihood
    estimates under that hypothesis: a root of the cubic of Miettinen and Nurminen (1985)."""
    if diff == 0:
        return _pooled_z(x_c, n_c, x_t, n_t)
    n, x = n_c + n_t, x_c + x_t
    b = ((n_t + 2 * n_c) * diff - n - x) / (3 * n)
    c = ((n_c * diff - n - 2 * x_c) * diff + x) / (3 * n)
    d = x_c * diff * (1 - diff) / (2 * n)
    q = b**3 - b * c * 1.5 + d
    p = math.copysign(math.sqrt(max(b * b - c, 0.0)), q)
    if p == 0:
        roots = [-b]
    else:
        angle = math.acos(max(-1.0, min(1.0, q / p**3)))
        roots = [2 * p * math.cos((angle + k * math.pi) / 3) - b for k in (1, 3, 5)]
    prop_c = _most_likely(
        roots,
        max(0.0, -diff),
        min(1.0, 1.0 - diff),
        lambda pc: _log_likelihood(x_c, n_c, pc) + _log_likelihood(x_t, n_t, pc + diff),
    )
    prop_t = prop_c + diff
    variance = prop_t * (1 - prop_t) / n_t + prop_c * (1 - prop_c) / n_c
    gap = x_t / n_t - x_c / n_c - diff
    return gap / math.sqrt(variance) if variance > 0 else math.copysign(math.inf, gap)


def _score_z_ratio(x_c: float, n_c: float, x_t: float, n_t: float, ratio: float) -> float:
    """Score statistic for p_t / p_c = ratio, with the maximum likelihood estimates under
    that hypothesis: a root of Miettinen and Nurminen's quadratic."""
    if ratio == 1:
        return _pooled_z(x_c, n_c, x_t, n_t)
    n, x = n_c + n_t, x_c + x_t
    a = n * ratio
    b = -(n_t * ratio + x_t + n_c + x_c * ratio)
    root = math.sqrt(max(b * b - 4 * a * x, 0.0))
    prop_c = _most_likely(
        [(-b - root) / (2 * a), (-b + root) / (2 * a)],
        0.0,
        min(1.0, 1.0 / ratio),
        lambda pc: _log_likelihood(x_c, n_c, pc) + _log_likelihood(x_t, n_t, pc * ratio),
    )
    prop_t = prop_c * ratio
    variance = prop_t * (1 - prop_t) / n_t + ratio**2 * prop_c * (1 - prop_c) / n_c
    gap = x_t / n_t - ratio * x_c / n_c
    return gap / math.sqrt(variance) if variance > 0 else math.copysign(math.inf, gap)


def score_interval_diff(
    x_c: float, n_c: float, x_t: float, n_t: float, crit: float
) -> tuple[float, float]:
    """Interval for p_t - p_c: every difference the score test at `crit` does not reject."""
    estimate = x_t / n_t - x_c / n_c

    def accepted(diff: float) -> bool:
        return abs(_score_z_diff(x_c, n_c, x_t, n_t, diff)) <= crit

    return _boundary(accepted, estimate, -1.0), _boundary(accepted, estimate, 1.0)


def score_interval_ratio(
    x_c: float, n_c: float, x_t: float, n_t: float, crit: float
) -> tuple[float, float]:
    """Interval for p_t / p_c; the upper end is infinite when the control has no conversion.
    A treatment without conversions has a ratio of 0, which the test cannot reject."""
    if x_c == 0:
        return math.nan, math.nan
    estimate = (x_t / n_t) / (x_c / n_c)

    def accepted(ratio: float) -> bool:
        return abs(_score_z_ratio(x_c, n_c, x_t, n_t, ratio)) <= crit

    low = 0.0 if x_t == 0 else _boundary(accepted, estimate, 0.0)
    outside = 2 * max(estimate, 1.0)
    while accepted(outside):
        outside *= 2
    return low, _boundary(accepted, estimate, outside)


def fieller_interval(
    mean_c: float, var_mean_c: float, mean_t: float, var_mean_t: float, crit: float
) -> tuple[float, float]:
    """Fieller's interval for mean_t / mean_c; (nan, nan) when it is unbounded.

    The accepted ratios r solve (mean_t - r mean_c)^2 <= crit^2 (var_mean_t + r^2 var_mean_c),
    a quadratic a r^2 + b r + c <= 0 that is a bounded interval only when a > 0.
    """
    a = mean_c**2 - crit**2 * var_mean_c
    if a <= 0:
        return math.nan, math.nan
    b = -2 * mean_t * mean_c
    c = mean_t**2 - crit**2 * var_mean_t
    root = math.sqrt(max(b * b - 4 * a * c, 0.0))
    # The stable pair of roots: one from the usual formula, the other from their product c / a.
    far = (-b - math.copysign(root, b)) / (2 * a)
    near = c / (a * far) if far != 0 else (-b + math.copysign(root, b)) / (2 * a)
    return min(far, near), max(far, near)
