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


def test_introduced_zero_is_below_even_a_pre_release_of_version_zero():
    # Version("0") is above 0.0.0a1; the schema's "0" is not.
    assert judge("GHSA-m7f4-hrc6-fwg3", "skops", "0.0.0a1") is Verdict.AFFECTED


def ranges(*events: list[dict], kind: str = "ECOSYSTEM") -> dict:
    return {"ranges": [{"type": kind, "events": list(group)} for group in events]}


def test_events_sorted_even_below_version_zero():
    # fixed 0.0.0a2 listed first: in version order introduced "0" still opens the range.
    entries = [ranges([{"fixed": "0.0.0a2"}, {"introduced": "0"}])]
    assert osv.verdict(entries, "0.0.0a1") is Verdict.AFFECTED
    assert osv.verdict(entries, "1.0") is Verdict.UNAFFECTED


def test_a_git_range_before_an_ecosystem_range_is_skipped_not_the_end():
    git = {"type": "GIT", "repo": "https://example.invalid/repo", "events": [{"introduced": "0"}]}
    ecosystem = {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.2"}]}
    entries = [{"ranges": [git, ecosystem]}]
    assert osv.verdict(entries, "1.1") is Verdict.AFFECTED
    assert osv.fixed_versions(entries, "1.1") == ("1.2",)


def test_an_entry_without_a_name_names_no_package():
    record = {"id": "TEST-NAMELESS", "affected": [{"package": {"ecosystem": "PyPI"}}]}
    for key in ("none", "xxxx"):
        assert list(osv.package_entries(record, key)) == []
    assert osv.pypi_names(record) == set()


def test_fixed_versions_above_not_at_the_pin_in_pep440_order_then_the_rest():
    entries = [
        ranges(
            [{"introduced": "0"}, {"fixed": "1.10"}],
            [{"introduced": "0"}, {"fixed": "1.9"}],
            [{"introduced": "0"}, {"fixed": "banana"}],
            [{"introduced": "0"}, {"fixed": "apple"}],
            [{"introduced": "0"}, {"fixed": "1.2"}],
        )
    ]
    assert osv.fixed_versions(entries, "1.2") == ("1.9", "1.10", "apple", "banana")


def test_the_advisory_names_only_the_fixes_above_the_pin():
    # TEST-RANGES: fixed in 1.2; 2.1 is in its second range, which no release fixes.
    assert osv.advisory(record("TEST-RANGES"), "example-ranges", "2.1").fixed == ()
    assert osv.advisory(record("TEST-RANGES"), "example-ranges", "1.1").fixed == ("1.2",)
