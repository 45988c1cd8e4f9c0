"""Units needed per variant to detect a given effect, for a conversion or a continuous metric.

Binomial metrics use Cohen's effect size h (arcsine transform) with a normal test, and
continuous metrics a two-sample t-test; both match statsmodels' power calculations, and both
count the far tail of a two-sided test, so the answer is exact rather than the textbook
one-tail approximation.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from mlprod.errors import InvalidParameter, require_finite


@dataclass(frozen=True)
class SampleSize:
    metric: str
    n_per_variant: int
    n_control: int
    n_treatment: int
    n_total: int
    effect_size: float
    baseline: float | None
    target: float | None
    mde_abs: float
    alpha: float
    power: float
    ratio: float
    days: int | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_probability(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise InvalidParameter(name, f"must be between 0 and 1 (exclusive), got {value}")


def _normal_power(effect: float, n1: float, alpha: float, ratio: float) -> float:
    from scipy.stats import norm

    scale = effect * math.sqrt(n1 / (1 + 1 / ratio))
    crit = norm.isf(alpha / 2)
    return norm.sf(crit - scale) + norm.cdf(-crit - scale)


def _t_power(effect: float, n1: float, alpha: float, ratio: float) -> float:
    from scipy.stats import nct, t

    n2 = ratio * n1
    df = n1 + n2 - 2
    nc = effect * math.sqrt(n1 * n2 / (n1 + n2))
    crit = t.isf(alpha / 2, df)
    return nct.sf(crit, df, nc) + nct.cdf(-crit, df, nc)


def _solve_n1(power_of, effect: float, alpha: float, power: float, ratio: float) -> float:
    from scipy.optimize import brentq

    low = 2.0
    high = 4.0
    while power_of(effect, high, alpha, ratio) < power:
        high *= 2
        if high > 1e13:
            raise InvalidParameter("mde", "is too small to detect with any sample; raise it")
    if power_of(effect, low, alpha, ratio) >= power:
        return low
    # brentq's default tolerance (about 1e-12 of n): a coarser one can land just below a root
    # that lies a hair above a whole number, and the rounded-up answer then falls short.
    return brentq(lambda n: power_of(effect, n, alpha, ratio) - power, low, high)


def sample_size(
    mde: float,
    *,
    baseline_rate: float | None = None,
    std: float | None = None,
    baseline_mean: float | None = None,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    daily_units: float | None = None,
) -> SampleSize:
    """Units per variant for a two-sided test.

    Args:
        mde: minimum detectable effect, absolute (0.01 = one percentage point) unless `relative`.
        baseline_rate: control conversion rate, for a binomial metric.
        std: standard deviation of a continuous metric (instead of `baseline_rate`).
        baseline_mean: control mean of a continuous metric, needed only with `relative`.
        relative: read `mde` as a fraction of the baseline (0.05 = +5 %).
        ratio: treatment units per control unit.
        daily_units: units entering the experiment per day, to estimate its duration.

    Returns:
        A `SampleSize`; `n_per_variant` is the larger arm (both arms when `ratio` is 1).
    """
    for name, value in [
        ("mde", mde),
        ("baseline_rate", baseline_rate),
        ("std", std),
        ("baseline_mean", baseline_mean),
        ("alpha", alpha),
        ("power", power),
        ("ratio", ratio),
        ("daily_units", daily_units),
    ]:
        require_finite(name, value)
    _check_probability("alpha", alpha)
    _check_probability("power", power)
    if ratio <= 0:
        raise InvalidParameter("ratio", f"must be positive, got {ratio}")
    if mde == 0:
        raise InvalidParameter("mde", "must not be 0; give the smallest effect worth detecting")
    if (baseline_rate is None) == (std is None):
        raise InvalidParameter(
            "baseline_rate", "is needed for a conversion metric, or std for a continuous one"
        )
    if daily_units is not None and daily_units <= 0:
        raise InvalidParameter("daily_units", f"must be positive, got {daily_units}")

    if baseline_rate is not None:
        _check_probability("baseline_rate", baseline_rate)
        mde_abs = mde * baseline_rate if relative else mde
        target = baseline_rate + mde_abs
        if not 0 < target < 1:
            raise InvalidParameter(
                "mde", f"{mde_abs:g} added to the baseline {baseline_rate} leaves (0, 1); lower it"
            )
        effect = abs(2 * math.asin(math.sqrt(target)) - 2 * math.asin(math.sqrt(baseline_rate)))
        n1 = _solve_n1(_normal_power, effect, alpha, power, ratio)
        metric, baseline = "binomial", baseline_rate
    else:
        if std <= 0:
            raise InvalidParameter("std", f"must be positive, got {std}")
        if relative:
            if not baseline_mean:
                raise InvalidParameter(
                    "baseline_mean", "(non-zero) is needed for a relative effect on a std"
                )
            mde_abs = mde * baseline_mean
        else:
            mde_abs = mde
        effect = abs(mde_abs) / std
        n1 = _solve_n1(_t_power, effect, alpha, power, ratio)
        metric, baseline = "continuous", baseline_mean
        target = None if baseline_mean is None else baseline_mean + mde_abs

    n_control = math.ceil(n1 - 1e-9)
    n_treatment = math.ceil(n1 * ratio - 1e-9)
    n_total = n_control + n_treatment
    days = None if daily_units is None else math.ceil(n_total / daily_units)
    return SampleSize(
        metric=metric,
        n_per_variant=max(n_control, n_treatment),
        n_control=n_control,
        n_treatment=n_treatment,
        n_total=n_total,
        effect_size=effect,
        baseline=baseline,
        target=target,
        mde_abs=mde_abs,
        alpha=alpha,
        power=power,
        ratio=ratio,
        days=days,
    )
