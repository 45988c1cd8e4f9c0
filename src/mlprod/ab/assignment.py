"""Deterministic assignment of units to variants.

A unit's bucket is the first 8 bytes of SHA-256 over `salt:unit_id` (UTF-8), read as an
unsigned big-endian integer, so the same id lands in the same variant in every process, on
every platform and in every language that has SHA-256. Python's `hash()` is salted per
process and would not do. Weights are compared as exact fractions, so no float rounding can
move a unit across a boundary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from fractions import Fraction

from mlprod.errors import InvalidParameter

_SPACE = 1 << 64


def bucket(unit_id: str, salt: str) -> int:
    """Position of a unit in [0, 2**64) for one experiment."""
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def parse_weights(variants: Sequence[str], weights: Sequence[str | float] | None) -> list[Fraction]:
    if len(variants) < 2:
        raise InvalidParameter("variants", "needs at least two names, e.g. control treatment")
    if len(set(variants)) != len(variants):
        raise InvalidParameter("variants", "repeats a name; give each variant once")
    if weights is None:
        return [Fraction(1)] * len(variants)
    if len(weights) != len(variants):
        raise InvalidParameter(
            "weights", f"has {len(weights)} values for {len(variants)} variants; give one each"
        )
    try:
        parsed = [Fraction(str(weight)) for weight in weights]
    except (ValueError, ZeroDivisionError):
        raise InvalidParameter(
            "weights", f"{list(weights)} are not numbers; write e.g. 50 50"
        ) from None
    if any(weight < 0 for weight in parsed) or sum(parsed) == 0:
        raise InvalidParameter("weights", "must be non-negative and not all zero")
    return parsed


class Assigner:
    """Maps unit ids to variants for one experiment (salt, variants, weights)."""

    def __init__(
        self, salt: str, variants: Sequence[str], weights: Sequence[str | float] | None = None
    ) -> None:
        if not salt:
            raise InvalidParameter("salt", "is empty; use a name unique to the experiment")
        self.salt = salt
        self.variants = list(variants)
        fractions = parse_weights(self.variants, weights)
        total = sum(fractions)
        # Upper bucket boundary of each variant, scaled to the 64-bit space exactly.
        running = Fraction(0)
        self._bounds: list[Fraction] = []
        for weight in fractions:
            running += weight
            self._bounds.append(running / total * _SPACE)

    def assign(self, unit_id: str) -> str:
        position = bucket(str(unit_id), self.salt)
        for variant, bound in zip(self.variants, self._bounds, strict=True):
            if position < bound:
                return variant
        return self.variants[-1]

    def assign_many(self, unit_ids: Iterable[str]) -> list[tuple[str, str]]:
        return [(unit_id, self.assign(unit_id)) for unit_id in unit_ids]
