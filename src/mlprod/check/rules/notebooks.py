"""NB: notebooks are committed without outputs, and git diffs and merges them cell by cell."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from mlprod.check.repo import IndexEntry
from mlprod.check.rule import ERROR, WARNING, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

# A new notebook gets the attributes of this path when no notebook is tracked yet.
PROBE = "notebooks/mlprod-check-probe.ipynb"
ATTRIBUTES_FIX = (
    "add `*.ipynb filter=nbstripout diff=jupyternotebook merge=jupyternotebook` to .gitattributes"
)
CLONE_SETUP = "nbstripout --install && nbdime config-git --enable"
NOT_A_DRIVER = {"unspecified", "unset", "set", "text", "binary", "union"}
CELL_TYPES = {"code", "markdown", "raw"}
# For a notebook above max-scan-size only its head is read; these prove outputs are in it.
OUTPUT_TRACES = re.compile(rb'"execution_count"\s*:\s*\d|"outputs"\s*:\s*\[\s*\{')
TRACE_OVERLAP = 4096  # longer than any trace, whitespace included, in a formatted notebook


def is_notebook(entry: IndexEntry) -> bool:
    return entry.path.lower().endswith(".ipynb")


def notebook_paths(audit: Audit) -> list[str]:
    """The tracked notebooks; else a probe path where a notebooks/ folder awaits them; else
    none: a repository without notebooks needs no notebook set-up."""
    tracked = [e.path for e in audit.entries.values() if is_notebook(e) and e.is_file]
    if tracked:
        return tracked
    if (audit.repo.root / "notebooks").is_dir() or audit.tracked("notebooks"):
        return [PROBE]
    return []


def summary(paths: list[str]) -> str:
    if paths == [PROBE]:
        return "new notebooks"
    return f"{len(paths)} notebook{'s' if len(paths) > 1 else ''} (e.g. {paths[0]})"


# Per attribute, the git config keys of which one must name the driver's command.
DRIVER_KEYS = {"diff": ("command", "textconv"), "merge": ("driver",)}


def notebook_attributes(audit: Audit) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The notebooks (or a probe path) and their git attributes, looked up once per audit."""
    if "notebook_attributes" not in audit.shared:
        paths = notebook_paths(audit)
        audit.shared["notebook_attributes"] = (
            paths,
            audit.repo.attributes(paths, ["filter", *DRIVER_KEYS]),
        )
    return audit.shared["notebook_attributes"]  # type: ignore[return-value]


class Inspection(NamedTuple):
    """What NB001 and NB004 need to know of one notebook, worked out once for both."""

    problem: str
    with_outputs: int
    counted: int


def inspect(audit: Audit, entry: IndexEntry, data: bytes) -> Inspection:
    memo = audit.shared.setdefault("notebooks", {})
    assert isinstance(memo, dict)
    if entry.sha not in memo:
        memo[entry.sha] = parse(data)
    return memo[entry.sha]


def parse(data: bytes) -> Inspection:
    try:
        notebook = json.loads(data)
    except UnicodeDecodeError:
        return Inspection("the notebook is not UTF-8 text", 0, 0)
    except (ValueError, RecursionError) as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        return Inspection(f"the notebook is not valid JSON{where}", 0, 0)
    cells, problem = notebook_cells(notebook)
    if problem:
        return Inspection(f"not a Jupyter notebook: {problem}", 0, 0)
    with_outputs = sum(1 for cell in cells if cell.get("outputs"))
    counted = sum(
        1 for cell in cells if cell.get("execution_count", cell.get("prompt_number")) is not None
    )
    return Inspection("", with_outputs, counted)


def traces_of_outputs(audit: Audit, entry: IndexEntry) -> bool:
    """Whether a notebook too large to parse holds outputs anywhere, read as a stream: the
    outputs of a notebook may lie far past its first max-scan-size bytes."""
    memo = audit.shared.setdefault("output_traces", {})
    assert isinstance(memo, dict)
    if entry.sha not in memo:
        tail = b""
        memo[entry.sha] = False
        for piece in audit.repo.chunks(entry):
            # Keep the end of the previous piece: a trace may straddle two pieces.
            window = tail + piece
            if OUTPUT_TRACES.search(window):
                memo[entry.sha] = True
                break
            tail = window[-TRACE_OVERLAP:]
    return memo[entry.sha]


def has_outputs(audit: Audit, entry: IndexEntry, data: bytes, complete: bool) -> bool:
    if not complete:
        return traces_of_outputs(audit, entry)
    found = inspect(audit, entry, data)
    return bool(found.with_outputs or found.counted)


class NotebookOutputs(Rule):
    code = "NB001"
    name = "notebook-outputs"
    severity = ERROR
    summary = "a notebook in the git index has outputs or execution counts"
    fix = "nbstripout the notebook and stage it again"

    def reads(self, entry: IndexEntry) -> bool:
        return is_notebook(entry)

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        quoted = shlex.quote(entry.path)
        strip_fix = f"nbstripout {quoted} && git add {quoted}"
        if not complete:
            if traces_of_outputs(audit, entry):
                yield self.finding(
                    entry.path, "the notebook has outputs or execution counts", strip_fix
                )
            return
        found = inspect(audit, entry, data)
        if found.with_outputs or found.counted:
            yield self.finding(
                entry.path,
                f"outputs in {cells_text(found.with_outputs)}, "
                f"execution counts in {cells_text(found.counted)}",
                strip_fix,
            )


class NoStripFilter(Rule):
    code = "NB002"
    name = "no-strip-filter"
    severity = ERROR
    summary = "the nbstripout filter is not active for *.ipynb"
    fix = "route *.ipynb through nbstripout in .gitattributes and configure it in each clone"

    def check(self, audit: Audit) -> Iterator[Finding]:
        paths, attributes = notebook_attributes(audit)
        if not paths:
            return
        unfiltered = [path for path in paths if attributes[path].get("filter") != "nbstripout"]
        if unfiltered:
            yield self.finding(
                ".gitattributes", f"no nbstripout filter for {summary(unfiltered)}", ATTRIBUTES_FIX
            )
        if "filter.nbstripout.clean" not in audit.repo.config():
            yield self.finding(
                ".git/config",
                "the nbstripout filter is not configured in this clone (filter.nbstripout.clean)",
                audit.per_clone_fix(CLONE_SETUP),
            )


class NoNotebookDrivers(Rule):
    code = "NB003"
    name = "no-notebook-drivers"
    severity = WARNING
    summary = "no notebook diff/merge driver is configured"
    fix = "route *.ipynb through nbdime in .gitattributes and configure it in each clone"

    def check(self, audit: Audit) -> Iterator[Finding]:
        paths, attributes = notebook_attributes(audit)
        if not paths:
            return
        config = audit.repo.config()
        unconfigured: set[str] = set()
        for kind, keys in DRIVER_KEYS.items():
            names = {path: attributes[path].get(kind, "unspecified") for path in paths}
            lacking = [path for path, name in names.items() if name in NOT_A_DRIVER]
            if lacking:
                yield self.finding(
                    ".gitattributes",
                    f"no notebook {kind} driver for {summary(lacking)}",
                    ATTRIBUTES_FIX,
                )
            for name in set(names.values()) - NOT_A_DRIVER:
                if not any(f"{kind}.{name}.{key}" in config for key in keys):
                    unconfigured.add(f"{kind}.{name}.{keys[0]}")
        if unconfigured:
            yield self.finding(
                ".git/config",
                "the notebook drivers are not configured in this clone "
                f"({', '.join(sorted(unconfigured))})",
                audit.per_clone_fix(CLONE_SETUP),
            )


class InvalidNotebook(Rule):
    code = "NB004"
    name = "invalid-notebook"
    severity = ERROR
    summary = "a tracked .ipynb that is not a valid notebook"
    fix = "restore a valid version from the history, or remove the file"

    def reads(self, entry: IndexEntry) -> bool:
        return is_notebook(entry)

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        if not complete:
            return
        found = inspect(audit, entry, data)
        if found.problem:
            yield self.finding(entry.path, found.problem, restore_fix(entry))


RULES = (NotebookOutputs(), NoStripFilter(), NoNotebookDrivers(), InvalidNotebook())


def cells_text(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def restore_fix(entry: IndexEntry) -> str:
    return f"restore a valid version (git log -- {entry.path}) or remove the file"


def notebook_cells(notebook: object) -> tuple[list[dict], str]:
    """The cells of an nbformat 3 or 4 document, or a reason it is not one.

    Checks the structure nbformat's schema requires of every cell, without importing
    nbformat: this runs on every notebook of the repository.
    """
    if not isinstance(notebook, dict):
        return [], "the top level is not a JSON object"
    version = notebook.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool):
        return [], "no integer 'nbformat' version"
    if not isinstance(notebook.get("metadata", {}), dict):
        return [], "'metadata' is not an object"
    if version >= 4:
        cells = notebook.get("cells")
    else:
        sheets = notebook.get("worksheets")
        if not isinstance(sheets, list) or not all(isinstance(s, dict) for s in sheets):
            return [], "'worksheets' is not a list of objects"
        cells = [cell for sheet in sheets for cell in sheet.get("cells", [])]
    if not isinstance(cells, list):
        return [], "'cells' is not a list"
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            return [], f"cell {number} is not an object"
        kind = cell.get("cell_type")
        if version >= 4 and kind not in CELL_TYPES:
            return [], f"cell {number} has cell_type {kind!r}"
        source = cell.get("source", cell.get("input", ""))
        if not (
            isinstance(source, str)
            or (isinstance(source, list) and all(isinstance(line, str) for line in source))
        ):
            return [], f"cell {number} has a source that is not text"
        if kind == "code" and not isinstance(cell.get("outputs", []), list):
            return [], f"cell {number} has 'outputs' that is not a list"
    return cells, ""
