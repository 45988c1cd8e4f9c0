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


def test_an_empty_bin_counts_as_a_share_of_one_in_ten_thousand():
    # (a - e) * ln(a / e) per bin, the empty expected bin floored at 1e-4.
    expected = 2 * (0.4 - 0.5) * np.log(0.4 / 0.5) + (0.2 - 1e-4) * np.log(0.2 / 1e-4)
    assert psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(expected, rel=1e-12)
    assert psi([0.4, 0.4, 0.2], [0.5, 0.5, 0.0]) == pytest.approx(expected, rel=1e-12)


def test_small_reference_edges_are_its_minimum_then_numpy_quantiles():
    reference = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    quantiles = np.quantile(reference, np.linspace(0, 1, 11)[1:-1])
    assert quantile_edges(reference, 10).tolist() == pytest.approx([1.0, *quantiles])
    assert quantile_edges(reference, 4).tolist() == [1.0, 2.0, 4.0, 8.0]


def test_bins_are_closed_on_the_right():
    values = np.array([1.0, 2.0, 2.0, 3.0])
    assert bin_counts(values, np.array([2.0])).tolist() == [3, 1]
    assert bin_counts(values, np.array([1.0, 2.0])).tolist() == [1, 2, 1]
    assert bin_counts(values, np.array([0.5, 3.0])).tolist() == [0, 4, 0]


def test_numeric_psi_uses_ten_bins_and_a_bin_for_missing_values():
    reference = np.arange(100.0)
    current = reference + 7.5
    edges = quantile_edges(reference, 10)
    assert len(edges) == 10
    ten_bins = psi([*bin_counts(reference, edges), 0], [*bin_counts(current, edges), 0])
    assert numeric_psi(reference, current) == pytest.approx(ten_bins, rel=1e-12)
    with_missing = psi([*bin_counts(reference, edges), 5], [*bin_counts(current, edges), 20])
    assert numeric_psi(reference, current, missing_reference=5, missing_current=20) == (
        pytest.approx(with_missing, rel=1e-12)
    )
    assert with_missing != pytest.approx(ten_bins)
