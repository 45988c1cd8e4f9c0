"""`mlprod new`: generate a project from the template bundled with this package.

It calls cookiecutter's public API on the bundled template, so it gives exactly the tree
that `cookiecutter <this repository>` gives, and needs no network.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

from mlprod.errors import UsageError
from mlprod.template import template_dir

# Options whose empty value would make cookiecutter write into the output directory itself.
NON_EMPTY = {"project_name": "'Churn Model'", "project_slug": "churn-model", "module_name": "churn"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "options",
        nargs="*",
        metavar="KEY=VALUE",
        help="template options, e.g. project_name='Churn Model' deployment=both",
    )
    parser.add_argument(
        "--no-input", action="store_true", help="do not prompt; use defaults and KEY=VALUE"
    )
    parser.add_argument(
        "-o", "--output-dir", default=".", type=Path, help="where to create the project"
    )
    parser.set_defaults(func=run)


def parse_options(pairs: list[str], known: set[str]) -> dict[str, str]:
    """Turn `key=value` arguments into cookiecutter's extra context, refusing unknown keys."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"option '{pair}' is not KEY=VALUE; write e.g. deployment=both")
        if key not in known:
            raise UsageError(f"unknown option '{key}'; choose from: {', '.join(sorted(known))}")
        options[key] = value
    return options


def validate_options(pairs: list[str], options: dict[str, object]) -> dict[str, str]:
    """The `key=value` answers, each known, non-empty where it must be, and a valid choice."""
    answers = parse_options(pairs, set(options))
    for key, example in NON_EMPTY.items():
        if key in answers and not answers[key].strip():
            raise UsageError(f"{key} is empty; give it a value, e.g. {key}={example}")
    for key, value in answers.items():
        choices = options[key]
        if isinstance(choices, list) and value not in choices:
            raise UsageError(f"{key}={value} is not supported; choose one of: {', '.join(choices)}")
    return answers


def public_options(template: Path) -> dict[str, object]:
    context = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value for key, value in context.items() if not key.startswith("_")}


def run(args: argparse.Namespace) -> int:
    # Imported here: cookiecutter is the slowest import of the package.
    from cookiecutter.exceptions import FailedHookException, OutputDirExistsException
    from cookiecutter.main import cookiecutter

    # The hooks print their own one-line reasons; cookiecutter's log would add a traceback.
    # Its loggers are children of "cookiecutter" (`disabled` there would not reach them):
    # their records stop here, and the null handler keeps logging's last resort quiet.
    log = logging.getLogger("cookiecutter")
    log.propagate = False
    log.handlers = [logging.NullHandler()]

    template = template_dir()
    extra_context = validate_options(args.options, public_options(template))
    output_dir = args.output_dir
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"output directory {output_dir} is a file; give a directory with -o")
    # Created as cookiecutter would, and removed again if generation fails.
    created = next((p for p in reversed((output_dir, *output_dir.parents)) if not p.exists()), None)
    try:
        cookiecutter(
            str(template),
            no_input=args.no_input,
            extra_context=extra_context,
            output_dir=str(output_dir),
            accept_hooks=True,
        )
    except FailedHookException:
        # The hook has already printed its one-line reason, and cookiecutter has removed
        # the half-made directory.
        remove(created)
        return 1
    except OutputDirExistsException as error:
        raise UsageError(
            f"{str(error).removeprefix('Error: ')}; choose another project_slug or --output-dir"
        ) from error
    return 0


def remove(created: Path | None) -> None:
    if created is not None:
        shutil.rmtree(created, ignore_errors=True)
