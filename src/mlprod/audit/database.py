"""The offline source: a zip or directory of OSV JSON records, such as the PyPI export that
osv.dev publishes (ALL_ZIP), matched here against the pinned versions."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from mlprod.audit import osv
from mlprod.audit.findings import Finding
from mlprod.audit.pins import Pin
from mlprod.errors import UsageError

ALL_ZIP = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
DOWNLOAD_HINT = f"download {ALL_ZIP} and pass it as --db"


class Database:
    """The records of `path` about the packages in `keys`, by normalised name."""

    def __init__(self, path: Path, keys: set[str]) -> None:
        self.path = path
        self.records: dict[str, list[dict]] = {key: [] for key in keys}
        self.pypi_records = 0
        self.newest = ""
        for where, record in _records(path):
            if not isinstance(record, dict) or not record.get("id"):
                raise UsageError(f"{where} is not an OSV record (no id); {DOWNLOAD_HINT}")
            names = osv.pypi_names(record)
            if not names:
                continue
            self.pypi_records += 1
            self.newest = max(self.newest, str(record.get("modified", "")))
            for key in names & keys:
                self.records[key].append(record)
        # An empty or foreign database would pass every package without judging any.
        if self.pypi_records == 0:
            raise UsageError(f"{path} holds no OSV records for PyPI packages; {DOWNLOAD_HINT}")

    def describe(self) -> str:
        newest = f", modified up to {self.newest[:10]}" if self.newest else ""
        plural = "" if self.pypi_records == 1 else "s"
        return f"OSV database {self.path}: {self.pypi_records} PyPI record{plural}{newest}"

    def findings(self, pins: tuple[Pin, ...]) -> list[Finding]:
        found = []
        for pin in pins:
            for record in self.records.get(pin.key, ()):
                if osv.withdrawn(record):
                    continue
                verdict = osv.verdict(osv.package_entries(record, pin.key), pin.version)
                if verdict is not osv.Verdict.UNAFFECTED:
                    found.append(
                        Finding(
                            pin,
                            osv.advisory(record, pin.key, pin.version),
                            judged=verdict is osv.Verdict.AFFECTED,
                        )
                    )
        return found


def _records(path: Path) -> Iterator[tuple[str, object]]:
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            yield str(file), _parse(file.read_bytes(), str(file))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".json"):
                    where = f"{path}:{name}"
                    try:
                        data = archive.read(name)
                    except (zipfile.BadZipFile, OSError) as error:
                        raise UsageError(
                            f"{where} cannot be read ({error}); {DOWNLOAD_HINT}"
                        ) from None
                    yield where, _parse(data, where)
    elif path.exists():
        raise UsageError(f"{path} is neither a zip nor a directory of OSV records; {DOWNLOAD_HINT}")
    else:
        raise UsageError(f"database {path} does not exist; {DOWNLOAD_HINT}")


def _parse(data: bytes, where: str) -> object:
    try:
        return json.loads(data)
    except ValueError as error:
        raise UsageError(f"{where} is not JSON ({error}); {DOWNLOAD_HINT}") from None
