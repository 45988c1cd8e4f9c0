import math

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from mlprod.drift.effect import wasserstein_normed


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ([3.0, 3.0], 0.0),
        # One unit away: a distance of exactly 1, and infinitely many (zero) stds.
        ([4.0, 4.0, 4.0], math.inf),
        ([3.0, 5.0], math.inf),
    ],
)
def test_a_constant_reference_gives_zero_or_infinity(current, expected):
    assert wasserstein_normed(np.array([3.0, 3.0, 3.0]), np.array(current)) == expected


def test_ties_across_the_samples_match_scipy():
    rng = np.random.default_rng(5)
    reference = np.sort(rng.integers(0, 5, 300).astype(float))
    current = np.sort(rng.integers(1, 7, 200).astype(float))
    expected = wasserstein_distance(reference, current) / np.std(reference)
    assert wasserstein_normed(reference, current) == pytest.approx(expected, rel=1e-12)
