from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import data
from {{ cookiecutter.module_name }}.errors import DataError
from {{ cookiecutter.module_name }}.sample import make_sample
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN, TARGET, Feature, Kind


def test_sample_passes_the_training_schema():
    validated = data.validate(make_sample(300, seed=4), data.training_schema())
    assert validated["send_hour"].dtype == np.float64
    assert len(validated) == 300


def test_out_of_range_value_names_row_column_and_rule():
    frame = make_sample(10, seed=5)
    frame.loc[3, "send_hour"] = 25
    with pytest.raises(
        DataError, match=r"row 4, column 'send_hour': value 25(\.0)? fails in_range\(0, 23\)"
    ):
        data.validate(frame, data.training_schema())


def test_unknown_category_and_fraction_are_refused():
    frame = make_sample(10, seed=5)
    frame["weekday"] = frame["weekday"].astype(object)
    frame.loc[0, "weekday"] = "Caturday"
    frame["tenure_months"] = frame["tenure_months"].astype(float)
    frame.loc[1, "tenure_months"] = 2.5
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.training_schema())
    message = str(raised.value)
    assert "row 1, column 'weekday': value 'Caturday' fails isin" in message
    assert "row 2, column 'tenure_months': value 2.5 fails whole_number" in message


def test_text_in_a_number_column_and_empty_values_are_refused():
    frame = make_sample(10, seed=5)[list(FEATURE_NAMES)].astype(object)
    frame.loc[2, "past_opens_30d"] = "many"
    frame.loc[6, "channel"] = None
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.feature_schema())
    # One entry per bad value: the column's range check failing on the text is not repeated.
    assert str(raised.value) == (
        "row 3, column 'past_opens_30d': value 'many' is not a number; "
        "row 7, column 'channel': value is empty; fix the data or drop those rows"
    )


def test_missing_column_is_named():
    frame = make_sample(10, seed=5).drop(columns=["channel"])
    with pytest.raises(DataError, match="column 'channel' is missing"):
        data.validate(frame, data.feature_schema())


def test_duplicate_customer_and_bad_target_are_refused():
    frame = make_sample(10, seed=5)
    frame.loc[1, ID_COLUMN] = frame.loc[0, ID_COLUMN]
    frame.loc[2, TARGET] = 2
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.training_schema())
    assert "column 'customer_id'" in str(raised.value)
    assert "row 3, column 'opened': value 2 fails isin" in str(raised.value)


def test_message_lists_a_few_failures_and_counts_the_rest():
    frame = make_sample(20, seed=5)
    frame["send_hour"] = 99
    with pytest.raises(DataError, match="and 15 more"):
        data.validate(frame, data.feature_schema())


@pytest.mark.parametrize(("rows", "suffix"), [(5, ""), (6, "; and 1 more")])
def test_five_failures_are_listed_and_a_sixth_is_counted(rows, suffix):
    frame = make_sample(rows, seed=5)
    frame["send_hour"] = 99
    listed = "; ".join(f"row {row}, column 'send_hour': value 99.0 fails in_range(0, 23)"
                       for row in range(1, 6))  # fmt: skip
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.feature_schema())
    assert str(raised.value) == f"{listed}{suffix}; fix the data or drop those rows"


def test_extra_columns_and_column_order_are_accepted():
    frame = make_sample(20, seed=5)
    shuffled = frame[list(reversed(frame.columns))].assign(note="x")
    assert len(data.validate(shuffled, data.training_schema())) == 20


def test_labelled_rows_get_text_ids_and_integer_targets():
    frame = make_sample(10, seed=5)
    frame[ID_COLUMN] = range(101, 111)  # numeric ids in a CSV are read as integers
    frame[TARGET] = frame[TARGET].astype(float)  # and a target column with a gap as floats
    validated = data.validate(frame, data.training_schema())
    assert validated[ID_COLUMN].tolist() == [str(number) for number in range(101, 111)]
    assert validated[TARGET].dtype == np.int64
    assert validated[TARGET].tolist() == frame[TARGET].astype(int).tolist()


def test_a_target_that_is_no_number_says_what_is_expected():
    frame = make_sample(3, seed=5).astype({TARGET: object})
    frame.loc[1, TARGET] = "yes"
    with pytest.raises(DataError, match=r"row 2, column 'opened': value 'yes' is not 0 or 1"):
        data.validate(frame, data.training_schema())


def test_split_keeps_the_share_of_opens_and_is_repeatable(params):
    frame = data.validate(make_sample(2000, seed=6), data.training_schema())
    train, test = data.split(frame, test_share=0.2, seed=0)
    assert len(test) == 400 and len(train) == 1600
    assert abs(train[TARGET].mean() - test[TARGET].mean()) < 0.01
    assert set(train[ID_COLUMN]).isdisjoint(test[ID_COLUMN])
    # Fresh indexes and the same columns: no stray "index" column reaches the model.
    assert list(train.columns) == list(test.columns) == list(frame.columns)
    assert train.index.tolist() == list(range(1600)) and test.index.tolist() == list(range(400))
    same_seed, _ = data.split(frame, test_share=0.2, seed=0)
    other_seed, _ = data.split(frame, test_share=0.2, seed=1)
    assert same_seed[ID_COLUMN].tolist() == train[ID_COLUMN].tolist()
    assert other_seed[ID_COLUMN].tolist() != train[ID_COLUMN].tolist()


FLAGGED = (
    Feature("discount", Kind.FLOAT, "share off the price", 0.0, 0.5),
    Feature("vip", Kind.BOOLEAN, "a VIP customer"),
)


def test_floats_and_booleans_are_checked_by_their_kind():
    good = pd.DataFrame({"discount": [0.0, 0.125, 0.5], "vip": [True, False, True]})
    validated = data.validate(good, data.feature_schema(FLAGGED))
    assert validated["discount"].tolist() == [0.0, 0.125, 0.5]
    assert validated["vip"].tolist() == [1.0, 0.0, 1.0]
    bad = pd.DataFrame({"discount": [0.75, np.inf, 0.1], "vip": [1, 0, 2]})
    with pytest.raises(DataError) as raised:
        data.validate(bad, data.feature_schema(FLAGGED))
    message = str(raised.value)
    assert "row 1, column 'discount': value 0.75 fails in_range(0.0, 0.5)" in message
    assert "row 2, column 'discount'" in message
    assert "row 3, column 'vip': value 2" in message and "isin" in message


def test_a_bound_on_one_side_is_checked_on_that_side():
    features = (
        Feature("age", Kind.INTEGER, "years", minimum=0),
        Feature("debt", Kind.FLOAT, "owed", maximum=100.0),
    )
    good = pd.DataFrame({"age": [0, 130], "debt": [-5.0, 100.0]})
    assert data.validate(good, data.feature_schema(features))["age"].tolist() == [0.0, 130.0]
    bad = pd.DataFrame({"age": [-1], "debt": [100.5]})
    with pytest.raises(DataError) as raised:
        data.validate(bad, data.feature_schema(features))
    assert str(raised.value) == (
        "row 1, column 'age': value -1.0 fails greater_than_or_equal_to(0); "
        "row 1, column 'debt': value 100.5 fails less_than_or_equal_to(100.0); "
        "fix the data or drop those rows"
    )


def test_numbers_and_codes_are_converted_to_the_column_type():
    features = (
        Feature("score", Kind.FLOAT, "a score"),
        Feature("plan", Kind.CATEGORY, "plan code", categories=("10", "20")),
    )
    # A CSV reader gives whole numbers for both: 3 is a valid float, 10 the code "10".
    validated = data.validate(
        pd.DataFrame({"score": [3, 0], "plan": [10, 20]}), data.feature_schema(features)
    )
    assert validated["score"].dtype == np.float64
    assert validated["plan"].tolist() == ["10", "20"]
    for score, reason in (
        ("high", "value 'high' is not a number"),
        (np.inf, "value inf fails finite"),
    ):
        frame = pd.DataFrame({"score": [score], "plan": ["10"]})
        with pytest.raises(DataError) as raised:
            data.validate(frame, data.feature_schema(features))
        assert str(raised.value) == (
            f"row 1, column 'score': {reason}; fix the data or drop those rows"
        )


def test_text_in_a_boolean_column_is_named_with_what_is_expected():
    frame = pd.DataFrame({"discount": [0.1], "vip": ["maybe"]})
    with pytest.raises(
        DataError, match="row 1, column 'vip': value 'maybe' is not true/false or 1/0"
    ):
        data.validate(frame, data.feature_schema(FLAGGED))
