import json
import zipfile

import pytest

from audit.conftest import OSV_DIR
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
    assert database.describe().endswith(": 6 PyPI records, modified up to 2026-01-02")


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
    with pytest.raises(UsageError, match=r"all\.zip:GHSA-x\.json is not JSON \("):
        Database(path, {"skops"})


def test_json_that_is_no_osv_record_is_named(tmp_path):
    (tmp_path / "GHSA-y.json").write_text(json.dumps({"affected": []}))
    with pytest.raises(UsageError) as error:
        Database(tmp_path, {"skops"})
    assert str(error.value) == f"{tmp_path / 'GHSA-y.json'} is not an OSV record (no id); {HINT}"
