"""`--format text|json` output shared by `mlprod ab` and `mlprod drift`."""

from __future__ import annotations

import json
import math


def plain(value: object) -> object:
    """JSON-safe copy: numpy scalars become Python numbers, NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def dumps(value: object) -> str:
    return json.dumps(plain(value), indent=2, allow_nan=False)


def number(value: float | None, digits: int = 4) -> str:
    """Compact text rendering; `n/a` for values that do not exist (None, NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}g}"
