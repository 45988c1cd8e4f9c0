"""The OSV API client against a local stand-in of the API (see conftest.OsvStandIn): the
requests it sends, the pages it follows, and the one-line error for each way the API fails."""

from __future__ import annotations

import http.client
import urllib.request

import pytest

from mlprod import __version__
from mlprod.audit.findings import Finding
from mlprod.audit.osv import Advisory
from mlprod.audit.pins import Pin
from mlprod.audit.service import Service
from mlprod.errors import Unreachable

SKOPS = Pin("skops", "0.11.0")
RANGES = Pin("example-ranges", "2.1")
WITHDRAWN = Pin("example-ranges", "0.9")
NUMPY = Pin("numpy", "2.1.3")
HINT = (
    "nothing was audited. Audit offline: download "
    "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip and pass it as --db"
)


def query(pin: Pin, token: str | None = None) -> dict:
    answer = {"package": {"name": pin.name, "ecosystem": "PyPI"}, "version": pin.version}
    return {**answer, "page_token": token} if token else answer


def test_one_batch_then_the_next_pages_then_each_record_once(stand_in):
    found = Service(stand_in.url, 5).findings((SKOPS, WITHDRAWN, RANGES, NUMPY))
    assert found == [
        Finding(SKOPS, Advisory("GHSA-4v6w-xpmh-gfgp", ("CVE-2025-54413",), ("0.12.0",))),
        Finding(SKOPS, Advisory("GHSA-m7f4-hrc6-fwg3", ("CVE-2025-54412",), ("0.12.0",))),
        # TEST-RANGES is fixed in 1.2, below 2.1: it names no fixed version for this pin.
        Finding(RANGES, Advisory("TEST-RANGES", (), ())),
    ]
    assert [(method, path, body) for method, path, _, body in stand_in.requests] == [
        (
            "POST",
            "/v1/querybatch",
            {"queries": [query(pin) for pin in (SKOPS, WITHDRAWN, RANGES, NUMPY)]},
        ),
        ("POST", "/v1/querybatch", {"queries": [query(SKOPS, "page-2")]}),
        ("GET", "/v1/vulns/GHSA-4v6w-xpmh-gfgp", None),
        ("GET", "/v1/vulns/GHSA-m7f4-hrc6-fwg3", None),
        ("GET", "/v1/vulns/TEST-RANGES", None),
        ("GET", "/v1/vulns/TEST-WITHDRAWN", None),
    ]
    for method, _, headers, _ in stand_in.requests:
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"] == f"mlprod/{__version__}"
        assert ("content-length" in headers) is (method == "POST")


def test_a_mirror_under_a_path_with_a_trailing_slash(stand_in):
    stand_in.prefix = "/OSV-INDEX"
    service = Service(stand_in.url + "/OSV-INDEX/", 5)
    assert service.describe() == f"OSV API {stand_in.url}/OSV-INDEX"
    assert [finding.advisory.id for finding in service.findings((SKOPS,))] == [
        "GHSA-4v6w-xpmh-gfgp",
        "GHSA-m7f4-hrc6-fwg3",
    ]


def test_an_id_is_one_path_segment_whatever_it_holds(stand_in):
    stand_in.pages[("demo", "1.0", None)] = (["TEST/SLASH"], None)
    stand_in.records["TEST/SLASH"] = {"id": "TEST/SLASH", "affected": []}
    (finding,) = Service(stand_in.url, 5).findings((Pin("demo", "1.0"),))
    assert finding.advisory == Advisory("TEST/SLASH", (), ())
    assert stand_in.requests[-1][1] == "/v1/vulns/TEST%2FSLASH"


def test_no_pins_no_request(stand_in):
    assert Service(stand_in.url, 5).findings(()) == []
    assert stand_in.requests == []


def unreachable(api: str, reason: str) -> str:
    return f"the OSV database at {api} could not be reached ({reason}); {HINT}"


def fails_with(service: Service, pins=(SKOPS,)) -> str:
    with pytest.raises(Unreachable) as error:
        service.findings(pins)
    return str(error.value)


def raw(data: bytes):
    def reply(handler):
        handler.wfile.write(data)

    return reply


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (lambda handler: handler.answer(503, {"message": "down"}), "HTTP 503 from /v1/querybatch"),
        (
            lambda handler: handler.answer(200, ["a", "list"]),
            "/v1/querybatch did not answer a JSON object",
        ),
        (
            lambda handler: handler.answer(200, {}),
            "/v1/querybatch did not answer one result per query",
        ),
        (
            lambda handler: handler.answer(200, {"results": []}),
            "/v1/querybatch did not answer one result per query",
        ),
        (
            raw(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>proxy login</html>"),
            "/v1/querybatch did not answer JSON",
        ),
        # Something that is not an HTTP server at all (an SSH port, say).
        (raw(b"SSH-2.0-OpenSSH_9.6\r\n"), "SSH-2.0-OpenSSH_9.6"),
        (
            raw(b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n{}"),
            "IncompleteRead(2 bytes read, 98 more expected)",
        ),
    ],
)
def test_a_failing_api_is_one_line_naming_the_reason(stand_in, reply, reason):
    stand_in.reply = reply
    assert fails_with(Service(stand_in.url, 5)) == unreachable(stand_in.url, reason)


def test_a_missing_record_names_its_path(stand_in):
    stand_in.pages[("demo", "1.0", None)] = (["GHSA-gone"], None)
    message = fails_with(Service(stand_in.url, 5), (Pin("demo", "1.0"),))
    assert message == unreachable(stand_in.url, "HTTP 404 from /v1/vulns/GHSA-gone")


def test_a_closed_port(stand_in):
    stand_in.shutdown()
    stand_in.server_close()
    message = fails_with(Service(stand_in.url, 5))
    assert message == unreachable(stand_in.url, "[Errno 111] Connection refused")


def test_an_error_with_no_message_is_named_by_its_type(monkeypatch):
    # No server failure met in practice gives an error with an empty message, so a stand-in
    # for urlopen raises one: the reason must still say something.
    def urlopen(request, timeout):
        raise http.client.HTTPException()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    api = "http://127.0.0.1:9"
    assert fails_with(Service(api, 5)) == unreachable(api, "HTTPException")


def test_an_api_slower_than_the_timeout(stand_in):
    # The stand-in would answer after 5 s; the client gives up after 0.2 s.
    stand_in.hold = True
    assert fails_with(Service(stand_in.url, 0.2)) == unreachable(stand_in.url, "timed out")


def test_a_page_token_met_twice_stops_the_paging(stand_in):
    stand_in.pages[("skops", "0.11.0", "page-2")] = (["GHSA-4v6w-xpmh-gfgp"], "page-2")
    message = fails_with(Service(stand_in.url, 5))
    assert message == unreachable(stand_in.url, "/v1/querybatch repeated the page token page-2")
    assert len(stand_in.requests) == 2
