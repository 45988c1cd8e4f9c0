"""The model should not be fragile: small changes to inputs must not swing its answers."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }} import data


def test_small_numeric_noise_flips_few_predictions(artifact, params):
    rows = data.make_sample(3000, seed=21)[list(data.FEATURE_NAMES)]
    rng = np.random.default_rng(0)
    noisy = rows.copy()
    for feature in data.FEATURES:
        if feature.kind == "integer":
            values = rows[feature.name].to_numpy(dtype=float)
            noise = rng.normal(0.0, params.robustness.numeric_noise, len(values))
            noisy[feature.name] = values * (1.0 + noise)
    labels, _ = artifact.score(rows)
    noisy_labels, _ = artifact.score(noisy)
    assert np.mean(labels != noisy_labels) <= params.robustness.max_flip_share


def test_column_order_does_not_matter(artifact, rows):
    shuffled = rows[list(reversed(rows.columns))]
    np.testing.assert_array_equal(artifact.score(rows)[1], artifact.score(shuffled)[1])


def test_degenerate_inputs_are_handled(artifact, rows):
    labels, probability = artifact.score(rows.head(0))
    assert labels.shape == probability.shape == (0,)
    single = artifact.score(rows.head(1))[1]
    assert single.shape == (1,)
    identical = artifact.score(rows.iloc[[0] * 50])[1]
    assert np.all(identical == identical[0])
    assert identical[0] == single[0]


def test_extreme_valid_values_give_probabilities(artifact):
    lowest = {
        f.name: [f.minimum if f.kind == "integer" else f.categories[0]] for f in data.FEATURES
    }
    highest = {
        f.name: [f.maximum if f.kind == "integer" else f.categories[-1]] for f in data.FEATURES
    }
    for row in (lowest, highest):
        labels, probability = artifact.score(row)
        assert 0.0 <= probability[0] <= 1.0 and labels[0] in (0, 1)
