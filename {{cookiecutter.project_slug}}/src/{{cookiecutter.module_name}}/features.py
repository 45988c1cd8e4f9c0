"""Turn feature columns into the numeric matrix the model is trained and scored on.

The encoding follows schema.FEATURES and schema.DERIVED, not a fitted encoder, so the saved
model holds only scikit-learn types (safe to load) and one row encodes in microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.schema import DERIVED, FEATURES, Feature, Flag, Kind, assert_never


def encoded_names(feature: Feature) -> list[str]:
    """The matrix columns of one feature: one per category, or the feature itself."""
    match feature.kind:
        case Kind.CATEGORY:
            return [f"{feature.name}={category}" for category in feature.categories]
        case Kind.INTEGER | Kind.FLOAT | Kind.BOOLEAN:
            return [feature.name]
        case _:
            assert_never(feature.kind)


def feature_names(
    features: tuple[Feature, ...] = FEATURES, derived: tuple[Flag, ...] = DERIVED
) -> list[str]:
    """Names of the matrix columns, in order."""
    names = [name for feature in features for name in encoded_names(feature)]
    return names + [flag.name for flag in derived]


def to_matrix(
    columns: Mapping[str, Any],
    features: tuple[Feature, ...] = FEATURES,
    derived: tuple[Flag, ...] = DERIVED,
) -> np.ndarray:
    """Encode validated feature columns.

    Args:
        columns: a DataFrame, or a mapping of feature name to a sequence of values. Other
            columns are ignored and the order of columns does not matter. A category value
            not among the feature's categories encodes as all zeros.
        features, derived: the description to encode by (the project's, unless a test
            gives another).

    Returns:
        A float64 array, one row per input row, columns as in feature_names().
    """
    rows = len(columns[features[0].name])
    # Filled in place: stacking one block per column held three times the matrix at once,
    # which limited how many rows batch prediction can take at a time in bounded memory.
    matrix = np.zeros((rows, len(feature_names(features, derived))), dtype=np.float64)
    row_numbers = np.arange(rows)
    position = 0
    for feature in features:
        values = columns[feature.name]
        match feature.kind:
            case Kind.CATEGORY:
                codes = _codes(values, feature.categories)
                known = codes >= 0
                matrix[row_numbers[known], position + codes[known]] = 1.0
            case Kind.INTEGER | Kind.FLOAT | Kind.BOOLEAN:
                matrix[:, position] = np.asarray(values, dtype=np.float64)
            case _:
                assert_never(feature.kind)
        position += len(encoded_names(feature))
    for flag in derived:
        flagged = _codes(columns[flag.source.name], flag.values) >= 0
        matrix[:, position] = flagged
        position += 1
    return matrix


def _codes(values: Any, categories: tuple[str, ...]) -> np.ndarray:
    """The position of each value in `categories`, -1 for a value not among them."""
    if isinstance(values, pd.Series):  # many rows: pandas' hash table, in C
        return pd.Index(categories).get_indexer(values)
    # A request's few rows: a dict costs microseconds where building an index costs 0.1 ms.
    positions = {category: code for code, category in enumerate(categories)}
    return np.array([positions.get(value, -1) for value in values], dtype=np.int64)
