"""Drift between a reference data set (usually the training data) and a current batch.

Python API:
    from mlprod.drift import compare
    result = compare(reference_df, current_df)          # pandas DataFrames
    result.dataset_drift, result.to_dict()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlprod.drift.comparison import DriftResult


def compare(reference, current, columns=None, **thresholds) -> DriftResult:
    """Compare two DataFrames column by column; see `mlprod.drift.comparison.compare`."""
    from mlprod.drift.comparison import compare as compare_frames

    return compare_frames(reference, current, columns, **thresholds)
