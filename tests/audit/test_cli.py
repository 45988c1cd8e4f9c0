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
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bakery import REPO_ROOT, run_subprocess

from audit.conftest import record

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


def test_findings_one_line_each_then_a_summary_and_exit_1(requirements, osv_zip):
    result = run_subprocess("audit", str(requirements(PINS)), "--db", str(osv_zip))
    assert result.stdout.splitlines() == [
        SKLEARN_LINE,
        *SKOPS_LINES,
        f"3 findings in 2 of 4 packages (OSV database {osv_zip}: 6 PyPI records, "
        "modified up to 2026-01-02)",
    ]
    assert (result.returncode, result.stderr) == (1, "")


def test_no_finding_exits_0(requirements, osv_zip):
    path = requirements("skops==0.12.0\nscikit-learn==1.5.0\nexample-ranges==1.2\n")
    result = run_subprocess("audit", str(path), "--db", str(osv_zip))
    assert result.stdout == (
        f"no known vulnerabilities in 3 packages (OSV database {osv_zip}: 6 PyPI records, "
        "modified up to 2026-01-02)\n"
    )
    assert result.returncode == 0


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
    )
    assert out.splitlines()[:2] == [f"note: ignored (--ignore): {line}" for line in SKOPS_LINES]
    assert out.splitlines()[2].startswith("no known vulnerabilities in 1 package, 2 ignored (")
    assert code == 0


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


def test_a_url_given_as_database_says_to_download_it(cli, requirements):
    url = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
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


class StandIn(BaseHTTPRequestHandler):
    """OSV's two calls, answered from a table: skops 0.11.0 has two advisories, served on two
    pages; example-ranges 0.9 has only the withdrawn one; anything else has none."""

    pages = {
        ("skops", "0.11.0", None): (["GHSA-m7f4-hrc6-fwg3"], "page-2"),
        ("skops", "0.11.0", "page-2"): (["GHSA-4v6w-xpmh-gfgp"], None),
        ("example-ranges", "0.9", None): (["TEST-WITHDRAWN"], None),
    }
    failing = False

    def log_message(self, *args):  # keep the test output clean
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.failing:
            return self._answer(503, {"message": "unavailable"})
        queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["queries"]
        results = []
        for query in queries:
            key = (query["package"]["name"], query["version"], query.get("page_token"))
            assert query["package"]["ecosystem"] == "PyPI"
            ids, token = self.pages.get(key, ([], None))
            result = {"vulns": [{"id": vuln, "modified": "2026-01-01T00:00:00Z"} for vuln in ids]}
            if token:
                result["next_page_token"] = token
            results.append(result)
        self._answer(200, {"results": results})

    def do_GET(self):
        self._answer(200, record(Path(self.path).name))


@pytest.fixture
def stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def test_online_follows_pages_fetches_details_and_drops_withdrawn(requirements, stand_in):
    api, _ = stand_in
    path = requirements("skops==0.11.0\nexample-ranges==0.9\nnumpy==2.1.3\n")
    result = run_subprocess("audit", str(path), "--osv-api", api)
    assert result.stdout.splitlines() == [
        *SKOPS_LINES,
        f"2 findings in 1 of 3 packages (OSV API {api})",
    ]
    assert result.returncode == 1


def test_an_online_error_is_one_line_and_exit_2(requirements, stand_in, monkeypatch):
    api, _ = stand_in
    monkeypatch.setattr(StandIn, "failing", True)
    result = run_subprocess("audit", str(requirements("skops==0.11.0\n")), "--osv-api", api)
    assert result.stderr == UNREACHABLE.format(api=api, reason="HTTP 503 from /v1/querybatch")
    assert (result.returncode, result.stdout) == (2, "")


def test_a_closed_port_is_one_line_and_exit_2(requirements, stand_in):
    api, server = stand_in
    server.shutdown()
    server.server_close()
    result = run_subprocess("audit", str(requirements("skops==0.11.0\n")), "--osv-api", api)
    assert result.stderr == UNREACHABLE.format(api=api, reason="[Errno 111] Connection refused")
    assert result.returncode == 2
