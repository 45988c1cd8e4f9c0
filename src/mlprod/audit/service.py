"""The online source: the OSV API (https://google.github.io/osv.dev/api/), which matches the
versions itself. One batch query names the advisories of each pin; each advisory's record is
then fetched once for its aliases and fixed versions."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import quote

from mlprod import __version__
from mlprod.audit import osv
from mlprod.audit.database import ALL_ZIP
from mlprod.audit.findings import Finding
from mlprod.audit.pins import Pin
from mlprod.errors import Unreachable

API = "https://api.osv.dev"
BATCH = 1000  # the most queries /v1/querybatch accepts at once


class Service:
    def __init__(self, api: str, timeout: float) -> None:
        self.api = api.rstrip("/")
        self.timeout = timeout

    def describe(self) -> str:
        return f"OSV API {self.api}"

    def _request(self, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.api + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "User-Agent": f"mlprod/{__version__}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise self._unreachable(f"HTTP {error.code} from {path}") from None
        except urllib.error.URLError as error:
            raise self._unreachable(str(error.reason)) from None
        # OSError: refused, reset or timed out; HTTPException: an answer that is not HTTP.
        except (OSError, http.client.HTTPException) as error:
            raise self._unreachable(str(error) or type(error).__name__) from None
        except ValueError:
            raise self._unreachable(f"{path} did not answer JSON") from None
        if not isinstance(answer, dict):
            raise self._unreachable(f"{path} did not answer a JSON object")
        return answer

    def _unreachable(self, reason: str) -> Unreachable:
        reason = " ".join(reason.split())
        return Unreachable(
            f"the OSV database at {self.api} could not be reached ({reason}); nothing was "
            f"audited. Audit offline: download {ALL_ZIP} and pass it as --db"
        )

    def _ids(self, pins: tuple[Pin, ...]) -> list[set[str]]:
        """The advisory ids of each pin, following each result's pages to the end."""
        ids: list[set[str]] = [set() for _ in pins]
        pending = [(index, None) for index in range(len(pins))]
        # A token met twice would page in a circle for ever.
        tokens: set[tuple[int, str]] = set()
        while pending:
            chunk, pending = pending[:BATCH], pending[BATCH:]
            queries = []
            for index, token in chunk:
                query = {
                    "package": {"name": pins[index].name, "ecosystem": osv.ECOSYSTEM},
                    "version": pins[index].version,
                }
                if token:
                    query["page_token"] = token
                queries.append(query)
            results = self._request("/v1/querybatch", {"queries": queries}).get("results")
            if not isinstance(results, list) or len(results) != len(chunk):
                raise self._unreachable("/v1/querybatch did not answer one result per query")
            for (index, _), result in zip(chunk, results, strict=True):
                ids[index].update(str(vuln["id"]) for vuln in result.get("vulns") or ())
                next_token = result.get("next_page_token")
                if next_token:
                    if (index, next_token) in tokens:
                        raise self._unreachable(
                            f"/v1/querybatch repeated the page token {next_token}"
                        )
                    tokens.add((index, next_token))
                    pending.append((index, next_token))
        return ids

    def findings(self, pins: tuple[Pin, ...]) -> list[Finding]:
        if not pins:
            return []
        ids = self._ids(pins)
        records = {
            vuln: self._request(f"/v1/vulns/{quote(vuln, safe='')}")
            for vuln in sorted(set().union(*ids))
        }
        return [
            Finding(pin, osv.advisory(records[vuln], pin.key, pin.version))
            for pin, pin_ids in zip(pins, ids, strict=True)
            for vuln in sorted(pin_ids)
            if not osv.withdrawn(records[vuln])
        ]
