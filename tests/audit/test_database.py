import json
import zipfile

import pytest

from audit.conftest import OSV_DIR, record
from mlprod.audit.database import Database
from mlprod.audit.findings import Finding
from mlprod.audit.osv import Advisory
from mlprod.audit.pins import Pin
from mlprod.errors import UsageError

SKOPS = Pin("skops", "0.11.0")
HINT = (
    "download https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip and pass it as --db"
)


@pytest.mark.parametrize("kind", ["zip", "directory"])
def test_zip_and_directory_give_the_same_findings(kind, osv_zip):
    database = Database(osv_zip if kind == "zip" else OSV_DIR, {"skops"})
    assert database.findings((SKOPS,)) == [
        Finding(SKOPS, Advisory("GHSA-4v6w-xpmh-gfgp", ("CVE-2025-54413",), ("0.12.0",))),
        Finding(SKOPS, Advisory("GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412",), ("0.12.0",))),
    ]
    # The npm record is not counted: six PyPI records, the newest modified 2026-01-02.
    path = osv_zip if kind == "zip" else OSV_DIR
    assert database.describe() == f"OSV database {path}: 6 PyPI records, modified up to 2026-01-02"


def test_the_fixed_release_has_no_finding(osv_zip):
    assert Database(osv_zip, {"skops"}).findings((Pin("skops", "0.12.0"),)) == []


def test_a_withdrawn_record_does_not_apply(osv_zip):
    # TEST-WITHDRAWN covers every release of example-ranges; 0.9 is in no other range.
    assert Database(osv_zip, {"example-ranges"}).findings((Pin("example-ranges", "0.9"),)) == []


def test_name_normalisation_matches_the_records_spelling(osv_zip):
    pin = Pin("Scikit_Learn", "1.4.2")
    (finding,) = Database(osv_zip, {pin.key}).findings((pin,))
    assert finding.advisory.id == "GHSA-jw8x-6495-233v"


def test_an_unplaceable_version_is_a_finding_marked_unjudged(osv_zip):
    pin = Pin("example-ranges", "custom-build")
    (finding,) = Database(osv_zip, {pin.key}).findings((pin,))
    assert (finding.advisory.id, finding.judged) == ("TEST-RANGES", False)


def test_a_missing_database_is_one_line(tmp_path):
    with pytest.raises(UsageError) as error:
        Database(tmp_path / "all.zip", {"skops"})
    assert str(error.value) == f"database {tmp_path / 'all.zip'} does not exist; {HINT}"


def test_a_file_that_is_no_zip_is_refused(tmp_path):
    path = tmp_path / "all.zip"
    path.write_text("<html>not found</html>")
    with pytest.raises(UsageError, match="is neither a zip nor a directory of OSV records"):
        Database(path, {"skops"})


def test_a_database_without_pypi_records_is_refused_rather_than_passing_everything(tmp_path):
    (tmp_path / "TEST-NPM.json").write_text((OSV_DIR / "synthetic" / "TEST-NPM.json").read_text())
    with pytest.raises(UsageError) as error:
        Database(tmp_path, {"skops"})
    assert str(error.value) == f"{tmp_path} holds no OSV records for PyPI packages; {HINT}"


def test_an_empty_zip_is_refused(tmp_path):
    path = tmp_path / "all.zip"
    zipfile.ZipFile(path, "w").close()
    with pytest.raises(UsageError, match="holds no OSV records for PyPI packages"):
        Database(path, {"skops"})


def test_a_broken_record_is_named(tmp_path):
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("GHSA-x.json", "{not json")
    with pytest.raises(UsageError) as error:
        Database(path, {"skops"})
    assert str(error.value) == (
        f"{path}:GHSA-x.json is not JSON (Expecting property name enclosed in double quotes: "
        f"line 1 column 2 (char 1)); {HINT}"
    )


def test_a_broken_record_in_a_directory_is_named(tmp_path):
    (tmp_path / "GHSA-x.json").write_text("{not json")
    with pytest.raises(UsageError) as error:
        Database(tmp_path, {"skops"})
    assert str(error.value).startswith(f"{tmp_path / 'GHSA-x.json'} is not JSON (Expecting ")


def test_a_corrupt_zip_member_is_named(tmp_path):
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("GHSA-x.json", '{"id": "GHSA-x"}')
    # Damage the stored record itself: the zip still opens, its checksum no longer matches.
    data = path.read_bytes()
    path.write_bytes(data.replace(b'{"id": "GHSA-x"}', b'{"id": "GHSA-y"}', 1))
    with pytest.raises(UsageError) as error:
        Database(path, {"skops"})
    assert str(error.value) == (
        f"{path}:GHSA-x.json cannot be read (Bad CRC-32 for file 'GHSA-x.json'); {HINT}"
    )


def test_json_that_is_no_osv_record_is_named(tmp_path):
    (tmp_path / "GHSA-y.json").write_text(json.dumps({"affected": []}))
    with pytest.raises(UsageError) as error:
        Database(tmp_path, {"skops"})
    assert str(error.value) == f"{tmp_path / 'GHSA-y.json'} is not an OSV record (no id); {HINT}"


def test_one_record_without_dates_is_described_as_such(tmp_path):
    (tmp_path / "TEST-RANGES.json").write_text(
        json.dumps(
            {key: value for key, value in record("TEST-RANGES").items() if key != "modified"}
        )
    )
    assert Database(tmp_path, {"skops"}).describe() == f"OSV database {tmp_path}: 1 PyPI record"


def test_a_withdrawn_record_does_not_hide_the_next_one(tmp_path):
    (tmp_path / "0-withdrawn.json").write_text(json.dumps(record("TEST-WITHDRAWN")))
    (tmp_path / "1-ranges.json").write_text(json.dumps(record("TEST-RANGES")))
    pin = Pin("example-ranges", "1.1")
    assert Database(tmp_path, {pin.key}).findings((pin,)) == [
        Finding(pin, Advisory("TEST-RANGES", (), ("1.2",)))
    ]


def test_fixes_below_the_pin_are_not_offered(osv_zip):
    # 2.1 is in TEST-RANGES' second range, which no release fixes; its fix 1.2 is older.
    pin = Pin("example-ranges", "2.1")
    assert Database(osv_zip, {pin.key}).findings((pin,)) == [
        Finding(pin, Advisory("TEST-RANGES", (), ()))
    ]


def test_a_pin_the_database_was_not_loaded_for_has_no_findings(osv_zip):
    assert Database(osv_zip, {"skops"}).findings((Pin("example-ranges", "1.1"),)) == []
