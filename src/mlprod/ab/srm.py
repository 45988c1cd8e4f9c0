"""Sample ratio mismatch: does the observed split of units match the designed split?

A mismatch means assignment or logging is broken, and the experiment's comparison cannot be
trusted whatever its p-value. The check is Pearson's chi-square goodness of fit with k - 1
degrees of freedom; the usual alarm is p < 0.001.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mlprod.errors import InvalidParameter, require_finite

DEFAULT_THRESHOLD = 0.001


def srm_check(
    counts: Sequence[float],
    weights: Sequence[float] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, object]:
    """Chi-square test of `counts` against the split given by `weights` (equal by default).

    Returns:
        `{statistic, p_value, srm, threshold, observed, expected}`; `srm` is true when
        `p_value < threshold`.
    """
    from scipy.special import chdtrc

    if len(counts) < 2:
        raise InvalidParameter("counts", "needs at least two values, one per variant")
    if not all(math.isfinite(count) and count >= 0 and count % 1 == 0 for count in counts):
        raise InvalidParameter("counts", f"must be whole numbers of units, got {list(counts)}")
    total = float(sum(counts))
    if total == 0:
        raise InvalidParameter("counts", "are all 0; there is nothing to check")
    require_finite("threshold", threshold)
    if not 0 < threshold < 1:
        raise InvalidParameter("threshold", f"must be between 0 and 1, got {threshold}")
    if weights is None:
        weights = [1.0] * len(counts)
    if len(weights) != len(counts):
        raise InvalidParameter(
            "weights", f"has {len(weights)} values for {len(counts)} counts; give one per count"
        )
    if not all(math.isfinite(weight) and weight > 0 for weight in weights):
        raise InvalidParameter("weights", f"must be positive numbers, got {list(weights)}")
    weight_sum = float(sum(weights))
    expected = [total * weight / weight_sum for weight in weights]
    statistic = sum((count - e) ** 2 / e for count, e in zip(counts, expected, strict=True))
    p_value = chdtrc(len(counts) - 1, statistic)
    return {
        "statistic": float(statistic),
        "p_value": float(p_value),
        "srm": bool(p_value < threshold),
        "threshold": threshold,
        "observed": [float(count) for count in counts],
        "expected": expected,
    }
