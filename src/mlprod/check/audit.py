"""Run the enabled rules over one repository and collect their findings."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mlprod.check.config import Settings
from mlprod.check.finding import Finding
from mlprod.check.repo import IndexEntry, Repository
from mlprod.check.rules import MODULES
from mlprod.check.rules.git import not_a_repository

SETUP_TARGET = re.compile(rb"^setup\s*:", re.MULTILINE)


class Audit:
    """What the rules see: the repository, the settings, and a few shared lookups."""

    def __init__(self, repo: Repository, settings: Settings) -> None:
        self.repo = repo
        self.settings = settings
        self._setup: bool | None = None

    @property
    def entries(self) -> dict[str, IndexEntry]:
        return self.repo.entries()

    def tracked(self, path: str) -> bool:
        return path in self.entries

    def text(self, path: str) -> str | None:
        data = self.repo.read(path)
        return None if data is None else data.decode("utf-8", "replace")

    def per_clone_fix(self, command: str) -> str:
        """How a clone gets its local setup: `make setup` where the project has that target."""
        if self._setup is None:
            makefile = self.repo.read("Makefile")
            self._setup = makefile is not None and bool(SETUP_TARGET.search(makefile))
        return "run make setup" if self._setup else f"run {command}"


@dataclass(frozen=True)
class Result:
    findings: list[Finding]
    files: int


@dataclass(frozen=True)
class Selection:
    """Enabled codes, and (glob, codes) pairs of per-file ignores."""

    enabled: set[str]
    file_ignores: list[tuple[str, set[str]]]

    def keeps(self, finding: Finding) -> bool:
        return finding.code in self.enabled and not any(
            finding.code in codes and fnmatch.fnmatchcase(finding.path, glob)
            for glob, codes in self.file_ignores
        )


def run(path: Path, repo: Repository | None, settings: Settings, selection: Selection) -> Result:
    """Findings of the selected rules, sorted by path then code, without duplicates."""
    if repo is None:
        return Result(keep([not_a_repository(path)], selection), 0)
    audit = Audit(repo, settings)
    modules = [m for m in MODULES if selection.enabled & {rule.code for rule in m.RULES}]
    findings: list[Finding] = []
    for module in modules:
        if hasattr(module, "check"):
            findings.extend(module.check(audit))
    findings.extend(scan_files(audit, [m for m in modules if hasattr(m, "check_file")]))
    return Result(keep(findings, selection), len(audit.entries))


def scan_files(audit: Audit, readers: list[ModuleType]) -> Iterator[Finding]:
    """Hand each blob some rule wants to every rule that wants it, reading it once.

    Blobs up to max-scan-size stream whole through one git process; of a larger one only
    the first max-scan-size bytes are read, and the rules are told it is incomplete.
    """
    wanted: dict[IndexEntry, list[ModuleType]] = {}
    for entry in audit.entries.values():
        if entry.is_file and entry.size >= 0:
            interested = [m for m in readers if m.wants(entry)]
            if interested:
                wanted[entry] = interested
    limit = audit.settings.max_scan_size
    for entry, data in audit.repo.blobs(e for e in wanted if e.size <= limit):
        for module in wanted[entry]:
            yield from module.check_file(audit, entry, data, True)
    for entry in wanted:
        if entry.size > limit:
            data = audit.repo.head(entry, limit)
            for module in wanted[entry]:
                yield from module.check_file(audit, entry, data, False)


def keep(findings: Iterable[Finding], selection: Selection) -> list[Finding]:
    kept = {finding for finding in findings if selection.keeps(finding)}
    return sorted(kept, key=lambda f: (f.path, f.code, f.message))
