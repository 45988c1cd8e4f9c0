"""DATA: data and models are versioned with DVC, not committed to git."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check import dvcconfig
from mlprod.check.repo import IndexEntry
from mlprod.check.rule import ERROR, Finding, Rule
from mlprod.check.rules.notebooks import has_outputs, is_notebook

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
UNITS = (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000))
PROBES = {"data": "data/mlprod-check-probe.csv", "models": "models/mlprod-check-probe.pkl"}
MEDIA = frozenset(
    ("png", "jpg", "jpeg", "gif", "svg", "webp", "tif", "tiff", "bmp", "mp4", "mov", "webm")
    + ("pdf", "ppt", "pptx", "key", "odp")
)


# Lock files are written by tools and must be committed for installs to repeat; a universal
# uv.lock of an ML project passes 1 MB.
LOCK_FILES = frozenset(
    ("uv.lock", "requirements.lock", "pylock.toml", "poetry.lock", "pdm.lock", "Pipfile.lock")
    + ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "dvc.lock")
)


def is_lock_file(path: str) -> bool:
    return os.path.basename(path) in LOCK_FILES


def is_media(path: str) -> bool:
    """Images, videos and slides: documentation, which must stay in git to render."""
    return path.rsplit(".", 1)[-1].lower() in MEDIA


def is_data_format(path: str) -> bool:
    """`.csv`, `.parquet`, ... including compressed forms such as `.csv.gz`."""
    suffixes = os.path.basename(path).lower().split(".")[1:]
    if suffixes and suffixes[-1] in COMPRESSION and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in DATA_FORMATS


def sizes(size: int, limit: int) -> tuple[str, str]:
    """A size and its limit, each in its own unit to three significant digits, or to more
    where it takes more to tell them apart: 1,049,502 bytes against 1 MB reads "1.05 MB"
    and "1.00 MB", never "1.0 MB (limit 1.0 MB)"; exact bytes as the last resort."""
    for extra in range(8):
        shown, shown_limit = readable(size, extra), readable(limit, extra)
        if shown != shown_limit or size == limit:
            return shown, shown_limit
    return f"{size:,} bytes", f"{limit:,} bytes"


def readable(size: int, extra: int = 0) -> str:
    """`size` in GB, MB or kB with three significant digits plus `extra` decimals."""
    for unit, factor in UNITS:
        if size >= factor:
            value = size / factor
            decimals = (0 if value >= 100 else 1 if value >= 10 else 2) + extra
            return f"{value:.{decimals}f} {unit}"
    return f"{size:,} bytes"


def exempt_fix(path: str, code: str) -> str:
    return f'add "{path}" = ["{code}"] under [tool.mlprod.per-file-ignores] in pyproject.toml'


def dvc_fix(path: str) -> str:
    """`dvc add` writes PATH.dvc and a .gitignore beside PATH: both are to be committed."""
    folder = os.path.dirname(path)
    ignore = f"{folder}/.gitignore" if folder else ".gitignore"
    quoted = shlex.quote(path)
    return (
        f"git rm --cached {quoted} && dvc add {quoted} && "
        f"git add {shlex.quote(path + '.dvc')} {shlex.quote(ignore)}"
    )


class LargeFile(Rule):
    code = "DATA001"
    name = "large-file"
    severity = ERROR
    summary = (
        "a tracked file over max-file-size (1 MB), or a data or model file over "
        "max-data-file-size (100 kB); .dvc pointers and lock files (uv.lock, ...) exempt"
    )
    fix = (
        "data and models: move to DVC (dvc add); notebooks: strip the outputs; "
        "images and slides: shrink them, or exempt them with per-file-ignores"
    )

    def limit(self, audit: Audit, entry: IndexEntry) -> int:
        settings = audit.settings
        return settings.max_data_file_size if is_data_format(entry.path) else settings.max_file_size

    def check_entry(self, audit: Audit, entry: IndexEntry) -> Iterator[Finding]:
        if not entry.is_file or entry.path.endswith(".dvc") or is_notebook(entry):
            return
        if is_lock_file(entry.path):
            return
        limit = self.limit(audit, entry)
        if entry.size <= limit:
            return
        if is_media(entry.path):
            fix = (
                f"shrink it below the limit (resize or compress it) and stage it again; if it "
                f"must stay as it is, {exempt_fix(entry.path, self.code)}"
            )
        else:
            fix = dvc_fix(entry.path)
        yield self.finding(entry.path, self.message(entry, limit), fix)

    def message(self, entry: IndexEntry, limit: int) -> str:
        kind = "data file" if is_data_format(entry.path) else "file"
        size, shown_limit = sizes(entry.size, limit)
        return f"{kind} of {size} is tracked by git (limit {shown_limit})"

    # A notebook is read, to tell outputs (strip them) from a notebook that is large
    # in itself (DVC).
    def reads(self, entry: IndexEntry) -> bool:
        return is_notebook(entry)

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        limit = self.limit(audit, entry)
        if entry.size <= limit:
            return
        if has_outputs(audit, entry, data, complete):
            quoted = shlex.quote(entry.path)
            fix = f"nbstripout {quoted} && git add {quoted}"
        else:
            fix = dvc_fix(entry.path)
        yield self.finding(entry.path, self.message(entry, limit), fix)


class NoDvc(Rule):
    code = "DATA002"
    name = "no-dvc"
    severity = ERROR
    summary = "DVC is not initialised"
    fix = "dvc init && git add .dvc && git commit -m 'Initialise DVC'"

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
    summary = "new files in data/ (and models/) are not ignored by git, or their .dvc pointers are"
    fix = "ignore the folders' contents in .gitignore, keeping .dvc pointers addable"

    def check(self, audit: Audit) -> Iterator[Finding]:
        folders = [
            folder
            for folder in PROBES
            if (audit.repo.root / folder).is_dir() or audit.tracked(folder)
        ]
        probes = [path for folder in folders for path in (PROBES[folder], PROBES[folder] + ".dvc")]
        ignoring = audit.repo.ignoring_patterns(probes)
        for folder in folders:
            lines = " ".join(shlex.quote(line) for line in ignore_lines(folder))
            append = f"printf '%s\\n' {lines} >> .gitignore"
            pointer = ignoring.get(PROBES[folder] + ".dvc")
            if pointer is not None:
                source, line, pattern = pointer
                yield self.finding(
                    source,
                    f"line {line} (`{pattern}`) ignores .dvc pointer files in {folder}/, so "
                    f"`git add {folder}/x.csv.dvc` fails after `dvc add {folder}/x.csv`",
                    f"delete line {line} (`{pattern}`) from {source}, then {append}",
                    line,
                )
            elif PROBES[folder] not in ignoring:
                yield self.finding(
                    ".gitignore", f"new files in {folder}/ are not ignored by git", append
                )


def ignore_lines(folder: str) -> tuple[str, ...]:
    """The generated project's patterns: the folder's contents ignored, its subfolders,
    .dvc pointers and the .gitignore files DVC writes kept."""
    return (f"/{folder}/**", f"!/{folder}/**/", f"!/{folder}/**/*.dvc", f"!/{folder}/**/.gitignore")


RULES = (LargeFile(), NoDvc(), NoDvcRemote(), DataNotIgnored())
