"""Validation of the data against the rules in schema.FEATURES, and the train/test split.

The pandera schema is derived from schema.FEATURES: each Kind is checked its own way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pandera
from pandera.errors import SchemaErrors
from sklearn.model_selection import train_test_split

from {{ cookiecutter.module_name }}.errors import DataError
from {{ cookiecutter.module_name }}.schema import FEATURES, ID_COLUMN, TARGET, Feature, Kind, assert_never

MAX_REPORTED_FAILURES = 5


def _whole_number(series: pd.Series) -> pd.Series:
    return series == np.floor(series)


def _in_range(feature: Feature) -> list[pandera.Check]:
    # pandera's in_range needs both bounds; a feature may have one.
    if feature.minimum is not None and feature.maximum is not None:
        return [pandera.Check.in_range(feature.minimum, feature.maximum)]
    if feature.minimum is not None:
        return [pandera.Check.greater_than_or_equal_to(feature.minimum)]
    if feature.maximum is not None:
        return [pandera.Check.less_than_or_equal_to(feature.maximum)]
    return []


def _column(feature: Feature) -> pandera.Column:
    # Numbers are held as float64 whatever their kind: a CSV or a JSON client may write 9.0,
    # and the model's matrix is float64 anyway. The description words a wrong type.
    match feature.kind:
        case Kind.CATEGORY:
            isin = pandera.Check.isin(feature.categories)
            return pandera.Column(str, isin, coerce=True, description="text")
        case Kind.INTEGER:
            whole = pandera.Check(_whole_number, name="whole_number")
            checks = [*_in_range(feature), whole]
            return pandera.Column("float64", checks, coerce=True, description="a number")
        case Kind.FLOAT:
            finite = pandera.Check(np.isfinite, name="finite")
            checks = [*_in_range(feature), finite]
            return pandera.Column("float64", checks, coerce=True, description="a number")
        case Kind.BOOLEAN:
            # pandas reads true/false from a CSV as booleans, which become 1.0/0.0.
            isin = pandera.Check.isin([0.0, 1.0])
            return pandera.Column("float64", isin, coerce=True, description="true/false or 1/0")
        case _:
            assert_never(feature.kind)


def feature_schema(features: tuple[Feature, ...] = FEATURES) -> pandera.DataFrameSchema:
    """Schema of rows to score: every feature, any other columns kept as they are."""
    return pandera.DataFrameSchema({feature.name: _column(feature) for feature in features})


def training_schema() -> pandera.DataFrameSchema:
    """Schema of labelled rows: the features plus a unique customer_id and a 0/1 target."""
    return feature_schema().add_columns(
        {
            ID_COLUMN: pandera.Column(str, unique=True, coerce=True, description="text"),
            TARGET: pandera.Column(
                "int64", pandera.Check.isin([0, 1]), coerce=True, description="0 or 1"
            ),
        }
    )


def _describe(failure: pd.Series, first_row: int, schema: pandera.DataFrameSchema) -> str:
    column = failure["column"]
    if failure["check"] == "column_in_dataframe":
        return f"column '{failure['failure_case']}' is missing"
    where = f"column '{column}'"
    if pd.notna(failure["index"]):
        where = f"row {int(failure['index']) + first_row}, {where}"
    check = str(failure["check"])
    if check == "not_nullable":
        return f"{where}: value is empty"
    if check.startswith(("coerce_dtype", "dtype")):
        declared = schema.columns.get(column)
        expected = declared.description if declared and declared.description else "valid"
        return f"{where}: value {failure['failure_case']!r} is not {expected}"
    return f"{where}: value {failure['failure_case']!r} fails {check}"


def _pertinent(cases: pd.DataFrame) -> pd.DataFrame:
    """The failure cases that say something new, one per row and column.

    A value that is not of its column's type fails twice at its row (coerce_dtype and dtype),
    and the column's other checks then fail as a whole on the unconverted column (with no
    row, and a TypeError as the "value"). The row-level case says it all; the column-level
    echoes would also make the row impossible to set aside with --skip-invalid.
    """
    row_level = cases["index"].notna()
    echo = ~row_level & cases["column"].isin(cases.loc[row_level, "column"])
    return cases[~echo].drop_duplicates(subset=["column", "index"])


def failure_cases(frame: pd.DataFrame, schema: pandera.DataFrameSchema) -> pd.DataFrame:
    """Return the pertinent failure cases for a frame (no rows when it is valid)."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return _pertinent(errors.failure_cases)
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def validate(
    frame: pd.DataFrame, schema: pandera.DataFrameSchema, first_row: int = 1
) -> pd.DataFrame:
    """Check a frame against a schema.

    Args:
        frame: rows to check; its index gives the row numbers in messages.
        schema: feature_schema() or training_schema().
        first_row: the row number of index 0 in messages (1: the first data row).

    Returns:
        The frame with its columns converted to the schema's types.

    Raises:
        DataError: naming the row, the column and the rule of the first failures.
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = _pertinent(errors.failure_cases)
        messages = [_describe(case, first_row, schema) for _, case in cases.iterrows()]
        more = len(messages) - MAX_REPORTED_FAILURES
        summary = "; ".join(messages[:MAX_REPORTED_FAILURES])
        suffix = f"; and {more} more" if more > 0 else ""
        raise DataError(f"{summary}{suffix}; fix the data or drop those rows") from None


def split(frame: pd.DataFrame, test_share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split labelled rows into train and test sets with the same share of opens in each.

    Args:
        frame: validated labelled rows.
        test_share: share of rows in the test set.
        seed: random seed.

    Returns:
        (train, test), each with a fresh index.
    """
    train, test = train_test_split(
        frame, test_size=test_share, random_state=seed, stratify=frame[TARGET]
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)
