"""OSV records for the audit's tests.

data/osv/GHSA-*.json are reduced copies of real advisories (ids, aliases, package and range
as GitHub published them; only the fields the audit reads). data/osv/synthetic/ holds made-up
records (ids TEST-*) for the range rules that no real advisory shows in one place.
"""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

OSV_DIR = Path(__file__).parent / "data" / "osv"


def records() -> list[Path]:
    return sorted(OSV_DIR.rglob("*.json"))


def record(name: str) -> dict:
    (path,) = [path for path in records() if path.stem == name]
    return json.loads(path.read_text(encoding="utf-8"))


def write_zip(target: Path) -> Path:
    """The records as osv.dev publishes them: flat JSON files in one zip."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in records():
            archive.write(path, path.name)
    return target


@pytest.fixture
def osv_zip(tmp_path) -> Path:
    return write_zip(tmp_path / "all.zip")


@pytest.fixture
def requirements(tmp_path):
    """requirements(text) -> path of a requirements file holding it."""

    def write(text: str, name: str = "requirements.txt") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


class _OsvHandler(BaseHTTPRequestHandler):
    """Answers OSV's two calls from the server's tables; the answers are written out in the
    tests, not computed by the code under test."""

    def log_message(self, *args):  # keep the test output clean
        pass

    def answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _heard(self, body: object) -> str | None:
        """Notes the request; the path below the mirror's prefix, None if outside it."""
        server: OsvStandIn = self.server  # type: ignore[assignment]
        headers = {name.lower(): value for name, value in self.headers.items()}
        server.requests.append((self.command, self.path, headers, body))
        if server.hold:
            server.release.wait(5)
        if server.reply:
            server.reply(self)
            return None
        if not self.path.startswith(server.prefix + "/"):
            self.answer(404, {"message": "not found"})
            return None
        return self.path[len(server.prefix) :]

    def do_POST(self):
        server: OsvStandIn = self.server  # type: ignore[assignment]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        path = self._heard(body)
        if path is None:
            return
        if len(server.requests) > 20:
            # A client paging in a circle: fail it rather than let the test hang.
            self.answer(429, {"message": "too many requests"})
            return
        if path != "/v1/querybatch" or not isinstance(body, dict):
            self.answer(400, {"message": "expected a querybatch"})
            return
        results = []
        for query in body["queries"]:
            # As strict as the real API: a query it cannot read is refused, not answered.
            token = query.get("page_token", "")
            if (
                set(query) - {"package", "version", "page_token"}
                or set(query.get("package", {})) != {"name", "ecosystem"}
                or query["package"]["ecosystem"] != "PyPI"
                or not isinstance(query.get("version"), str)
                or not isinstance(token, str)
            ):
                self.answer(400, {"message": f"invalid query {query}"})
                return
            key = (query["package"]["name"], query["version"], query.get("page_token"))
            ids, token = server.pages.get(key, ([], None))
            result: dict = {
                "vulns": [{"id": vuln, "modified": "2026-01-01T00:00:00Z"} for vuln in ids]
            }
            if token:
                result["next_page_token"] = token
            results.append(result)
        self.answer(200, {"results": results})

    def do_GET(self):
        server: OsvStandIn = self.server  # type: ignore[assignment]
        path = self._heard(None)
        if path is None:
            return
        vuln = unquote(path.removeprefix("/v1/vulns/"))
        if not path.startswith("/v1/vulns/") or vuln not in server.records:
            self.answer(404, {"message": "not found"})
            return
        self.answer(200, server.records[vuln])


class OsvStandIn(ThreadingHTTPServer):
    """A local OSV API on 127.0.0.1: osv.dev cannot be reached from the test machine.

    By default: skops 0.11.0 has two advisories, served on two pages; example-ranges 0.9 has
    only the withdrawn one; example-ranges 2.1 has TEST-RANGES, whose one fix is below it;
    anything else has none. `requests` lists (method, path, headers, body) as heard; `reply`
    replaces every answer; `hold` keeps each request waiting until `release` (at most 5 s).
    """

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _OsvHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.prefix = ""
        self.pages: dict[tuple[str, str, str | None], tuple[list[str], str | None]] = {
            ("skops", "0.11.0", None): (["GHSA-m7f4-hrc6-fwg3"], "page-2"),
            ("skops", "0.11.0", "page-2"): (["GHSA-4v6w-xpmh-gfgp"], None),
            ("example-ranges", "0.9", None): (["TEST-WITHDRAWN"], None),
            ("example-ranges", "2.1", None): (["TEST-RANGES"], None),
        }
        self.records = {
            path.stem: json.loads(path.read_text(encoding="utf-8")) for path in records()
        }
        self.requests: list[tuple[str, str, dict[str, str], object]] = []
        self.reply: Callable[[_OsvHandler], None] | None = None
        self.hold = False
        self.release = threading.Event()

    def handle_error(self, request, client_address):
        pass  # a client that timed out and left; the test asserts what the client saw


@pytest.fixture
def stand_in():
    server = OsvStandIn()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
