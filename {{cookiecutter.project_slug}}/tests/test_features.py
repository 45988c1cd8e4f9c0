from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import schema
from {{ cookiecutter.module_name }}.features import feature_names, to_matrix
from {{ cookiecutter.module_name }}.schema import Feature, Flag, Kind


def test_matrix_has_one_named_column_per_encoded_value(sample):
    matrix = to_matrix(sample)
    names = feature_names()
    assert matrix.shape == (len(sample), len(names))
    assert matrix.dtype == np.float64
    assert "channel=promotion" in names and "is_weekend" in names


def rows_like(sample: pd.DataFrame, **columns: list) -> dict[str, list]:
    """Rows with the given columns set and the sample's values for every other feature, so
    that a feature added to the schema needs no edit here."""
    count = len(next(iter(columns.values())))
    head = sample.head(count)
    return {name: columns.get(name, head[name].tolist()) for name in schema.FEATURE_NAMES}


def test_categories_are_one_hot_and_weekend_is_flagged(sample):
    row = rows_like(
        sample, send_hour=[9], weekday=["Sat"], past_opens_30d=[3], channel=["promotion"]
    )
    encoded = dict(zip(feature_names(), to_matrix(row)[0], strict=True))
    assert encoded["weekday=Sat"] == 1.0 and encoded["weekday=Mon"] == 0.0
    assert encoded["channel=promotion"] == 1.0 and encoded["channel=newsletter"] == 0.0
    assert encoded["is_weekend"] == 1.0
    assert encoded["send_hour"] == 9.0 and encoded["past_opens_30d"] == 3.0


def test_column_order_and_extra_columns_do_not_change_the_matrix(sample):
    reordered = sample[list(reversed(sample.columns))].assign(extra=1)
    np.testing.assert_array_equal(to_matrix(sample), to_matrix(reordered))


def test_mapping_and_frame_give_the_same_matrix(sample):
    head = sample.head(5)
    mapping = {name: head[name].tolist() for name in schema.FEATURE_NAMES}
    np.testing.assert_array_equal(to_matrix(head), to_matrix(mapping))


def test_no_rows_give_an_empty_matrix(sample):
    assert to_matrix(sample.head(0)).shape == (0, len(feature_names()))


def test_an_unknown_category_encodes_as_zeros_from_a_frame_or_a_mapping(sample):
    rows = rows_like(sample, weekday=["Funday", "Sun"], channel=["promotion", "carrier pigeon"])
    names = feature_names()
    for matrix in (to_matrix(rows), to_matrix(pd.DataFrame(rows))):
        first, second = (dict(zip(names, row, strict=True)) for row in matrix)
        assert not any(first[name] for name in names if name.startswith("weekday="))
        assert first["is_weekend"] == 0.0 and first["channel=promotion"] == 1.0
        assert not any(second[name] for name in names if name.startswith("channel="))
        assert second["weekday=Sun"] == 1.0 and second["is_weekend"] == 1.0


def test_every_kind_encodes_and_a_flag_follows_its_source():
    plan = Feature("plan", Kind.CATEGORY, "plan", categories=("free", "paid", "team"))
    features = (
        Feature("visits", Kind.INTEGER, "site visits", 0, 100),
        Feature("discount", Kind.FLOAT, "share off the price", 0.0, 0.5),
        Feature("vip", Kind.BOOLEAN, "a VIP customer"),
        plan,
    )
    derived = (Flag("pays", plan, ("paid", "team")),)
    columns = {
        "visits": [3, 0],
        "discount": [0.25, 0.0],
        "vip": [True, False],
        "plan": ["team", "free"],
    }
    names = feature_names(features, derived)
    assert names == ["visits", "discount", "vip", "plan=free", "plan=paid", "plan=team", "pays"]
    matrix = to_matrix(columns, features, derived)
    assert matrix.tolist() == [[3, 0.25, 1, 0, 0, 1, 1], [0, 0, 0, 1, 0, 0, 0]]
    np.testing.assert_array_equal(matrix, to_matrix(pd.DataFrame(columns), features, derived))
