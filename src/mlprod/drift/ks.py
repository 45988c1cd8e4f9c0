"""Two-sample Kolmogorov-Smirnov test on sorted samples.

The sorted reference also gives the PSI bins and the medians, so each column is sorted once.
The statistic is evaluated at every observation, as scipy does, but with sorted queries, which
is several times faster on a million rows. Small samples keep scipy's exact p-value; large
ones use the same asymptotic distribution scipy uses (`kstwo` at m*n/(m+n)), so the results
agree with `scipy.stats.ks_2samp`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Above this sample size scipy's automatic method switches from exact to asymptotic.
EXACT_MAX_N = 10_000


def ks_sorted(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(D, two-sided p-value) for two sorted samples without missing values."""
    import numpy as np

    n1, n2 = len(x), len(y)
    if max(n1, n2) <= EXACT_MAX_N:
        from scipy.stats import ks_2samp

        with warnings.catch_warnings():
            # The exact method may fall back to the asymptotic one, as documented; the
            # warning saying so would only clutter the command's output.
            warnings.simplefilter("ignore", RuntimeWarning)
            result = ks_2samp(x, y)
        return float(result.statistic), float(result.pvalue)
    from scipy.stats import kstwo

    gap_at_x = np.abs(
        np.searchsorted(x, x, side="right") / n1 - np.searchsorted(y, x, side="right") / n2
    ).max()
    gap_at_y = np.abs(
        np.searchsorted(x, y, side="right") / n1 - np.searchsorted(y, y, side="right") / n2
    ).max()
    statistic = float(max(gap_at_x, gap_at_y))
    m, n = sorted([float(n1), float(n2)], reverse=True)
    p_value = float(np.clip(kstwo.sf(statistic, np.round(m * n / (m + n))), 0, 1))
    return statistic, p_value
