"""`mlprod audit [REQUIREMENTS]`: known vulnerabilities of the pinned or installed packages,
from OSV. Exit 0: none; 1: findings (or versions no advisory could be judged against);
2: bad input, or a database that could not be read or reached."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from mlprod.audit import pins
from mlprod.audit.database import ALL_ZIP, Database
from mlprod.audit.findings import Finding, ignoring, merged
from mlprod.audit.service import API, Service
from mlprod.errors import InvalidParameter, UsageError


def register(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check dependencies against the OSV vulnerability database: the exact pins of a "
        "requirements file, or the packages installed in this environment. "
        "Exit 0: no known vulnerability; 1: findings; 2: bad input or no database."
    )
    parser.add_argument(
        "requirements",
        nargs="?",
        type=Path,
        metavar="REQUIREMENTS",
        help="requirements file of name==version pins, hashes and markers allowed (uv export "
        "--format requirements-txt, pip freeze); default: the installed packages",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help=f"audit offline against a zip or directory of OSV records, e.g. {ALL_ZIP}",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="an advisory id or alias (GHSA-..., CVE-...) accepted as a risk; repeatable",
    )
    parser.add_argument(
        "--osv-api", default=API, metavar="URL", help=f"the OSV API or a mirror of it ({API})"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time allowed for each request to the OSV API (10)",
    )
    parser.set_defaults(func=run)


def _line(finding: Finding) -> str:
    advisory = finding.advisory
    aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
    if not finding.judged:
        outcome = "cannot be judged: the version is not PEP 440; check the advisory by hand"
    elif advisory.fixed:
        outcome = f"fixed in {', '.join(advisory.fixed)}"
    else:
        outcome = "no fixed version"
    return f"{finding.pin.name} {finding.pin.version}: {advisory.id}{aliases}: {outcome}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise InvalidParameter(
            "timeout", f"must be a positive number of seconds, got {args.timeout}"
        )
    if args.db and str(args.db).startswith(("http:", "https:")):
        raise UsageError("--db takes a downloaded zip or directory, not a URL; download it first")
    inventory = pins.from_requirements(args.requirements) if args.requirements else pins.installed()
    if not inventory.pins:
        # Reporting "no known vulnerabilities" here would claim a check that never ran.
        raise UsageError(f"{args.requirements} pins no package from an index; nothing to audit")
    keys = {pin.key for pin in inventory.pins}
    source = Database(args.db, keys) if args.db else Service(args.osv_api, args.timeout)
    found = merged(source.findings(inventory.pins))
    kept, dropped, unused = ignoring(found, args.ignore)

    for finding in kept:
        print(_line(finding))
    for item in inventory.unaudited:
        print(f"note: {item.name} not audited: {item.origin}, not a release of a package index")
    for finding in dropped:
        print(f"note: ignored (--ignore): {_line(finding)}")
    for unknown_id in unused:
        print(f"note: --ignore {unknown_id} matched no finding; drop it if the risk is gone")

    audited = _plural(len(inventory.pins), "package")
    affected = len({finding.pin for finding in kept})
    if kept:
        summary = f"{_plural(len(kept), 'finding')} in {affected} of {audited}"
    else:
        summary = f"no known vulnerabilities in {audited}"
    if dropped:
        summary += f", {len(dropped)} ignored"
    print(f"{summary} ({source.describe()})")
    return 1 if kept else 0
