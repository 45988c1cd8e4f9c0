"""`[tool.mlprod]` in the audited repository's pyproject.toml, validated once, here.

[tool.mlprod]
select = ["ALL"]                # codes or prefixes: "NB", "DATA001"
ignore = ["GIT004"]
max-file-size = "1MB"           # any tracked file above this belongs in DVC
max-data-file-size = "100kB"    # data formats (CSV, Parquet, ...) above this do too
max-scan-size = "10MB"          # bytes read per file when looking for secrets
[tool.mlprod.per-file-ignores]
"tests/fixtures/*" = ["SEC001"]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlprod.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_file_size: int = 1_000_000
    max_data_file_size: int = 100_000
    max_scan_size: int = 10_000_000


SIZE_KEYS = {
    "max-file-size": "max_file_size",
    "max-data-file-size": "max_data_file_size",
    "max-scan-size": "max_scan_size",
}
KNOWN_KEYS = ("select", "ignore", "per-file-ignores", *SIZE_KEYS)


def parse_size(text: object, key: str) -> int:
    """'1MB', '100kB', '2 MiB' or a plain number of bytes."""
    if isinstance(text, int) and not isinstance(text, bool) and text > 0:
        return text
    match = SIZE.fullmatch(text) if isinstance(text, str) else None
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in UNITS or float(match.group(1)) <= 0:
        raise UsageError(f'[tool.mlprod] {key} = {text!r} is not a size; write e.g. {key} = "1MB"')
    return int(float(match.group(1)) * UNITS[unit])


def code_list(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(
            f'[tool.mlprod] {key} must be a list of rule codes; write e.g. {key} = ["NB", "GIT004"]'
        )
    return tuple(value)


def load(root: Path) -> Settings:
    """Settings from `root/pyproject.toml`; defaults when it or its table is absent."""
    pyproject = root / "pyproject.toml"
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read {pyproject}: {error}; fix the file") from None
    tool = document.get("tool", {})
    table = tool.get("mlprod", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise UsageError("[tool.mlprod] in pyproject.toml must be a table; write [tool.mlprod]")
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise UsageError(
            f"unknown key '{unknown[0]}' in [tool.mlprod]; valid keys: {', '.join(KNOWN_KEYS)}"
        )
    values: dict[str, object] = {}
    for key in ("select", "ignore"):
        if key in table:
            values[key] = code_list(table[key], key)
    if "per-file-ignores" in table:
        globs = table["per-file-ignores"]
        if not isinstance(globs, dict):
            raise UsageError(
                '[tool.mlprod] per-file-ignores must be a table; write "glob" = ["SEC001"]'
            )
        values["per_file_ignores"] = {
            glob: code_list(codes, f'per-file-ignores."{glob}"') for glob, codes in globs.items()
        }
    for key, attribute in SIZE_KEYS.items():
        if key in table:
            values[attribute] = parse_size(table[key], key)
    return Settings(**values)
