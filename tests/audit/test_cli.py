"""`mlprod audit` through the real command line: offline against the fixture records, online
against api.osv.dev (unreachable from the test machine, or not), and online against a local
HTTP server that answers the two OSV API calls from the fixture records. That server stands
in for osv.dev where it cannot be reached; its answers are written out, not computed by the
code under test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from bakery import REPO_ROOT

from mlprod.cli import build_parser, main

PINS = "skops==0.11.0\nScikit_Learn==1.4.2\nexample-ranges==0.9\nnumpy==2.1.3\n"
SKOPS_LINES = [
    "skops 0.11.0: GHSA-4v6w-xpmh-gfgp (CVE-2025-54413): fixed in 0.12.0",
    "skops 0.11.0: GHSA-m7f4-hrc6-fwg3 (CVE-2025-54412): fixed in 0.12.0",
]
SKLEARN_LINE = "Scikit_Learn 1.4.2: GHSA-jw8x-6495-233v (CVE-2024-5206): fixed in 1.5.0"
UNREACHABLE = (
    "mlprod audit: error: the OSV database at {api} could not be reached ({reason}); "
    "nothing was audited. Audit offline: download "
    "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip and pass it as --db\n"
)


def test_findings_one_line_each_then_a_summary_and_exit_1(cli, requirements, osv_zip):
    code, out, err = cli("audit", requirements(PINS), "--db", osv_zip)
    assert out.splitlines() == [
        SKLEARN_LINE,
        *SKOPS_LINES,
        f"3 findings in 2 of 4 packages (OSV database {osv_zip}: 6 PyPI records, "
        "modified up to 2026-01-02)",
    ]
    assert (code, err) == (1, "")


def test_no_finding_exits_0(cli, requirements, osv_zip):
    path = requirements("skops==0.12.0\nscikit-learn==1.5.0\nexample-ranges==1.2\n")
    # Any positive timeout is accepted, under a second too.
    code, out, _ = cli("audit", path, "--db", osv_zip, "--timeout", "0.5")
    assert out == (
        f"no known vulnerabilities in 3 packages (OSV database {osv_zip}: 6 PyPI records, "
        "modified up to 2026-01-02)\n"
    )
    assert code == 0


def test_one_finding_one_package_every_alias_and_fix(cli, requirements, tmp_path):
    # One record, no `modified` date: the summary names no date rather than an empty one.
    database = tmp_path / "osv"
    database.mkdir()
    (database / "GHSA-demo.json").write_text(
        json.dumps(
            {
                "id": "GHSA-demo",
                "aliases": ["CVE-2026-0001", "PYSEC-2026-1"],
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "demo"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": "1.0.5"}],
                            },
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "1.0.2"}, {"fixed": "1.1.2"}],
                            },
                        ],
                    }
                ],
            }
        )
    )
    code, out, _ = cli("audit", requirements("demo==1.0.3\n"), "--db", database)
    assert out.splitlines() == [
        "demo 1.0.3: GHSA-demo (CVE-2026-0001, PYSEC-2026-1): fixed in 1.0.5, 1.1.2",
        f"1 finding in 1 of 1 package (OSV database {database}: 1 PyPI record)",
    ]
    assert code == 1


def test_an_advisory_without_a_fix_above_the_pin_says_so(cli, requirements, osv_zip):
    # TEST-RANGES: 2.1 is in its second range, which no release fixes (its fix 1.2 is older).
    code, out, _ = cli("audit", requirements("example-ranges==2.1\n"), "--db", osv_zip)
    assert out.splitlines()[0] == "example-ranges 2.1: TEST-RANGES: no fixed version"
    assert code == 1


def test_ignore_accepts_a_risk_by_any_of_its_ids_and_says_so(cli, requirements, osv_zip):
    path = requirements("skops==0.11.0\n")
    code, out, _ = cli(
        "audit",
        path,
        "--db",
        osv_zip,
        "--ignore",
        "CVE-2025-54412",
        "--ignore",
        "GHSA-4v6w-xpmh-gfgp",
        "--ignore",
        "GHSA-gone-gone-gone",
    )
    assert out.splitlines() == [
        *(f"note: ignored (--ignore): {line}" for line in SKOPS_LINES),
        "note: --ignore GHSA-gone-gone-gone matched no finding; drop it if the risk is gone",
        f"no known vulnerabilities in 1 package, 2 ignored (OSV database {osv_zip}: 6 PyPI "
        "records, modified up to 2026-01-02)",
    ]
    assert code == 0


def test_an_ignored_finding_leaves_the_others_failing(cli, requirements, osv_zip):
    path = requirements("skops==0.11.0\n")
    code, out, _ = cli("audit", path, "--db", osv_zip, "--ignore", "CVE-2025-54412")
    assert out.splitlines() == [
        SKOPS_LINES[0],
        f"note: ignored (--ignore): {SKOPS_LINES[1]}",
        f"1 finding in 1 of 1 package, 1 ignored (OSV database {osv_zip}: 6 PyPI records, "
        "modified up to 2026-01-02)",
    ]
    assert code == 1


def test_an_unjudged_version_fails_the_audit(cli, requirements, osv_zip):
    code, out, _ = cli("audit", requirements("example-ranges===custom-build\n"), "--db", osv_zip)
    assert out.splitlines()[0] == (
        "example-ranges custom-build: TEST-RANGES: cannot be judged: the version is not "
        "PEP 440; check the advisory by hand"
    )
    assert code == 1


def test_a_requirements_file_without_pins_is_refused(cli, requirements, osv_zip):
    path = requirements("# nothing\n-e .\n")
    code, out, err = cli("audit", path, "--db", osv_zip)
    assert err == f"mlprod audit: error: {path} pins no package from an index; nothing to audit\n"
    assert (code, out) == (2, "")


def test_a_loose_pin_is_one_line_and_exit_2(cli, requirements, osv_zip):
    path = requirements("skops>=0.11\n")
    code, _, err = cli("audit", path, "--db", osv_zip)
    assert err == (
        f"mlprod audit: error: {path}:1: skops is not pinned to one version (>=0.11); "
        "audit a lock: uv export --format requirements-txt, or pip freeze\n"
    )
    assert code == 2


@pytest.mark.parametrize(
    "url",
    [
        "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
        "http://mirror.example/all.zip",
    ],
)
def test_a_url_given_as_database_says_to_download_it(cli, requirements, url):
    code, _, err = cli("audit", requirements("skops==0.11.0\n"), "--db", url)
    assert err == (
        "mlprod audit: error: --db takes a downloaded zip or directory, not a URL; "
        "download it first\n"
    )
    assert code == 2


def test_a_bad_timeout_names_the_flag(cli, requirements):
    code, _, err = cli("audit", requirements("skops==0.11.0\n"), "--timeout", "0")
    assert err == "mlprod audit: error: --timeout must be a positive number of seconds, got 0.0\n"
    assert code == 2


def test_the_installed_environment_is_the_default(cli, osv_zip):
    code, out, _ = cli("audit", "--db", osv_zip)
    lines = out.splitlines()
    # This checkout's environment: mlprod itself is editable, so noted rather than audited.
    assert any(
        line.startswith("note: mlprod not audited: editable install of file://") for line in lines
    )
    assert lines[-1].startswith("no known vulnerabilities in ")
    assert code == 0


def test_the_real_osv_api_answers_or_the_audit_says_it_could_not(requirements):
    """api.osv.dev for real, bounded by --timeout. Where it answers, the skops advisory must be
    among the findings; where it cannot be reached (this test machine), one line, exit 2."""
    path = requirements("skops==0.11.0\n")
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "audit", str(path), "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
        check=False,
    )
    if result.returncode == 2:
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith(
            "mlprod audit: error: the OSV database at https://api.osv.dev could not be reached ("
        )
        assert result.stderr.endswith(
            "nothing was audited. Audit offline: download "
            "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip and pass it as --db\n"
        )
    else:
        assert result.returncode == 1, result.stderr
        assert any(
            line.startswith("skops 0.11.0: GHSA-m7f4-hrc6-fwg3 (") and "CVE-2025-54412" in line
            for line in result.stdout.splitlines()
        ), result.stdout


def test_online_follows_pages_fetches_details_and_drops_withdrawn(cli, requirements, stand_in):
    path = requirements("skops==0.11.0\nexample-ranges==0.9\nnumpy==2.1.3\n")
    code, out, err = cli("audit", path, "--osv-api", stand_in.url)
    assert out.splitlines() == [
        *SKOPS_LINES,
        f"2 findings in 1 of 3 packages (OSV API {stand_in.url})",
    ]
    assert (code, err) == (1, "")


def test_an_online_error_is_one_line_and_exit_2(cli, requirements, stand_in):
    stand_in.reply = lambda handler: handler.answer(503, {"message": "unavailable"})
    code, out, err = cli("audit", requirements("skops==0.11.0\n"), "--osv-api", stand_in.url)
    assert err == UNREACHABLE.format(api=stand_in.url, reason="HTTP 503 from /v1/querybatch")
    assert (code, out) == (2, "")


def test_a_closed_port_is_one_line_and_exit_2(cli, requirements, stand_in):
    stand_in.shutdown()
    stand_in.server_close()
    code, _, err = cli("audit", requirements("skops==0.11.0\n"), "--osv-api", stand_in.url)
    assert err == UNREACHABLE.format(api=stand_in.url, reason="[Errno 111] Connection refused")
    assert code == 2


def test_timeout_bounds_each_request(cli, requirements, stand_in):
    # The stand-in would answer after 5 s.
    stand_in.hold = True
    path = requirements("skops==0.11.0\n")
    code, _, err = cli("audit", path, "--osv-api", stand_in.url, "--timeout", "0.2")
    assert err == UNREACHABLE.format(api=stand_in.url, reason="timed out")
    assert code == 2


def test_the_defaults_are_osv_dev_and_ten_seconds():
    args = build_parser("audit").parse_args(["audit"])
    assert (args.osv_api, args.timeout, args.db, args.ignore) == (
        "https://api.osv.dev",
        10.0,
        None,
        [],
    )


HELP = """\
usage: mlprod audit [-h] [--db PATH] [--ignore ID] [--osv-api URL] [--timeout SECONDS]
                    [REQUIREMENTS]

Check dependencies against the OSV vulnerability database: the exact pins of a requirements file,
or the packages installed in this environment. Exit 0: no known vulnerability; 1: findings; 2: bad
input or no database.

positional arguments:
  REQUIREMENTS       requirements file of name==version pins, hashes and markers allowed (uv
                     export --format requirements-txt, pip freeze); default: the installed
                     packages

options:
  -h, --help         show this help message and exit
  --db PATH          audit offline against a zip or directory of OSV records, e.g. https://osv-
                     vulnerabilities.storage.googleapis.com/PyPI/all.zip
  --ignore ID        an advisory id or alias (GHSA-..., CVE-...) accepted as a risk; repeatable
  --osv-api URL      the OSV API or a mirror of it (https://api.osv.dev)
  --timeout SECONDS  time allowed for each request to the OSV API (10)
"""


def test_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == HELP
