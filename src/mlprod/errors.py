"""The errors of mlprod's libraries. The command line prints any `UsageError` as one line and
exits 2; only the command line speaks of flags.
"""

from __future__ import annotations

import math


class UsageError(Exception):
    """Bad input from the user: printed as `mlprod <command>: error: <message>`, exit code 2."""


class InvalidData(UsageError):
    """A data file, or a value in it, cannot be used as given; the message names the file and
    the row or column."""


class InvalidParameter(UsageError):
    """A parameter of a library call is out of range.

    `name` is the parameter's Python name (`psi_threshold`); `problem` completes a sentence
    about it ("must be a finite number, got nan"). The command line shows the flag instead.
    """

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name.replace('_', ' ')} {problem}")


def require_finite(name: str, value: float | None) -> None:
    """Refuse NaN and infinities, which every comparison would silently let through."""
    if value is not None and not math.isfinite(value):
        raise InvalidParameter(name, f"must be a finite number, got {value}")


class Unreachable(UsageError):
    """A service the command needs could not be reached. Nothing was checked, so the command
    fails as on bad input (exit 2) rather than report a clean result; the message says how to
    do without the service."""
