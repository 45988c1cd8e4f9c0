"""Turn feature columns into the numeric matrix the model is trained and scored on.

The encoding is plain numpy on the categories fixed in data.FEATURES, so the saved model
holds only scikit-learn types (safe to load) and one row encodes in microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from {{ cookiecutter.module_name }}.data import FEATURES

WEEKEND = ("Sat", "Sun")


def feature_names() -> list[str]:
    """Names of the matrix columns, in order."""
    names: list[str] = []
    for feature in FEATURES:
        if feature.kind == "category":
            names.extend(f"{feature.name}={category}" for category in feature.categories)
        else:
            names.append(feature.name)
    names.append("is_weekend")
    return names


def to_matrix(columns: Mapping[str, Any]) -> np.ndarray:
    """Encode validated feature columns.

    Args:
        columns: a DataFrame, or a mapping of feature name to a sequence of values. Other
            columns are ignored and the order of columns does not matter.

    Returns:
        A float64 array, one row per input row, columns as in feature_names().
    """
    blocks = []
    for feature in FEATURES:
        values = np.asarray(columns[feature.name])
        if feature.kind == "category":
            categories = np.asarray(feature.categories, dtype=object)
            blocks.append(values.astype(object)[:, None] == categories[None, :])
        else:
            blocks.append(values.astype(np.float64)[:, None])
    weekday = np.asarray(columns["weekday"]).astype(object)
    blocks.append(np.isin(weekday, WEEKEND)[:, None])
    return np.hstack([block.astype(np.float64) for block in blocks])
