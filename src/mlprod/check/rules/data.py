"""DATA: data and models are versioned with DVC, not committed to git."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check import dvcconfig
from mlprod.check.repo import IndexEntry
from mlprod.check.rule import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

DVC_CONFIG = ".dvc/config"
TABULAR = ("csv", "tsv", "parquet", "pq", "feather", "arrow", "ipc")
RECORDS = ("jsonl", "ndjson", "avro", "orc")
ARRAYS = ("h5", "hdf5", "hdf", "nc", "npy", "npz", "mat", "tfrecord", "lmdb")
SPREADSHEETS_AND_DATABASES = ("xls", "xlsx", "sqlite", "db", "duckdb")
MODELS = ("pkl", "pickle", "joblib", "pt", "pth", "ckpt", "onnx", "safetensors")
ARCHIVES = ("zip", "tar", "tgz", "7z")
DATA_FORMATS = frozenset(
    TABULAR + RECORDS + ARRAYS + SPREADSHEETS_AND_DATABASES + MODELS + ARCHIVES
)
COMPRESSION = frozenset(("gz", "bz2", "xz", "zst", "lz4", "zip"))
# Paths whose ignore status stands for "a new file dropped into this folder".
PROBES = {"data": "data/mlprod-check-probe.csv", "models": "models/mlprod-check-probe.pkl"}


def is_data_format(path: str) -> bool:
    """`.csv`, `.parquet`, ... including compressed forms such as `.csv.gz`."""
    suffixes = os.path.basename(path).lower().split(".")[1:]
    if suffixes and suffixes[-1] in COMPRESSION and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in DATA_FORMATS


def human(size: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


class LargeFile(Rule):
    code = "DATA001"
    name = "large-file"
    severity = ERROR
    summary = (
        "a tracked file over max-file-size (1 MB), or a data or model file over "
        "max-data-file-size (100 kB); .dvc pointers exempt"
    )
    fix = "move it to DVC: git rm --cached PATH && dvc add PATH"

    def check_entry(self, audit: Audit, entry: IndexEntry) -> Iterator[Finding]:
        if not entry.is_file or entry.path.endswith(".dvc"):
            return
        settings = audit.settings
        data_format = is_data_format(entry.path)
        limit = settings.max_data_file_size if data_format else settings.max_file_size
        if entry.size > limit:
            kind = "data file" if data_format else "file"
            yield self.finding(
                entry.path,
                f"{kind} of {human(entry.size)} is tracked by git (limit {human(limit)})",
                f"git rm --cached {shlex.quote(entry.path)} && dvc add {shlex.quote(entry.path)}",
            )


class NoDvc(Rule):
    code = "DATA002"
    name = "no-dvc"
    severity = ERROR
    summary = "DVC is not initialised"
    fix = "dvc init && git add .dvc && git commit"

    def check(self, audit: Audit) -> Iterator[Finding]:
        if audit.text(DVC_CONFIG) is None:
            yield self.finding(
                DVC_CONFIG, "DVC is not initialised (no .dvc/config tracked)", self.fix
            )


class NoDvcRemote(Rule):
    code = "DATA003"
    name = "no-dvc-remote"
    severity = ERROR
    summary = "no default DVC remote"
    fix = "dvc remote add --default NAME URL, then commit .dvc/config"

    def check(self, audit: Audit) -> Iterator[Finding]:
        text = audit.text(DVC_CONFIG)
        if text is None:
            return
        sections = dvcconfig.parse(text)
        remote = dvcconfig.default_remote(sections)
        if not remote:
            yield self.finding(
                DVC_CONFIG, "no default DVC remote ([core] remote is not set)", self.fix
            )
        elif "url" not in sections.get(("remote", remote), {}):
            yield self.finding(
                DVC_CONFIG,
                f"the default remote '{remote}' has no url in .dvc/config",
                f"dvc remote add --force --default {remote} URL, then commit .dvc/config",
            )


class DataNotIgnored(Rule):
    code = "DATA004"
    name = "data-not-ignored"
    severity = ERROR
    summary = "new files in data/ (and models/) are not ignored by git"
    fix = "ignore the folders' contents in .gitignore, keeping .dvc pointers addable"

    def check(self, audit: Audit) -> Iterator[Finding]:
        folders = ["data"]
        if (audit.repo.root / "models").is_dir() or audit.tracked("models"):
            folders.append("models")
        ignored = audit.repo.ignored([PROBES[folder] for folder in folders])
        for folder in folders:
            if PROBES[folder] not in ignored:
                yield self.finding(
                    ".gitignore",
                    f"new files in {folder}/ are not ignored by git",
                    f"add `/{folder}/*` (with `!/{folder}/.gitkeep` to keep the folder) "
                    "to .gitignore",
                )


RULES = (LargeFile(), NoDvc(), NoDvcRemote(), DataNotIgnored())
