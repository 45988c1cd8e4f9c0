"""Read DVC's config file (`.dvc/config`, configobj syntax) without importing DVC."""

from __future__ import annotations

import re

SECTION = re.compile(
    r"""^\s*\[\s*['"]?(?P<kind>[\w-]+)(?:\s+\\?"(?P<name>[^"\\]*)\\?")?['"]?\s*\]\s*$"""
)
ENTRY = re.compile(r"^\s*(?P<key>[\w.-]+)\s*=\s*(?P<value>.*?)\s*$")
CORE = ("core", "")


def parse(text: str) -> dict[tuple[str, str], dict[str, tuple[str, int]]]:
    """Sections as (kind, name), e.g. ('remote', 'storage'), to {key: (value, line)}.

    Lines that are neither a section header nor `key = value` are skipped: a config that
    DVC itself would reject is still searched for credentials.
    """
    sections: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
    current: dict[str, tuple[str, int]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        # Blank lines and comments (`#`, `;`) match neither a header nor `key = value`.
        stripped = line.strip()
        header = SECTION.match(line)
        if header:
            current = sections.setdefault((header["kind"], header["name"] or ""), {})
            continue
        if stripped.startswith("["):
            # A header this parser cannot split still gets its own section, named as written,
            # so that its keys neither leak into the previous section nor escape SEC003.
            current = sections.setdefault((stripped.strip("[]"), ""), {})
            continue
        entry = ENTRY.match(line)
        if entry and current is not None:
            current[entry["key"].lower()] = (entry["value"].strip("'\""), number)
    return sections


def default_remote(sections: dict[tuple[str, str], dict[str, tuple[str, int]]]) -> str:
    return sections.get(CORE, {}).get("remote", ("", 0))[0]
