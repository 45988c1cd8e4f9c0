from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import data
from {{ cookiecutter.module_name }}.errors import DataError


def test_sample_is_deterministic_and_varies_with_the_seed():
    first = data.make_sample(500, seed=1)
    pd.testing.assert_frame_equal(first, data.make_sample(500, seed=1))
    assert not first.equals(data.make_sample(500, seed=2))


def test_sample_tells_the_email_story():
    sample = data.make_sample(5000, seed=3)
    assert list(sample.columns) == [data.ID_COLUMN, *data.FEATURE_NAMES, data.TARGET]
    assert sample[data.ID_COLUMN].is_unique
    assert 0.15 < sample[data.TARGET].mean() < 0.6
    assert set(sample["channel"]) == set(data.CHANNELS)
    assert set(sample["weekday"]) == set(data.WEEKDAYS)
    # Past engagement predicts opening; nights are worse than mornings.
    engaged = sample["past_opens_30d"] > sample["past_opens_30d"].median()
    assert sample.loc[engaged, data.TARGET].mean() > sample.loc[~engaged, data.TARGET].mean()
    night = sample["send_hour"] < 6
    morning = sample["send_hour"].between(8, 10)
    assert sample.loc[morning, data.TARGET].mean() > sample.loc[night, data.TARGET].mean()


def test_sample_passes_the_training_schema():
    validated = data.validate(data.make_sample(300, seed=4), data.training_schema())
    assert validated["send_hour"].dtype == np.float64
    assert len(validated) == 300


def test_out_of_range_value_names_row_column_and_rule():
    frame = data.make_sample(10, seed=5)
    frame.loc[3, "send_hour"] = 25
    with pytest.raises(
        DataError, match=r"row 4, column 'send_hour': value 25(\.0)? fails in_range\(0, 23\)"
    ):
        data.validate(frame, data.training_schema())


def test_unknown_category_and_fraction_are_refused():
    frame = data.make_sample(10, seed=5)
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
    frame = data.make_sample(10, seed=5)[list(data.FEATURE_NAMES)].astype(object)
    frame.loc[2, "past_opens_30d"] = "many"
    frame.loc[6, "channel"] = None
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.feature_schema())
    message = str(raised.value)
    assert "row 3, column 'past_opens_30d': value 'many' is not a number" in message
    assert "row 7, column 'channel'" in message


def test_missing_column_is_named():
    frame = data.make_sample(10, seed=5).drop(columns=["channel"])
    with pytest.raises(DataError, match="column 'channel' is missing"):
        data.validate(frame, data.feature_schema())


def test_duplicate_customer_and_bad_target_are_refused():
    frame = data.make_sample(10, seed=5)
    frame.loc[1, data.ID_COLUMN] = frame.loc[0, data.ID_COLUMN]
    frame.loc[2, data.TARGET] = 2
    with pytest.raises(DataError) as raised:
        data.validate(frame, data.training_schema())
    assert "column 'customer_id'" in str(raised.value)
    assert "row 3, column 'opened': value 2 fails isin" in str(raised.value)


def test_message_lists_a_few_failures_and_counts_the_rest():
    frame = data.make_sample(20, seed=5)
    frame["send_hour"] = 99
    with pytest.raises(DataError, match="and 15 more"):
        data.validate(frame, data.feature_schema())


def test_extra_columns_and_column_order_are_accepted():
    frame = data.make_sample(20, seed=5)
    shuffled = frame[list(reversed(frame.columns))].assign(note="x")
    assert len(data.validate(shuffled, data.training_schema())) == 20


def test_split_keeps_the_share_of_opens(params):
    frame = data.validate(data.make_sample(2000, seed=6), data.training_schema())
    train, test = data.split(frame, test_share=0.25, seed=0)
    assert len(test) == 500 and len(train) == 1500
    assert abs(train[data.TARGET].mean() - test[data.TARGET].mean()) < 0.01
    assert set(train[data.ID_COLUMN]).isdisjoint(test[data.ID_COLUMN])


def test_read_table_reads_csv_and_parquet_and_refuses_others(tmp_path):
    frame = data.make_sample(20, seed=5)
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    assert (
        data.read_table(tmp_path / "a.csv")[data.ID_COLUMN].tolist()
        == frame[data.ID_COLUMN].tolist()
    )
    assert len(data.read_table(tmp_path / "a.parquet")) == 20
    (tmp_path / "a.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match="neither .csv nor .parquet"):
        data.read_table(tmp_path / "a.xlsx")
    with pytest.raises(DataError, match="not found"):
        data.read_table(tmp_path / "missing.csv")
