from __future__ import annotations

from collections import Counter

import pytest
from mlprod.ab.assignment import Assigner

from {{ cookiecutter.module_name }}.assignment import assign, assign_weighted, boundaries, bucket


def test_the_same_unit_gets_the_same_variant_and_the_salt_reshuffles():
    ids = [f"C{n:07d}" for n in range(2000)]
    first = [assign(unit, "promo", ("a", "b")) for unit in ids]
    assert first == [assign(unit, "promo", ("a", "b")) for unit in ids]
    other = [assign(unit, "other-test", ("a", "b")) for unit in ids]
    assert 0.4 < sum(x != y for x, y in zip(first, other, strict=True)) / len(ids) < 0.6


def test_bucket_is_the_first_eight_bytes_of_sha256():
    # sha256(b"s:u") begins with b5aa2620005f8caf.
    assert bucket("u", "s") == 0xB5AA2620005F8CAF


def test_variants_get_equal_shares():
    counts = Counter(assign(f"C{n}", "promo", ("a", "b", "c")) for n in range(30_000))
    assert all(abs(count / 30_000 - 1 / 3) < 0.01 for count in counts.values())


@pytest.mark.parametrize("variants", [("control", "model"), ("a", "b", "c"), tuple("abcdefg")])
def test_it_agrees_with_mlprod_ab_assign(variants):
    # mlprod comes with the dev tools; the package itself does not need it.
    assigner = Assigner("weekly-promotion-targeting", variants)
    ids = [f"C{n:07d}" for n in range(20_000)]
    ours = [assign(unit, "weekly-promotion-targeting", variants) for unit in ids]
    assert ours == [assigner.assign(unit) for unit in ids]


@pytest.mark.parametrize("share", [0.5, 0.1, 0.37])
def test_the_weighted_split_of_serve_agrees_with_mlprod_on_100000_ids(share):
    # serve's champion/challenger split (champion_challenger.Models.variant) is this call.
    bounds = boundaries([1 - share, share])
    assigner = Assigner("exp-1", ["champion", "challenger"], [str(1 - share), str(share)])
    ids = [f"C{n:07d}" for n in range(100_000)]
    ours = [assign_weighted(unit, ("champion", "challenger"), bounds, "exp-1") for unit in ids]
    assert ours == [assigner.assign(unit) for unit in ids]
    assert abs(ours.count("challenger") / len(ids) - share) < 0.01
