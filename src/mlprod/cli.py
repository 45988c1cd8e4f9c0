"""The `mlprod` command: one sub-command per module, each exposing `register(subparsers)`.

Sub-command modules are imported only when the command line names them, so that
`mlprod check` in a pre-commit hook never pays for the numerical stack of `mlprod ab`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from mlprod import __version__
from mlprod.errors import InvalidParameter, UsageError

# name -> (module, one-line help). The module's `register(parser)` adds its arguments and
# sets `func`, which takes the parsed namespace and returns the exit code.
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("mlprod.new", "generate a project from the bundled template"),
    "update": ("mlprod.update.cli", "merge template changes and changed answers into a project"),
    "check": ("mlprod.check.cli", "audit a repository against the standards"),
    "ab": ("mlprod.ab.cli", "A/B tests: sample size, assignment, SRM check, adjustment, analysis"),
    "drift": ("mlprod.drift.cli", "drift between a reference and a current data set"),
    "audit": ("mlprod.audit.cli", "known vulnerabilities of the dependencies (OSV)"),
}


STATS_MODULES = {"matplotlib", "numpy", "pandas", "pyarrow", "scipy"}


def _missing_stats(name: str, error: ModuleNotFoundError) -> bool:
    """Say how to install the `stats` extra when `error` is one of its modules missing."""
    if not (error.name and error.name.split(".")[0] in STATS_MODULES):
        return False
    print(
        f"mlprod {name}: error: {error.name} is not installed; "
        "install the statistics extra: pip install 'mlprod[stats]'",
        file=sys.stderr,
    )
    return True


def load(name: str, module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if _missing_stats(name, error):
            raise SystemExit(2) from None
        raise


def flag(args: argparse.Namespace, parameter: str) -> str:
    """The command-line spelling of a library parameter: `--psi-threshold` for
    `psi_threshold`, unless the sub-command maps it otherwise in its `flags` default."""
    return getattr(args, "flags", {}).get(parameter, "--" + parameter.replace("_", "-"))


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
        code = args.func(args)
        # Flushed here, not at exit, so that a closed pipe is met by the handler below.
        sys.stdout.flush()
        return code
    except InvalidParameter as error:
        print(
            f"mlprod {args.command}: error: {flag(args, error.name)} {error.problem}",
            file=sys.stderr,
        )
        return 2
    except UsageError as error:
        print(f"mlprod {args.command}: error: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if _missing_stats(args.command, error):
            return 2
        raise
    except BrokenPipeError:
        # The reader of our output left (`mlprod ab assign ... | head -1`). As the Python
        # docs advise: point stdout at devnull so that the interpreter's final flush cannot
        # fail again, and exit as a process killed by SIGPIPE would (128 + 13), which is what
        # shells and `set -o pipefail` expect of the writer of a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("mlprod: interrupted", file=sys.stderr)
        return 130
