"""The `mlprod` command: one sub-command per module, each exposing `register(subparsers)`.

Sub-command modules are imported only when the command line names them, so that
`mlprod check` in a pre-commit hook never pays for the numerical stack of `mlprod ab`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from mlprod import __version__
from mlprod.errors import UsageError

# name -> (module, one-line help). The module's `register(parser)` adds its arguments and
# sets `func`, which takes the parsed namespace and returns the exit code.
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("mlprod.new", "generate a project from the bundled template"),
    "update": ("mlprod.update.cli", "merge template changes and changed answers into a project"),
    "check": ("mlprod.check.cli", "audit a repository against the standards"),
    "ab": ("mlprod.ab.cli", "A/B tests: sample size, assignment, SRM check, adjustment, analysis"),
    "drift": ("mlprod.drift.cli", "drift between a reference and a current data set"),
}


STATS_MODULES = {"matplotlib", "numpy", "pandas", "pyarrow", "scipy"}


def load(name: str, module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and error.name.split(".")[0] in STATS_MODULES:
            print(
                f"mlprod {name}: error: {error.name} is not installed; "
                "run: pip install 'mlprod[stats]'",
                file=sys.stderr,
            )
            raise SystemExit(2) from None
        raise


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlprod",
        description="Production-grade machine learning repositories: generate and audit.",
    )
    parser.add_argument("--version", action="version", version=f"mlprod {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == command:
            load(name, module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UsageError as error:
        print(f"mlprod {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlprod: interrupted", file=sys.stderr)
        return 130
