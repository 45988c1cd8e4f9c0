"""Findings: advisories that apply to a pinned package, merged where databases publish one
vulnerability under several ids, with the team's accepted risks set aside."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from mlprod.audit.osv import Advisory
from mlprod.audit.pins import Pin


@dataclass(frozen=True)
class Finding:
    """`judged` is False when the version could not be placed in the advisory's ranges (not
    PEP 440): such a finding fails the audit like a vulnerability, for a person to check."""

    pin: Pin
    advisory: Advisory
    judged: bool = True


def merged(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per vulnerability and pin: records that share an id or alias (a GHSA and
    the PYSEC record of the same CVE) become one, named by the smallest non-CVE id, with the
    other ids as aliases and the union of their fixed versions."""
    groups: list[list[Finding]] = []
    for finding in sorted(findings, key=lambda item: (item.pin.key, item.pin.version)):
        overlapping = [
            group
            for group in groups
            if group[0].pin == finding.pin
            and any(member.advisory.names & finding.advisory.names for member in group)
        ]
        joined = [finding]
        for group in overlapping:
            groups.remove(group)
            joined.extend(group)
        groups.append(joined)
    return sorted((_combine(group) for group in groups), key=_order)


def _combine(group: list[Finding]) -> Finding:
    names = set().union(*(member.advisory.names for member in group))
    primary = min(names, key=lambda name: (name.startswith("CVE-"), name))
    fixed = {version for member in group for version in member.advisory.fixed}
    return Finding(
        pin=group[0].pin,
        advisory=Advisory(primary, tuple(sorted(names - {primary})), _sorted_versions(fixed)),
        judged=all(member.judged for member in group),
    )


def _sorted_versions(versions: set[str]) -> tuple[str, ...]:
    def key(text: str):
        # The text last: "1.0" and "1.0.0" are one version, printed in a stable order.
        try:
            return (0, Version(text), text)
        except InvalidVersion:
            return (1, Version("0"), text)

    return tuple(sorted(versions, key=key))


def _order(finding: Finding) -> tuple[str, str, str]:
    return (finding.pin.key, finding.pin.version, finding.advisory.id)


def ignoring(
    findings: list[Finding], ignored: Iterable[str]
) -> tuple[list[Finding], list[Finding], list[str]]:
    """(kept, ignored findings, ignore ids that matched nothing). An id matches a finding by
    its id or any alias, so `--ignore CVE-...` works whichever id the database leads with."""
    wanted = set(ignored)
    kept = [finding for finding in findings if not finding.advisory.names & wanted]
    dropped = [finding for finding in findings if finding.advisory.names & wanted]
    used = set().union(*(finding.advisory.names for finding in dropped)) if dropped else set()
    return kept, dropped, sorted(wanted - used)
