"""Multiple-testing adjustment of p-values: Holm (family-wise error) and Benjamini-Hochberg
(false discovery rate). Results come back in input order.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlprod.errors import InvalidParameter

METHODS = ("holm", "fdr_bh")


def adjust(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values, in the order given.

    Args:
        p_values: raw p-values in [0, 1].
        method: "holm" (step-down, controls the family-wise error rate) or "fdr_bh"
            (step-up, controls the false discovery rate).
    """
    import numpy as np

    if method not in METHODS:
        raise InvalidParameter("method", f"'{method}' is not one of: {', '.join(METHODS)}")
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return []
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise InvalidParameter("p_values", f"must lie in [0, 1], got {list(p_values)}")
    m = p.size
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "holm":
        stepped = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        stepped = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted.tolist()
