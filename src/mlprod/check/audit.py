"""Run the enabled rules over one repository and collect their findings."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mlprod.check.config import Settings
from mlprod.check.repo import IndexEntry, Repository
from mlprod.check.rule import Finding, Rule
from mlprod.check.rules import CATALOGUE
from mlprod.check.rules.git import not_a_repository

SETUP_TARGET = re.compile(rb"^setup\s*:", re.MULTILINE)


class Audit:
    """What the rules see: the repository, the settings, the entries in scope (the files a
    hook is passed, or all), and lookups that several rules share, made once."""

    def __init__(self, repo: Repository, settings: Settings, files: list[str] | None) -> None:
        self.repo = repo
        self.settings = settings
        self.files = files
        self._setup: bool | None = None
        self.shared: dict[str, object] = {}

    @property
    def entries(self) -> dict[str, IndexEntry]:
        """Every entry of the index, for the rules about the repository as a whole."""
        return self.repo.entries()

    @property
    def scope(self) -> dict[str, IndexEntry]:
        """The entries per-file rules look at: the files passed, or every entry."""
        return self.repo.entries(self.files)

    def tracked(self, path: str) -> bool:
        """Whether the index holds `path`, or files under it when it is a folder (one that
        a sparse checkout left out of the work tree, say)."""
        if self.repo.entries([path]):
            return True
        # Once the whole index is listed, a lookup by path finds files only.
        folder = path.rstrip("/") + "/"
        return any(entry.startswith(folder) for entry in self.entries)

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
    # Tracked paths that could not be read, with the reason: the rules did not see them.
    notes: list[tuple[str, str]]


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


def overrides(rule: Rule, method: str) -> bool:
    return getattr(type(rule), method) is not getattr(Rule, method)


def run(
    path: Path,
    repo: Repository | None,
    settings: Settings,
    selection: Selection,
    files: list[str] | None = None,
) -> Result:
    """Findings of the selected rules, sorted by path then code, without duplicates.

    Repository rules run once; per-file rules see the entries in scope.
    """
    if repo is None:
        return Result(keep([not_a_repository(path)], selection), 0, [])
    audit = Audit(repo, settings, files)
    rules = [rule for code, rule in CATALOGUE.items() if code in selection.enabled]
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(audit))
    per_entry = [rule for rule in rules if overrides(rule, "check_entry")]
    for entry in audit.scope.values():
        for rule in per_entry:
            findings.extend(rule.check_entry(audit, entry))
    findings.extend(scan(audit, [rule for rule in rules if overrides(rule, "check_content")]))
    return Result(keep(findings, selection), len(audit.scope), sorted(repo.unread.items()))


def scan(audit: Audit, readers: list[Rule]) -> Iterator[Finding]:
    """Hand each blob some rule reads to every rule that reads it, reading it once.

    Blobs up to max-scan-size stream whole through one git process; of a larger one only
    the first max-scan-size bytes are read, and the rules are told it is incomplete.
    """
    wanted: dict[IndexEntry, list[Rule]] = {}
    for entry in audit.scope.values():
        if entry.is_file and entry.size >= 0:
            interested = [rule for rule in readers if rule.reads(entry)]
            if interested:
                wanted[entry] = interested
    limit = audit.settings.max_scan_size
    for entry, data in audit.repo.blobs(e for e in wanted if e.size <= limit):
        for rule in wanted[entry]:
            yield from rule.check_content(audit, entry, data, True)
    for entry in wanted:
        if entry.size > limit:
            data = audit.repo.head(entry, limit)
            for rule in wanted[entry]:
                yield from rule.check_content(audit, entry, data, False)


def keep(findings: Iterable[Finding], selection: Selection) -> list[Finding]:
    kept = {finding for finding in findings if selection.keeps(finding)}
    return sorted(kept, key=lambda f: (f.path, f.code, f.message))
