"""The model should not be fragile: small changes to inputs must not swing its answers."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }} import schema
from {{ cookiecutter.module_name }}.sample import make_sample
from {{ cookiecutter.module_name }}.schema import Feature, Kind


def test_small_numeric_noise_flips_few_predictions(artifact, params):
    rows = make_sample(3000, seed=21)[list(schema.FEATURE_NAMES)]
    rng = np.random.default_rng(0)
    noisy = rows.copy()
    for feature in schema.FEATURES:
        if feature.kind in (Kind.INTEGER, Kind.FLOAT):
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


def extreme(feature: Feature, highest: bool) -> object:
    """The lowest or highest value a feature may take."""
    if feature.kind is Kind.CATEGORY:
        return feature.categories[-1 if highest else 0]
    if feature.kind is Kind.BOOLEAN:
        return highest
    return feature.maximum if highest else feature.minimum


def test_extreme_valid_values_give_probabilities(artifact):
    for highest in (False, True):
        row = {f.name: [extreme(f, highest)] for f in schema.FEATURES}
        labels, probability = artifact.score(row)
        assert 0.0 <= probability[0] <= 1.0 and labels[0] in (0, 1)
