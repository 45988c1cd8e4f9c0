"""The synthetic sample the pipeline starts from, until real data replaces it (see README).

make_sample writes the columns of its story under their names in schema.FEATURES; a feature
the story does not know (one just added) is drawn at random within its declared values, so
the pipeline runs after any edit of FEATURES. Rename a feature here too to keep its signal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.schema import FEATURES, ID_COLUMN, TARGET, Feature, Kind, assert_never

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANNELS = ("newsletter", "promotion", "transactional")


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
        One row per customer: customer_id, the story's columns, a random column for each
        other feature in FEATURES, and the target `opened`.
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
    story = {
        "send_hour": send_hour.astype("int64"),
        "weekday": weekday,
        "tenure_months": tenure,
        "past_opens_30d": past_opens.astype("int64"),
        "channel": channel,
    }
    # Drawn after the story, so that adding a feature leaves the story's columns unchanged.
    others = {f.name: _draw(f, rows, rng) for f in FEATURES if f.name not in story}
    return pd.DataFrame(
        {
            ID_COLUMN: [f"C{index:07d}" for index in range(1, rows + 1)],
            **story,
            **others,
            TARGET: (opened ^ flipped).astype("int64"),
        }
    )


def _draw(feature: Feature, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Values spread evenly over what a feature allows: a column with no signal."""
    low = 0.0 if feature.minimum is None else feature.minimum
    high = low + 100.0 if feature.maximum is None else feature.maximum
    match feature.kind:
        case Kind.INTEGER:
            return rng.integers(int(low), int(high), rows, endpoint=True)
        case Kind.FLOAT:
            return rng.uniform(low, high, rows)
        case Kind.BOOLEAN:
            return rng.random(rows) < 0.5
        case Kind.CATEGORY:
            return rng.choice(np.array(feature.categories), rows)
        case _:
            assert_never(feature.kind)
