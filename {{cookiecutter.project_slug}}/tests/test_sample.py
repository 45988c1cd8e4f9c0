from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.sample import CHANNELS, WEEKDAYS, make_sample
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN, TARGET, Feature, Kind


def test_sample_is_deterministic_and_varies_with_the_seed():
    first = make_sample(500, seed=1)
    pd.testing.assert_frame_equal(first, make_sample(500, seed=1))
    assert not first.equals(make_sample(500, seed=2))


def test_sample_tells_the_email_story():
    sample = make_sample(5000, seed=3)
    assert list(sample.columns) == [ID_COLUMN, *FEATURE_NAMES, TARGET]
    assert sample[ID_COLUMN].is_unique
    assert 0.15 < sample[TARGET].mean() < 0.6
    assert set(sample["channel"]) == set(CHANNELS)
    assert set(sample["weekday"]) == set(WEEKDAYS)
    # Past engagement predicts opening; nights are worse than mornings.
    engaged = sample["past_opens_30d"] > sample["past_opens_30d"].median()
    assert sample.loc[engaged, TARGET].mean() > sample.loc[~engaged, TARGET].mean()
    night = sample["send_hour"] < 6
    morning = sample["send_hour"].between(8, 10)
    assert sample.loc[morning, TARGET].mean() > sample.loc[night, TARGET].mean()


def test_a_feature_the_story_does_not_know_is_drawn_within_its_values(monkeypatch):
    from {{ cookiecutter.module_name }} import sample

    before = make_sample(400, seed=5)
    added = (
        Feature("discount", Kind.FLOAT, "share off the price", 0.0, 0.5),
        Feature("vip", Kind.BOOLEAN, "a VIP customer"),
        Feature("visits", Kind.INTEGER, "site visits", 1, 3),
        Feature("plan", Kind.CATEGORY, "plan", categories=("free", "paid")),
    )
    monkeypatch.setattr(sample, "FEATURES", (*sample.FEATURES, *added))
    after = make_sample(400, seed=5)
    assert after["discount"].between(0.0, 0.5).all() and after["discount"].nunique() > 300
    assert set(after["vip"]) == {True, False}
    assert set(after["visits"]) == {1, 2, 3}
    assert set(after["plan"]) == {"free", "paid"}
    # The story's columns and the target do not move when a feature is added.
    pd.testing.assert_frame_equal(after[before.columns], before)
    assert np.issubdtype(after["visits"].dtype, np.integer)
