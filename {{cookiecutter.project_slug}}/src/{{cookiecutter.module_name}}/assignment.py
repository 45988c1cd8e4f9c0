"""Deterministic assignment of customers to the variants of an A/B test.

The same rule as `mlprod ab assign` (with or without --weights), so that the pipeline's
example and a production service agree with the team's tool without depending on it: a
unit's bucket is the first 8 bytes of SHA-256 over `salt:unit_id`, read as an unsigned
big-endian integer, and the variants split [0, 2**64) into parts by their weights.
Python's hash() is salted per process and would not do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from fractions import Fraction

_SPACE_BITS = 64


def bucket(unit_id: str, salt: str) -> int:
    """Position of a unit in [0, 2**64) for one experiment."""
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def assign(unit_id: str, salt: str, variants: Sequence[str]) -> str:
    """The variant of one unit: the same in every process, on every machine."""
    # Integer arithmetic: the boundaries k * 2**64 / n are exact, so no unit can cross one.
    return variants[(bucket(unit_id, salt) * len(variants)) >> _SPACE_BITS]


def boundaries(weights: Sequence[float]) -> list[int]:
    """Upper bucket bound of each variant for these relative weights, as `mlprod ab assign
    --weights` computes them: exact fractions of 2**64, so float rounding moves no unit."""
    shares = [Fraction(str(weight)) for weight in weights]
    total, running, bounds = sum(shares), Fraction(0), []
    for share in shares:
        running += share
        # A unit is in the variant when bucket < bound; for a whole-number bucket that is
        # bucket < ceil(bound).
        bound = running / total * (1 << _SPACE_BITS)
        bounds.append(-(-bound.numerator // bound.denominator))
    return bounds


def assign_weighted(unit_id: str, variants: Sequence[str], bounds: Sequence[int], salt: str) -> str:
    """The variant of one unit under `boundaries(weights)`."""
    position = bucket(unit_id, salt)
    for variant, bound in zip(variants, bounds, strict=True):
        if position < bound:
            return variant
    return variants[-1]
