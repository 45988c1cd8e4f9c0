"""Errors raised on bad input. Entry points print them as one line and exit non-zero."""

from __future__ import annotations


class ProjectError(Exception):
    """A problem with the input, worded as the problem and how to fix it."""


class ConfigError(ProjectError):
    """params.yaml is missing, malformed, or holds a value out of range."""


class DataError(ProjectError):
    """A data file is unreadable or breaks the schema."""


class UsageError(DataError):
    """A command was given a file it cannot use (missing, not a regular file, malformed,
    too wide, or an output it must not overwrite): the command exits 2."""


class ModelError(ProjectError):
    """A model file is missing, or holds types that are not trusted."""


class GateError(ProjectError):
    """The model does not beat the baseline by the margin set in params.yaml."""
