"""Rules and the findings they produce."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A stable code (a contract: never reuse one), its severity and what it looks for."""

    code: str
    severity: str
    summary: str

    def finding(self, path: str, message: str, fix: str) -> Finding:
        return Finding(self.code, self.severity, path, message, fix)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one path, with the action that removes it."""

    code: str
    severity: str
    path: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
        }
