"""The rule catalogue: one module per code prefix, each exposing `RULES`, instances of
`Rule` subclasses. The catalogue is data: `--list-rules`, the SARIF rule descriptions and
the README's rule table are all made from it."""

from __future__ import annotations

from types import ModuleType

from mlprod.check.rule import Rule
from mlprod.check.rules import code, data, docs, git, notebooks, secrets, template
from mlprod.errors import UsageError

MODULES: tuple[ModuleType, ...] = (git, notebooks, data, secrets, docs, code, template)
CATALOGUE: dict[str, Rule] = {rule.code: rule for module in MODULES for rule in module.RULES}
PREFIXES = tuple(dict.fromkeys(rule.code.rstrip("0123456789") for rule in CATALOGUE.values()))


def resolve(selectors: tuple[str, ...], source: str) -> set[str]:
    """Codes matched by selectors such as "ALL", "NB" or "DATA001", as ruff reads them."""
    codes: set[str] = set()
    for selector in selectors:
        wanted = selector.strip().upper()
        matched = {code for code in CATALOGUE if wanted == "ALL" or code.startswith(wanted)}
        if not wanted or not matched:
            raise UsageError(
                f"unknown rule code '{selector}' in {source}; "
                f"use ALL, a prefix ({', '.join(PREFIXES)}) or a code such as NB001"
            )
        codes |= matched
    return codes
