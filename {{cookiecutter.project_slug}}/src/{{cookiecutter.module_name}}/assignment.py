"""Deterministic assignment of customers to the variants of an A/B test.

The same rule as `mlprod ab assign` with equal weights, so that the pipeline's example and a
production service agree with the team's tool without depending on it: a unit's bucket is
the first 8 bytes of SHA-256 over `salt:unit_id`, read as an unsigned big-endian integer,
and the variants split [0, 2**64) into equal parts. Python's hash() is salted per process
and would not do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_SPACE_BITS = 64


def bucket(unit_id: str, salt: str) -> int:
    """Position of a unit in [0, 2**64) for one experiment."""
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def assign(unit_id: str, salt: str, variants: Sequence[str]) -> str:
    """The variant of one unit: the same in every process, on every machine."""
    # Integer arithmetic: the boundaries k * 2**64 / n are exact, so no unit can cross one.
    return variants[(bucket(unit_id, salt) * len(variants)) >> _SPACE_BITS]
