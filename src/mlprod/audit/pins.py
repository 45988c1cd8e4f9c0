"""What to audit: exact pins from a requirements file, or the distributions installed in the
running environment."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from mlprod.errors import InvalidData, UsageError

# pip's comment rule: `#` at the start of a line or after whitespace.
COMMENT = re.compile(r"(^|\s)#.*$")
# Per-requirement options (`--hash=...`) follow the requirement after whitespace.
OPTIONS = re.compile(r"\s+--?[a-zA-Z].*$")
EDITABLE = ("-e", "--editable")
NESTED = ("-r", "--requirement", "-c", "--constraint")
LOCK_HINT = "audit a lock: uv export --format requirements-txt, or pip freeze"


@dataclass(frozen=True)
class Pin:
    """One package at one version; `name` as written, `key` normalised (PEP 503)."""

    name: str
    version: str

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


@dataclass(frozen=True)
class Unaudited:
    """A dependency that is not a release of a package index, so no advisory can name it:
    an editable install, a local directory, a direct URL."""

    name: str
    origin: str


@dataclass(frozen=True)
class Inventory:
    pins: tuple[Pin, ...]
    unaudited: tuple[Unaudited, ...]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined and comments dropped."""
    lines: list[tuple[int, str]] = []
    start, parts = 0, []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not parts:
            start = number
        if raw.endswith("\\"):
            parts.append(raw[:-1])
            continue
        parts.append(raw)
        line = COMMENT.sub("", " ".join(parts)).strip()
        parts = []
        if line:
            lines.append((start, line))
    if parts:
        line = COMMENT.sub("", " ".join(parts)).strip()
        if line:
            lines.append((start, line))
    return lines


def from_requirements(path: Path) -> Inventory:
    """The `name==version` pins of a requirements file (hashes and markers allowed).

    Every pin is audited whatever its environment marker: a lock covers every platform it
    may be installed on.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist; pass a requirements file of exact pins") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory; pass a requirements file of exact pins") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} cannot be read ({error}); pass a requirements file") from None
    pins: dict[tuple[str, str], Pin] = {}
    unaudited: list[Unaudited] = []
    for number, line in _logical_lines(text):
        where = f"{path}:{number}"
        option = line.split(maxsplit=1)
        if option[0] in EDITABLE or option[0].startswith("--editable="):
            target = option[1] if len(option) > 1 else option[0].partition("=")[2]
            unaudited.append(Unaudited(target, "editable install"))
            continue
        if option[0] in NESTED or option[0].startswith(tuple(f"{flag}=" for flag in NESTED)):
            raise UsageError(
                f"{where}: nested requirement files are not followed; audit each file, "
                "or one lock (uv export --format requirements-txt)"
            )
        if line.startswith("-"):
            continue  # index options: --index-url, --find-links, --no-binary...
        requirement = _requirement(OPTIONS.sub("", line), where)
        if requirement.url:
            unaudited.append(Unaudited(requirement.name, requirement.url))
            continue
        pin = _exact_pin(requirement, where)
        pins.setdefault((pin.key, pin.version), pin)
    return Inventory(tuple(pins.values()), tuple(unaudited))


def _requirement(text: str, where: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        first_line = str(error).splitlines()[0]
        raise InvalidData(
            f"{where}: {text!r} is not a requirement ({first_line}); {LOCK_HINT}"
        ) from None


def _exact_pin(requirement: Requirement, where: str) -> Pin:
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1:
        (specifier,) = specifiers
        if specifier.operator in ("==", "===") and not specifier.version.endswith("*"):
            return Pin(requirement.name, specifier.version)
    found = str(requirement.specifier) or "no version"
    raise InvalidData(
        f"{where}: {requirement.name} is not pinned to one version ({found}); {LOCK_HINT}"
    )


def installed() -> Inventory:
    """The distributions importable by the running interpreter; where one name is installed
    twice, the one found first on sys.path, as `import` would."""
    seen: set[str] = set()
    pins: list[Pin] = []
    unaudited: list[Unaudited] = []
    for distribution in metadata.distributions():
        name = distribution.metadata.get("Name")
        if not name or canonicalize_name(name) in seen:
            continue
        seen.add(canonicalize_name(name))
        # PEP 610: only installs from a URL or a local path record where they came from.
        direct_url = distribution.read_text("direct_url.json")
        if direct_url:
            unaudited.append(Unaudited(name, _origin(direct_url)))
        else:
            pins.append(Pin(name, distribution.version))
    pins.sort(key=lambda pin: pin.key)
    unaudited.sort(key=lambda item: canonicalize_name(item.name))
    return Inventory(tuple(pins), tuple(unaudited))


def _origin(direct_url: str) -> str:
    try:
        record = json.loads(direct_url)
    except ValueError:
        return "a direct URL"
    url = record.get("url", "a direct URL") if isinstance(record, dict) else "a direct URL"
    if isinstance(record, dict) and record.get("dir_info", {}).get("editable"):
        return f"editable install of {url}"
    return str(url)
