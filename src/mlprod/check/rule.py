"""The one interface every rule implements, and the findings rules produce."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from mlprod.check.audit import Audit
    from mlprod.check.repo import IndexEntry

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one path, with the action that removes it."""

    code: str
    severity: Severity
    path: str
    message: str
    fix: str
    line: int | None = None  # 1-based, where the problem sits on one line of the file

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }


class Rule:
    """A rule: its catalogue entry as class attributes, and up to three ways to check.

    - `check(audit)`: the repository as a whole; runs once per audit.
    - `check_entry(audit, entry)`: each index entry in scope (path, mode, size), without
      reading it. In a hook, the scope is the files being committed.
    - `reads(entry)` and `check_content(audit, entry, data, complete)`: the contents of the
      entries in scope that the rule reads. The audit reads each blob once, in one batch,
      for every rule that wants it; `complete` is False when only the first max-scan-size
      bytes were read.

    The code is a contract: never reuse one. `fix` says in general terms what removes a
    finding; each finding carries the exact command or edit for its path.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    fix: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        missing = [
            key for key in ("code", "name", "severity", "summary", "fix") if key not in vars(cls)
        ]
        if missing:
            raise TypeError(f"rule {cls.__name__} lacks {', '.join(missing)}")

    def check(self, audit: Audit) -> Iterator[Finding]:
        return iter(())

    def check_entry(self, audit: Audit, entry: IndexEntry) -> Iterator[Finding]:
        return iter(())

    def reads(self, entry: IndexEntry) -> bool:
        return False

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        return iter(())

    def finding(self, path: str, message: str, fix: str, line: int | None = None) -> Finding:
        return Finding(self.code, self.severity, path, message, fix, line)
