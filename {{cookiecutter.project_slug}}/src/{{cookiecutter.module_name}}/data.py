"""The data: its columns and their rules, the synthetic sample, loading, validation, the split.

The columns are described once, in FEATURES; the pandera schema, the model's input matrix
and the HTTP API's request model are all derived from that description.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors
from sklearn.model_selection import train_test_split

from {{ cookiecutter.module_name }}.errors import DataError

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANNELS = ("newsletter", "promotion", "transactional")
ID_COLUMN = "customer_id"
TARGET = "opened"


@dataclass(frozen=True)
class Feature:
    """One input column of the model and the values it may take."""

    name: str
    kind: str  # "integer" or "category"
    description: str
    minimum: int | None = None
    maximum: int | None = None
    categories: tuple[str, ...] = ()


FEATURES = (
    Feature("send_hour", "integer", "hour of day the email is sent", 0, 23),
    Feature("weekday", "category", "day of week the email is sent", categories=WEEKDAYS),
    Feature("tenure_months", "integer", "months since the customer signed up", 0, 600),
    Feature("past_opens_30d", "integer", "emails the customer opened in the last 30 days", 0, 1000),
    Feature("channel", "category", "kind of email", categories=CHANNELS),
)
FEATURE_NAMES = tuple(feature.name for feature in FEATURES)
MAX_REPORTED_FAILURES = 5
_NUMERIC = {feature.name for feature in FEATURES if feature.kind == "integer"}


def make_sample(rows: int, seed: int) -> pd.DataFrame:
    """Create the synthetic marketing-email data set; the same seed gives the same rows.

    Opening depends on past engagement (strongly), the send hour (a morning and an evening
    peak, nothing at night), the channel, promotions at weekends and, a little, tenure.
    A latent engagement that the features only partly reveal, and 3% flipped labels, keep
    it noisy like real data.

    Args:
        rows: number of customers.
        seed: random seed.

    Returns:
        One row per customer: customer_id, the FEATURES columns and the target `opened`.
    """
    rng = np.random.default_rng(seed)
    engagement = rng.normal(0.0, 1.0, rows)
    tenure = np.minimum(rng.gamma(2.0, 14.0, rows).round(), 600).astype("int64")
    past_opens = np.minimum(rng.poisson(np.exp(0.6 + 0.7 * engagement + 0.004 * tenure)), 1000)
    hour_weights = np.array(
        [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 8, 6, 6, 6, 6, 6, 6, 7, 8, 9, 8, 5, 3, 2]
    )
    send_hour = rng.choice(24, rows, p=hour_weights / hour_weights.sum())
    weekday = rng.choice(np.array(WEEKDAYS), rows)
    channel = rng.choice(np.array(CHANNELS), rows, p=[0.5, 0.35, 0.15])

    hour_effect = (
        1.3 * np.exp(-(((send_hour - 9) / 2.0) ** 2))
        + 1.0 * np.exp(-(((send_hour - 20) / 2.0) ** 2))
        - 1.2 * (send_hour < 6)
    )
    channel_effect = np.select(
        [channel == "promotion", channel == "transactional"], [-0.9, 1.5], default=0.0
    )
    weekend = np.isin(weekday, ("Sat", "Sun"))
    weekend_promotion = 0.8 * (weekend & (channel == "promotion"))
    logit = (
        -1.9
        + 0.4 * engagement
        + 0.5 * np.log1p(past_opens)
        + hour_effect
        + channel_effect
        + weekend_promotion
        + 0.002 * tenure
    )
    opened = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    flipped = rng.random(rows) < 0.03
    return pd.DataFrame(
        {
            ID_COLUMN: [f"C{index:07d}" for index in range(1, rows + 1)],
            "send_hour": send_hour.astype("int64"),
            "weekday": weekday,
            "tenure_months": tenure,
            "past_opens_30d": past_opens.astype("int64"),
            "channel": channel,
            TARGET: (opened ^ flipped).astype("int64"),
        }
    )


def _whole_number(series: pd.Series) -> pd.Series:
    return series == np.floor(series)


def _column(feature: Feature) -> pa.Column:
    if feature.kind == "category":
        return pa.Column(str, pa.Check.isin(feature.categories), coerce=True)
    checks = [
        pa.Check.in_range(feature.minimum, feature.maximum),
        pa.Check(_whole_number, name="whole_number"),
    ]
    # Whole numbers are checked, then held as float64: a CSV or a JSON client may write 9.0.
    return pa.Column("float64", checks, coerce=True)


def feature_schema() -> pa.DataFrameSchema:
    """Schema of rows to score: every feature, any other columns kept as they are."""
    return pa.DataFrameSchema({feature.name: _column(feature) for feature in FEATURES})


def training_schema() -> pa.DataFrameSchema:
    """Schema of labelled rows: the features plus a unique customer_id and a 0/1 target."""
    return feature_schema().add_columns(
        {
            ID_COLUMN: pa.Column(str, unique=True, coerce=True),
            TARGET: pa.Column("int64", pa.Check.isin([0, 1]), coerce=True),
        }
    )


def _describe(failure: pd.Series, first_row: int) -> str:
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
        expected = "a number" if column in _NUMERIC else "text"
        return f"{where}: value {failure['failure_case']!r} is not {expected}"
    return f"{where}: value {failure['failure_case']!r} fails {check}"


def failure_cases(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Return pandera's failure cases for a frame (no rows when it is valid)."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, first_row: int = 1) -> pd.DataFrame:
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
        cases = errors.failure_cases
        # A type check that failed on a whole column repeats what the row-level cases say.
        cases = cases.drop_duplicates(subset=["column", "index"])
        messages = [_describe(case, first_row) for _, case in cases.iterrows()]
        more = len(messages) - MAX_REPORTED_FAILURES
        summary = "; ".join(messages[:MAX_REPORTED_FAILURES])
        suffix = f"; and {more} more" if more > 0 else ""
        raise DataError(f"{summary}{suffix}; fix the data or drop those rows") from None
    except SchemaError as error:
        raise DataError(f"{error}; fix the data") from None


def read_table(path: Path) -> pd.DataFrame:
    """Read a whole CSV or Parquet file.

    Args:
        path: a .csv or .parquet file.

    Returns:
        Its rows, unvalidated.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found; check the path")
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={ID_COLUMN: str})
    if path.suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise DataError(f"{path} is neither .csv nor .parquet; convert it to one of them")


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
