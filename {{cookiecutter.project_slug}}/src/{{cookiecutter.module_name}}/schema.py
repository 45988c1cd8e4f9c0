"""The data's description, in one place: every input column of the model and its rules.

To add, remove or rename a feature, edit FEATURES (and DERIVED where it names that feature);
validation, the model's input matrix, the HTTP API, drift monitoring and the schema saved
with the model are all derived from it. This module imports nothing heavy, so reading the
parameters (config.py) stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

# Re-exported for the modules that handle each Kind: a Kind added here and not handled
# there fails type checking, and raises at run time, instead of being taken for another.
{%- if cookiecutter.python_version == "3.10" %}
from typing_extensions import assert_never as assert_never  # typing has it from 3.11
{%- else %}
from typing import assert_never as assert_never
{%- endif %}


class Kind(Enum):
    """What a column holds, and so how it is checked, encoded and sent over HTTP."""

    INTEGER = "integer"  # whole numbers within [minimum, maximum]
    FLOAT = "float"  # finite numbers within [minimum, maximum]
    BOOLEAN = "boolean"  # true/false (1/0 in files)
    CATEGORY = "category"  # one of `categories`; an unknown value encodes as all zeros


@dataclass(frozen=True)
class Feature:
    """One input column of the model and the values it may take."""

    name: str
    kind: Kind
    description: str
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.kind is Kind.CATEGORY) != bool(self.categories):
            raise ValueError(f"feature {self.name}: categories go with Kind.CATEGORY only")

    def describe(self) -> dict[str, Any]:
        """The feature as JSON: saved with the model and shown by GET /metadata."""
        described: dict[str, Any] = {"name": self.name, "kind": self.kind.value}
        if self.minimum is not None:
            described["minimum"] = self.minimum
        if self.maximum is not None:
            described["maximum"] = self.maximum
        if self.categories:
            described["categories"] = list(self.categories)
        described["description"] = self.description
        return described


@dataclass(frozen=True)
class Flag:
    """A derived model input: 1 when `source` takes one of `values`, else 0."""

    name: str
    source: Feature
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = set(self.values) - set(self.source.categories)
        if unknown:
            raise ValueError(
                f"flag {self.name}: {sorted(unknown)} are not {self.source.name} values"
            )

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source.name, "values": list(self.values)}


ID_COLUMN = "customer_id"
TARGET = "opened"

WEEKDAY = Feature(
    "weekday",
    Kind.CATEGORY,
    "day of week the email is sent",
    categories=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
)
FEATURES = (
    Feature("send_hour", Kind.INTEGER, "hour of day the email is sent", 0, 23),
    WEEKDAY,
    Feature("tenure_months", Kind.INTEGER, "months since the customer signed up", 0, 600),
    Feature(
        "past_opens_30d", Kind.INTEGER, "emails the customer opened in the last 30 days", 0, 1000
    ),
    Feature(
        "channel",
        Kind.CATEGORY,
        "kind of email",
        categories=("newsletter", "promotion", "transactional"),
    ),
)
DERIVED = (Flag("is_weekend", WEEKDAY, ("Sat", "Sun")),)

FEATURE_NAMES = tuple(feature.name for feature in FEATURES)


def input_schema() -> dict[str, Any]:
    """What a model trained now expects: saved with it, compared when it is loaded."""
    return {
        "features": [feature.describe() for feature in FEATURES],
        "derived": [flag.describe() for flag in DERIVED],
    }
