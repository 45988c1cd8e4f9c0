"""`mlprod check [PATH]`: the command line of the audit, modelled on ruff's."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlprod.check import audit, config, report
from mlprod.check.repo import Repository
from mlprod.check.rules import CATALOGUE, resolve
from mlprod.errors import UsageError


def codes(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part.strip())


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Audit a git repository against the standards of the generated project. "
        "Exit 0: no error; 1: errors found; 2: usage error."
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository (default: .)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument(
        "--select",
        type=codes,
        metavar="CODES",
        help="comma-separated codes or prefixes, e.g. NB,DATA001",
    )
    parser.add_argument("--ignore", type=codes, metavar="CODES", help="codes or prefixes to skip")
    parser.add_argument(
        "--list-rules", action="store_true", help="print the rule catalogue and exit"
    )
    parser.set_defaults(func=run)


def checked_directory(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path} does not exist; pass the directory of a repository")
    if not path.is_dir():
        raise UsageError(f"{path} is not a directory; pass the directory of a repository")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UsageError(f"{path} cannot be read; check its permissions")
    return path


def selection(args: argparse.Namespace, settings: config.Settings) -> audit.Selection:
    """CLI --select replaces the configured select; ignores from both always apply."""
    if args.select:
        enabled = resolve(args.select, "--select")
    else:
        enabled = resolve(settings.select, "[tool.mlprod] select")
    enabled -= resolve(settings.ignore, "[tool.mlprod] ignore")
    enabled -= resolve(args.ignore or (), "--ignore")
    file_ignores = [
        (glob, resolve(globs, f'[tool.mlprod] per-file-ignores."{glob}"'))
        for glob, globs in settings.per_file_ignores.items()
    ]
    return audit.Selection(enabled, file_ignores)


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        report.write(report.catalogue(CATALOGUE.values()))
        return 0
    path = checked_directory(args.path)
    repo = Repository.open(path)
    settings = config.load(repo.root if repo else path)
    chosen = selection(args, settings)
    result = audit.run(path, repo, settings, chosen)
    render = report.as_json if args.format == "json" else report.as_text
    report.write(render(result))
    return 1 if any(finding.severity == "error" for finding in result.findings) else 0
