"""`mlprod check [PATH]`: the command line of the audit, modelled on ruff's."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlprod.check import audit, config, report
from mlprod.check.repo import Repository
from mlprod.check.rules import CATALOGUE, resolve
from mlprod.errors import UsageError

FORMATS = ("text", "json", "sarif", "github")


def codes(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part.strip())


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Audit a git repository against the standards of the generated project. "
        "Exit 0: no error; 1: errors found; 2: usage error."
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository (default: .)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text; json; sarif (SARIF 2.1.0, for code scanning); github (annotations)",
    )
    parser.add_argument(
        "--statistics", action="store_true", help="print the number of findings of each code"
    )
    parser.add_argument(
        "--files",
        nargs="*",
        metavar="FILE",
        help="check only these files with the per-file rules (what pre-commit passes); "
        "the repository rules still run once",
    )
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
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("--statistics prints text or json; drop --format or use --format json")
    path = checked_directory(args.path)
    repo = Repository.open(path)
    settings = config.load(repo.root if repo else path)
    chosen = selection(args, settings)
    files = None if args.files is None or repo is None else in_repository(args.files, repo.root)
    result = audit.run(path, repo, settings, chosen, files)
    if args.statistics:
        report.write(report.statistics(result, CATALOGUE, args.format))
    elif args.format == "json":
        report.write(report.as_json(result))
    elif args.format == "sarif":
        report.write(report.as_sarif(result, CATALOGUE))
    elif args.format == "github":
        report.write(report.as_github(result))
    else:
        report.write(report.as_text(result))
    return 1 if any(finding.severity == "error" for finding in result.findings) else 0


def in_repository(files: list[str], root: Path) -> list[str]:
    """Passed file names (relative to the current directory) as index paths."""
    paths = []
    for name in files:
        # The folder resolved as git resolves the root; the name kept, even a symlink's.
        folder, base = os.path.split(os.path.abspath(name))
        relative = os.path.relpath(os.path.join(os.path.realpath(folder), base), root)
        if relative.startswith(".." + os.sep) or relative == "..":
            raise UsageError(f"{name} is outside the repository {root}; pass files inside it")
        paths.append(Path(relative).as_posix())
    return paths
