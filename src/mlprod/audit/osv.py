"""OSV records (https://ossf.github.io/osv-schema/) read for one PyPI package at one version.

A record lists, per affected package, explicit `versions` and `ranges` of events. An
ECOSYSTEM range is evaluated as the schema specifies: walk its events in version order; an
`introduced` at or below the version opens it, a `fixed` at or below closes it, a
`last_affected` below closes it. Versions compare by PEP 440, as pip orders them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ECOSYSTEM = "PyPI"


class Verdict(Enum):
    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    # A range the version cannot be placed in (a version or a bound that is not PEP 440):
    # reported, never passed.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Advisory:
    """One record as it bears on one package: its id, aliases and fixed versions."""

    id: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


def package_entries(record: dict, key: str) -> Iterator[dict]:
    """The `affected[]` entries of `record` about the PyPI package whose normalised name is
    `key`."""
    for entry in record.get("affected") or ():
        package = entry.get("package") or {}
        if (
            package.get("ecosystem") == ECOSYSTEM
            and canonicalize_name(str(package.get("name", ""))) == key
        ):
            yield entry


def pypi_names(record: dict) -> set[str]:
    """Normalised names of the PyPI packages a record is about."""
    return {
        canonicalize_name(str(entry["package"]["name"]))
        for entry in record.get("affected") or ()
        if (entry.get("package") or {}).get("ecosystem") == ECOSYSTEM
        and entry["package"].get("name")
    }


def _parse(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict]) -> bool:
    """The schema's evaluation of one range; raises InvalidVersion on a non-PEP 440 bound."""
    # (bound, kind); bound None is the schema's introduced "0": before every release, even
    # 0.0.0a1, which Version("0") is not.
    bounds: list[tuple[Version | None, str]] = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                value = str(event[kind])
                first = kind == "introduced" and value == "0"
                bounds.append((None if first else Version(value), kind))
    bounds.sort(key=lambda item: (item[0] is not None, item[0] or Version("0")))
    affected = False
    for bound, kind in bounds:
        if kind == "introduced":
            if bound is None or version >= bound:
                affected = True
        # Only an introduced bound is ever None.
        elif version > bound if kind == "last_affected" else version >= bound:
            affected = False
    return affected


def verdict(entries: Iterable[dict], version: str) -> Verdict:
    """Whether `version` is affected according to the entries of one record."""
    parsed = _parse(version)
    unknown = False
    for entry in entries:
        listed = [str(item) for item in entry.get("versions") or ()]
        if version in listed or (parsed is not None and parsed in map(_parse, listed)):
            return Verdict.AFFECTED
        for spec in entry.get("ranges") or ():
            if spec.get("type") != "ECOSYSTEM":
                continue  # GIT ranges name commits, not releases
            if parsed is None:
                unknown = True
                continue
            try:
                if _in_range(parsed, spec.get("events") or []):
                    return Verdict.AFFECTED
            except InvalidVersion:
                unknown = True
    return Verdict.UNKNOWN if unknown else Verdict.UNAFFECTED


def fixed_versions(entries: Iterable[dict], version: str) -> tuple[str, ...]:
    """The `fixed` bounds above `version` (all of them when it is not PEP 440), oldest first."""
    parsed = _parse(version)
    found: set[str] = set()
    for entry in entries:
        for spec in entry.get("ranges") or ():
            if spec.get("type") != "ECOSYSTEM":
                continue
            for event in spec.get("events") or ():
                if "fixed" in event:
                    bound = _parse(str(event["fixed"]))
                    if parsed is None or bound is None or bound > parsed:
                        found.add(str(event["fixed"]))
    return tuple(sorted(found, key=lambda text: (_parse(text) is None, _parse(text) or text)))


def advisory(record: dict, key: str, version: str) -> Advisory:
    entries = list(package_entries(record, key))
    return Advisory(
        id=str(record["id"]),
        aliases=tuple(str(alias) for alias in record.get("aliases") or ()),
        fixed=fixed_versions(entries, version),
    )


def withdrawn(record: dict) -> bool:
    return bool(record.get("withdrawn"))
