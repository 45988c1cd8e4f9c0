"""NB: notebooks are committed without outputs, and git diffs and merges them cell by cell."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check.finding import ERROR, WARNING, Finding, Rule
from mlprod.check.repo import IndexEntry

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

NB001 = Rule("NB001", ERROR, "a notebook in the git index has outputs or execution counts")
NB002 = Rule("NB002", ERROR, "the nbstripout filter is not active for *.ipynb")
NB003 = Rule("NB003", WARNING, "no notebook diff/merge driver is configured")
NB004 = Rule("NB004", ERROR, "a tracked .ipynb file is not a valid notebook")
RULES = (NB001, NB002, NB003, NB004)

# A new notebook gets the attributes of this path when no notebook is tracked yet.
PROBE = "notebooks/mlprod-check-probe.ipynb"
ATTRIBUTES_FIX = (
    "add `*.ipynb filter=nbstripout diff=jupyternotebook merge=jupyternotebook` to .gitattributes"
)
NOT_A_DRIVER = {"unspecified", "unset", "set", "text", "binary", "union"}
CELL_TYPES = {"code", "markdown", "raw"}
# For a notebook above max-scan-size only its head is read; these prove outputs are in it.
OUTPUT_TRACES = re.compile(rb'"execution_count"\s*:\s*\d|"outputs"\s*:\s*\[\s*\{')


def wants(entry: IndexEntry) -> bool:
    return entry.path.lower().endswith(".ipynb")


def notebook_paths(audit: Audit) -> list[str]:
    tracked = [entry.path for entry in audit.entries.values() if wants(entry) and entry.is_file]
    return tracked or [PROBE]


def summary(paths: list[str]) -> str:
    if paths == [PROBE]:
        return "new notebooks"
    return f"{len(paths)} notebook{'s' if len(paths) > 1 else ''} (e.g. {paths[0]})"


# Per attribute, the git config keys of which one must name the driver's command.
DRIVER_KEYS = {"diff": ("command", "textconv"), "merge": ("driver",)}


def check(audit: Audit) -> Iterator[Finding]:
    paths = notebook_paths(audit)
    attributes = audit.repo.attributes(paths, ["filter", *DRIVER_KEYS])
    config = audit.repo.config()
    setup = audit.per_clone_fix("nbstripout --install && nbdime config-git --enable")

    unfiltered = [path for path in paths if attributes[path].get("filter") != "nbstripout"]
    if unfiltered:
        yield NB002.finding(
            ".gitattributes", f"no nbstripout filter for {summary(unfiltered)}", ATTRIBUTES_FIX
        )
    if "filter.nbstripout.clean" not in config:
        yield NB002.finding(
            ".git/config",
            "the nbstripout filter is not configured in this clone (filter.nbstripout.clean)",
            setup,
        )

    unconfigured: set[str] = set()
    for kind, keys in DRIVER_KEYS.items():
        names = {path: attributes[path].get(kind, "unspecified") for path in paths}
        lacking = [path for path, name in names.items() if name in NOT_A_DRIVER]
        if lacking:
            yield NB003.finding(
                ".gitattributes",
                f"no notebook {kind} driver for {summary(lacking)}",
                ATTRIBUTES_FIX,
            )
        for name in set(names.values()) - NOT_A_DRIVER:
            if not any(f"{kind}.{name}.{key}" in config for key in keys):
                unconfigured.add(f"{kind}.{name}.{keys[0]}")
    if unconfigured:
        yield NB003.finding(
            ".git/config",
            "the notebook drivers are not configured in this clone "
            f"({', '.join(sorted(unconfigured))})",
            setup,
        )


def check_file(audit: Audit, entry: IndexEntry, data: bytes, complete: bool) -> Iterator[Finding]:
    strip_fix = f"run `nbstripout {entry.path}` and stage it again"
    if not complete:
        if OUTPUT_TRACES.search(data):
            yield NB001.finding(
                entry.path, "the notebook has outputs or execution counts", strip_fix
            )
        return
    try:
        notebook = json.loads(data)
    except UnicodeDecodeError:
        yield NB004.finding(entry.path, "the notebook is not UTF-8 text", restore_fix(entry))
        return
    except (ValueError, RecursionError) as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        yield NB004.finding(
            entry.path, f"the notebook is not valid JSON{where}", restore_fix(entry)
        )
        return
    cells, problem = notebook_cells(notebook)
    if problem:
        yield NB004.finding(entry.path, f"not a Jupyter notebook: {problem}", restore_fix(entry))
        return
    with_outputs = sum(1 for cell in cells if cell.get("outputs"))
    counted = sum(
        1 for cell in cells if cell.get("execution_count", cell.get("prompt_number")) is not None
    )
    if with_outputs or counted:
        yield NB001.finding(
            entry.path,
            f"outputs in {cells_text(with_outputs)}, execution counts in {cells_text(counted)}",
            strip_fix,
        )


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
