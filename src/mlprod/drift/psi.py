"""Population stability index, with quantile bins taken from the reference.

PSI = sum over bins of (actual - expected) * ln(actual / expected), on bin shares. Shares of
empty bins are floored at 1e-4 so that a bin seen on one side only counts as a large but
finite shift instead of an infinite one. Usual reading: below 0.1 stable, 0.1 to 0.25 a
moderate shift, above 0.25 a significant shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHARE_FLOOR = 1e-4


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """PSI between two vectors of bin shares (or counts, which are normalised)."""
    import numpy as np

    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    expected = np.maximum(expected / expected.sum(), SHARE_FLOOR)
    actual = np.maximum(actual / actual.sum(), SHARE_FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def quantile_edges(reference: np.ndarray, bins: int) -> np.ndarray:
    """Inner bin edges at the quantiles of the sorted `reference` (numpy's linear method);
    ties collapse, so a constant column gets one edge (two bins: the constant, above it)."""
    import numpy as np

    position = np.linspace(0, 1, bins + 1)[1:-1] * (len(reference) - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, len(reference) - 1)
    cuts = reference[below] + (position - below) * (reference[above] - reference[below])
    return np.unique(np.append(cuts, reference[0]))


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of sorted `values` in bins (-inf, e1], (e1, e2], ..., (ek, inf)."""
    import numpy as np

    at_most = np.searchsorted(values, edges, side="right")
    return np.diff(np.concatenate([[0], at_most, [len(values)]]))


def numeric_psi(
    reference: np.ndarray,
    current: np.ndarray,
    bins: int = 10,
    missing_reference: int = 0,
    missing_current: int = 0,
) -> float:
    """PSI of a numeric column over reference-quantile bins plus one bin for missing values;
    both samples sorted."""
    import numpy as np

    edges = quantile_edges(reference, bins)
    expected = np.append(bin_counts(reference, edges), missing_reference)
    actual = np.append(bin_counts(current, edges), missing_current)
    return psi(expected, actual)
