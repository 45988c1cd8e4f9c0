import pytest

from audit.conftest import record
from mlprod.audit import osv
from mlprod.audit.osv import Verdict


def judge(record_id: str, name: str, version: str) -> Verdict:
    entries = osv.package_entries(record(record_id), osv.canonicalize_name(name))
    return osv.verdict(entries, version)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.9", Verdict.UNAFFECTED),  # below the first introduced
        ("1.0", Verdict.AFFECTED),  # exactly at introduced
        ("1.0.0", Verdict.AFFECTED),  # the same release in PEP 440
        ("1.1.5", Verdict.AFFECTED),
        ("1.2rc1", Verdict.AFFECTED),  # a pre-release of the fix still has the flaw
        ("1.2", Verdict.UNAFFECTED),  # exactly at fixed
        ("1.5", Verdict.UNAFFECTED),  # between the ranges
        ("2.0", Verdict.AFFECTED),
        ("2.3", Verdict.AFFECTED),  # exactly at last_affected
        ("2.3.post1", Verdict.UNAFFECTED),  # after last_affected
        ("2.4", Verdict.UNAFFECTED),
    ],
)
def test_ecosystem_ranges_follow_the_schema_in_pep440_order(version, expected):
    assert judge("TEST-RANGES", "example-ranges", version) is expected


def test_events_are_evaluated_in_version_order_not_file_order():
    # TEST-RANGES lists last_affected 2.3 before introduced 2.0 in its second range.
    events = record("TEST-RANGES")["affected"][0]["ranges"][1]["events"]
    assert list(events[0]) == ["last_affected"]
    assert judge("TEST-RANGES", "example-ranges", "2.1") is Verdict.AFFECTED


@pytest.mark.parametrize(
    ("version", "expected"),
    [("3.0", Verdict.AFFECTED), ("3.0.0", Verdict.AFFECTED), ("3.0.1", Verdict.UNAFFECTED)],
)
def test_explicit_versions_list(version, expected):
    assert judge("TEST-VERSIONS", "example-ranges", version) is expected


def test_introduced_zero_covers_pre_releases_of_the_first_version():
    assert judge("GHSA-m7f4-hrc6-fwg3", "skops", "0.0.1a1") is Verdict.AFFECTED


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.11.0", Verdict.AFFECTED), ("0.12.0", Verdict.UNAFFECTED), ("0.13.0", Verdict.UNAFFECTED)],
)
def test_skops_advisory(version, expected):
    assert judge("GHSA-m7f4-hrc6-fwg3", "skops", version) is expected


def test_names_are_compared_normalised():
    assert judge("GHSA-jw8x-6495-233v", "Scikit_Learn", "1.4.2") is Verdict.AFFECTED
    assert judge("GHSA-jw8x-6495-233v", "scikit.learn", "1.4.2") is Verdict.AFFECTED


def test_other_ecosystems_do_not_match_a_pypi_name():
    assert list(osv.package_entries(record("TEST-NPM"), "example-ranges")) == []
    assert osv.pypi_names(record("TEST-NPM")) == set()


def test_a_version_outside_pep440_is_unknown_where_a_range_must_place_it():
    assert judge("TEST-RANGES", "example-ranges", "not-a-version") is Verdict.UNKNOWN
    # Only listed versions: equality needs no ordering.
    assert judge("TEST-VERSIONS", "example-ranges", "not-a-version") is Verdict.UNAFFECTED


def test_a_bound_outside_pep440_is_unknown():
    entries = [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "banana"}]}]}]
    assert osv.verdict(entries, "1.0") is Verdict.UNKNOWN


def test_fixed_versions_are_those_above_the_pinned_one():
    entries = [
        {
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.10"}]},
                {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.0.3"}]},
            ]
        }
    ]
    assert osv.fixed_versions(entries, "2.0.1") == ("2.0.3",)
    assert osv.fixed_versions(entries, "1.9") == ("1.10", "2.0.3")


def test_advisory_carries_id_aliases_and_fix():
    advisory = osv.advisory(record("GHSA-m7f4-hrc6-fwg3"), "skops", "0.11.0")
    assert advisory == osv.Advisory("GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412",), ("0.12.0",))


def test_withdrawn():
    assert osv.withdrawn(record("TEST-WITHDRAWN"))
    assert not osv.withdrawn(record("GHSA-m7f4-hrc6-fwg3"))
