"""Turn feature columns into the numeric matrix the model is trained and scored on.

The encoding uses the categories fixed in data.FEATURES, not a fitted encoder, so the saved
model holds only scikit-learn types (safe to load) and one row encodes in microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.data import FEATURES, WEEKDAYS

WEEKEND = ("Sat", "Sun")
_WEEKEND_CODES = [WEEKDAYS.index(day) for day in WEEKEND]


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
            columns are ignored and the order of columns does not matter. A category value
            not in data.FEATURES encodes as all zeros.

    Returns:
        A float64 array, one row per input row, columns as in feature_names().
    """
    rows = len(columns[FEATURES[0].name])
    # Filled in place: stacking one block per column held three times the matrix at once,
    # which limited how many rows batch prediction can take at a time in bounded memory.
    matrix = np.zeros((rows, len(feature_names())), dtype=np.float64)
    row_numbers = np.arange(rows)
    position = 0
    for feature in FEATURES:
        values = columns[feature.name]
        if feature.kind == "category":
            codes = _codes(values, feature.categories)
            known = codes >= 0
            matrix[row_numbers[known], position + codes[known]] = 1.0
            position += len(feature.categories)
            if feature.name == "weekday":
                weekday_codes = codes
        else:
            matrix[:, position] = np.asarray(values, dtype=np.float64)
            position += 1
    matrix[:, position] = np.isin(weekday_codes, _WEEKEND_CODES)
    return matrix


def _codes(values: Any, categories: tuple[str, ...]) -> np.ndarray:
    """The position of each value in `categories`, -1 for a value not among them."""
    if isinstance(values, pd.Series):  # many rows: pandas' hash table, in C
        return pd.Index(categories).get_indexer(values)
    # A request's few rows: a dict costs microseconds where building an index costs 0.1 ms.
    positions = {category: code for code, category in enumerate(categories)}
    return np.array([positions.get(value, -1) for value in values], dtype=np.int64)
