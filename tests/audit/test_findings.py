from mlprod.audit.findings import Finding, ignoring, merged
from mlprod.audit.osv import Advisory
from mlprod.audit.pins import Pin

SKOPS = Pin("skops", "0.11.0")
GHSA = Advisory("GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412",), ("0.12.0",))
OTHER = Advisory("GHSA-4v6w-xpmh-gfgp", ("CVE-2025-54413",), ("0.12.0",))


def test_records_sharing_an_alias_become_one_finding():
    # A second database's record of the same CVE, with a later fix on another branch.
    pysec = Advisory("PYSEC-0000-1", ("CVE-2025-54412",), ("0.11.1", "0.12.0"))
    assert merged([Finding(SKOPS, GHSA), Finding(SKOPS, pysec), Finding(SKOPS, OTHER)]) == [
        Finding(SKOPS, OTHER),
        Finding(
            SKOPS,
            Advisory(
                "GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412", "PYSEC-0000-1"), ("0.11.1", "0.12.0")
            ),
        ),
    ]


def test_the_same_advisory_on_two_pins_stays_two_findings():
    newer = Pin("skops", "0.11.1")
    assert len(merged([Finding(SKOPS, GHSA), Finding(newer, GHSA)])) == 2


def test_an_unjudged_record_keeps_the_merged_finding_unjudged():
    twin = Advisory("PYSEC-0000-1", ("GHSA-m7f4-hrc6-fwg3",), ())
    (finding,) = merged([Finding(SKOPS, GHSA), Finding(SKOPS, twin, judged=False)])
    assert not finding.judged


def test_ignore_matches_an_id_or_an_alias_and_reports_unused_ids():
    findings = [Finding(SKOPS, GHSA), Finding(SKOPS, OTHER)]
    kept, dropped, unused = ignoring(findings, ["CVE-2025-54412", "GHSA-gone-gone-gone"])
    assert kept == [Finding(SKOPS, OTHER)]
    assert dropped == [Finding(SKOPS, GHSA)]
    assert unused == ["GHSA-gone-gone-gone"]


def test_merged_fixes_in_pep440_order_then_the_unparseable_ones():
    one = Advisory("GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412",), ("1.10", "custom-fix", "1.0.0"))
    two = Advisory("PYSEC-0000-1", ("CVE-2025-54412",), ("1.9", "1.0", "another-fix"))
    (finding,) = merged([Finding(SKOPS, one), Finding(SKOPS, two)])
    assert finding.advisory.fixed == ("1.0", "1.0.0", "1.9", "1.10", "another-fix", "custom-fix")


def test_ignoring_nothing_keeps_everything():
    findings = [Finding(SKOPS, GHSA)]
    assert ignoring(findings, []) == (findings, [], [])
