"""Drift of a current batch known only by its value counts, as a distributed engine (Spark)
aggregates it: (distinct value, rows) per column, never the rows themselves.

The reference stays a sample in memory (the training data). The statistics are those of
`compare`, evaluated on the counts: the ECDF of the batch at a value is the running sum of
its counts, so the KS statistic (the largest ECDF gap over every value of either side), the
Wasserstein distance (the integral of the gap), the PSI bins, the medians and the category
tables are exact when the counts are per exact value. Where a caller rounds values to a grid
before counting (floats), the statistics are those of the rounded batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlprod.drift.comparison import (
    DEFAULTS,
    EFFECT_MEASURES,
    ColumnDrift,
    DriftResult,
    _check_thresholds,
    compare_category_counts,
    decide,
)
from mlprod.drift.ks import EXACT_MAX_N, ks_sorted
from mlprod.drift.psi import bin_counts, psi, quantile_edges

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def _ecdf_of_counts(values: np.ndarray, cumulative: np.ndarray, at: np.ndarray) -> np.ndarray:
    import numpy as np

    position = np.searchsorted(values, at, side="right")
    return np.where(position > 0, cumulative[np.maximum(position - 1, 0)], 0) / cumulative[-1]


def _weighted_median(values: np.ndarray, cumulative: np.ndarray) -> float:
    import numpy as np

    total = int(cumulative[-1])
    middle = total // 2

    def at(rank: int) -> float:  # the value of the rank-th row (0-based) in sorted order
        return float(values[np.searchsorted(cumulative, rank, side="right")])

    return at(middle) if total % 2 else (at(middle - 1) + at(middle)) / 2


def compare_numeric_counts(
    reference: np.ndarray, values: np.ndarray, counts: np.ndarray, bins: int
) -> dict[str, object]:
    """The numeric comparison of a sorted reference sample with a batch's value counts
    (values sorted and distinct, counts positive)."""
    import math

    import numpy as np
    from scipy.stats import kstwo

    n1, n2 = len(reference), int(counts.sum())
    cumulative = np.cumsum(counts)
    grid = np.union1d(reference, values)
    gap = np.abs(
        np.searchsorted(reference, grid, side="right") / n1
        - _ecdf_of_counts(values, cumulative, grid)
    )
    if max(n1, n2) <= EXACT_MAX_N:
        # A batch this small may be expanded: scipy's exact p-value, as compare() gives.
        statistic, p_value = ks_sorted(reference, np.repeat(values, counts))
    else:  # the largest gap over every value of either side, as ks_sorted takes it
        statistic = float(gap.max())
        m, n = sorted([float(n1), float(n2)], reverse=True)
        p_value = float(np.clip(kstwo.sf(statistic, np.round(m * n / (m + n))), 0, 1))
    distance = float(np.dot(gap[:-1], np.diff(grid)))
    std = float(np.std(reference))
    effect = (0.0 if distance == 0 else math.inf) if std == 0 else distance / std
    edges = quantile_edges(reference, bins)
    current_at_most = _ecdf_of_counts(values, cumulative, edges) * n2
    current_bins = np.diff(np.concatenate([[0], current_at_most, [n2]]))
    findings = []
    if reference[0] == reference[-1]:
        findings.append(f"constant in the reference (always {reference[0]:g})")
    median_ref = float(np.median(reference))
    median_cur = _weighted_median(values, cumulative)
    return {
        "test": "ks",
        "statistic": statistic,
        "p_value": p_value,
        "psi": psi(np.append(bin_counts(reference, edges), 0), np.append(current_bins, 0)),
        "effect": effect,
        "effect_measure": EFFECT_MEASURES["numeric"],
        "summary": f"median {median_ref:.4g} in the reference, {median_cur:.4g} now",
        "findings": findings,
    }


def compare_counts(
    reference: pd.DataFrame,
    numeric: dict[str, tuple[np.ndarray, np.ndarray]],
    categorical: dict[str, pd.Series],
    **thresholds: float | None,
) -> DriftResult:
    """Compare a batch, given as counts, with a reference frame without missing values.

    Args:
        reference: the reference rows, one column per compared feature.
        numeric: column -> (sorted distinct values, rows per value) of the batch.
        categorical: column -> rows per category of the batch.
        thresholds: as compare() takes them.
    """
    import numpy as np

    settings = {**DEFAULTS, **thresholds}
    _check_thresholds(settings)
    tested = []
    for name in reference.columns:
        if name in numeric:
            values, counts = numeric[name]
            reference_sorted = np.sort(reference[name].to_numpy(dtype=float))
            outcome = compare_numeric_counts(reference_sorted, values, counts, settings["bins"])
            kind, n_cur = "numeric", int(counts.sum())
        else:
            ref_counts = reference[name].astype(str).value_counts()
            outcome = compare_category_counts(ref_counts, categorical[name])
            kind, n_cur = "categorical", int(categorical[name].sum())
        tested.append(
            ColumnDrift(
                column=name,
                kind=kind,
                drift=False,
                n_reference=len(reference),
                n_current=n_cur,
                **outcome,
            )
        )
    return decide(tested, list(tested), [], settings)
