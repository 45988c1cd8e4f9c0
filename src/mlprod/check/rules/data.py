"""DATA: data and models are versioned with DVC, not committed to git."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check import dvcconfig
from mlprod.check.finding import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

DATA001 = Rule("DATA001", ERROR, "a tracked file over the size limit belongs in DVC")
DATA002 = Rule("DATA002", ERROR, "DVC is not initialised")
DATA003 = Rule("DATA003", ERROR, "no default DVC remote")
DATA004 = Rule("DATA004", ERROR, "the data folders are not ignored by git")
RULES = (DATA001, DATA002, DATA003, DATA004)

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


def check(audit: Audit) -> Iterator[Finding]:
    yield from sizes(audit)
    yield from dvc(audit)
    yield from ignored_folders(audit)


def sizes(audit: Audit) -> Iterator[Finding]:
    settings = audit.settings
    for entry in audit.entries.values():
        if not entry.is_file or entry.path.endswith(".dvc"):
            continue
        data_format = is_data_format(entry.path)
        limit = settings.max_data_file_size if data_format else settings.max_file_size
        if entry.size > limit:
            kind = "data file" if data_format else "file"
            yield DATA001.finding(
                entry.path,
                f"{kind} of {human(entry.size)} is tracked by git (limit {human(limit)})",
                f"git rm --cached {shlex.quote(entry.path)} && dvc add {shlex.quote(entry.path)}",
            )


def dvc(audit: Audit) -> Iterator[Finding]:
    text = audit.text(DVC_CONFIG)
    if text is None:
        yield DATA002.finding(
            DVC_CONFIG,
            "DVC is not initialised (no .dvc/config tracked)",
            "dvc init && git add .dvc && git commit",
        )
        return
    sections = dvcconfig.parse(text)
    remote = dvcconfig.default_remote(sections)
    if not remote:
        yield DATA003.finding(
            DVC_CONFIG,
            "no default DVC remote ([core] remote is not set)",
            "dvc remote add --default NAME URL, then commit .dvc/config",
        )
    elif "url" not in sections.get(("remote", remote), {}):
        yield DATA003.finding(
            DVC_CONFIG,
            f"the default remote '{remote}' has no url in .dvc/config",
            f"dvc remote add --force --default {remote} URL, then commit .dvc/config",
        )


def ignored_folders(audit: Audit) -> Iterator[Finding]:
    folders = ["data"]
    if (audit.repo.root / "models").is_dir() or any(p.startswith("models/") for p in audit.entries):
        folders.append("models")
    ignored = audit.repo.ignored([PROBES[folder] for folder in folders])
    for folder in folders:
        if PROBES[folder] not in ignored:
            yield DATA004.finding(
                ".gitignore",
                f"new files in {folder}/ are not ignored by git",
                f"add `/{folder}/*` (with `!/{folder}/.gitkeep` to keep the folder) to .gitignore",
            )
