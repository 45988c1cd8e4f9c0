import numpy as np
import pytest

from mlprod.drift.psi import bin_counts, numeric_psi, psi, quantile_edges


def test_known_answer():
    assert psi([0.4, 0.3, 0.3], [0.35, 0.25, 0.4]) == pytest.approx(0.04456, abs=5e-6)


def test_counts_are_normalised_like_shares():
    assert psi([40, 30, 30], [35, 25, 40]) == pytest.approx(psi([0.4, 0.3, 0.3], [0.35, 0.25, 0.4]))


def test_identical_distributions_have_zero_psi():
    values = np.sort(np.random.default_rng(0).normal(size=1000))
    assert numeric_psi(values, values) == 0


def test_bins_hold_equal_shares_of_the_reference():
    values = np.sort(np.random.default_rng(1).normal(size=10_000))
    counts = bin_counts(values, quantile_edges(values, 10))
    assert counts[1:] == pytest.approx([1000] * 10, abs=2)


def test_constant_reference_gets_two_bins_and_sees_any_change():
    constant = np.full(500, 3.0)
    assert len(quantile_edges(constant, 10)) == 1
    assert numeric_psi(constant, constant + 1) > 1


def test_empty_bin_on_one_side_is_finite():
    assert np.isfinite(psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]))


def test_edges_are_numpy_quantiles():
    values = np.sort(np.random.default_rng(2).exponential(size=1001))
    expected = np.quantile(values, np.linspace(0, 1, 11)[1:-1])
    assert quantile_edges(values, 10)[1:] == pytest.approx(expected)
