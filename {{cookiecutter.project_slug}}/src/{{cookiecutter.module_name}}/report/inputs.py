"""Read what the page shows. A missing or unreadable input is None, never an error."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from {{ cookiecutter.module_name }}.config import PathParams

FILL = re.compile(r"\[FILL(:[^\]]*)?\]")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
GO_NO_GO = re.compile(r"go (or|/) no-go", re.IGNORECASE)
PLANNING_DOC = "01-planning.md"
ROI_KEYS = ("units_per_month", "value_per_conversion", "running_cost_per_month")


@dataclass(frozen=True)
class PhaseDoc:
    file: str
    phase: str
    status: str
    owner: str
    markers: int


@dataclass(frozen=True)
class Decision:
    file: str
    title: str
    status: str
    date: str


@dataclass(frozen=True)
class GoNoGo:
    file: str
    question: str
    answer: str


@dataclass
class Inputs:
    """Everything the page shows; None where the file that holds it does not exist yet."""

    phases: list[PhaseDoc] = field(default_factory=list)
    go_no_go: list[GoNoGo] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    metrics: dict[str, Any] | None = None
    slices: dict[str, Any] | None = None
    roc: list[dict[str, float]] | None = None
    calibration: list[dict[str, float]] | None = None
    model_card: dict[str, str] = field(default_factory=dict)
    ab: dict[str, Any] | None = None
    roi: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] | None = None
    check: dict[str, Any] | None = None
    versions: dict[str, str] | None = None
    commit: str | None = None


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML block between leading `---` lines, and the body after it."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        return {}, text
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        fields = None
    return (fields if isinstance(fields, dict) else {}), text[match.end() :]


def count_markers(text: str) -> int:
    """Unfilled `[FILL: ...]` markers outside code spans and fenced blocks (as mlprod check)."""
    found, fenced = 0, False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            found += sum(
                1 for match in FILL.finditer(line) if line.count("`", 0, match.start()) % 2 == 0
            )
    return found


def sections(body: str) -> list[tuple[str, list[str]]]:
    """Each heading of the body with its lines, up to the next heading."""
    result: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        match = HEADING.match(line)
        if match:
            result.append((match.group(2), []))
        elif result:
            result[-1][1].append(line)
    return result


def answer(lines: list[str]) -> str:
    """A question's answer: its text without the guidance line and the quoted example."""
    kept = [
        line.strip()
        for line in lines
        if line.strip() and not line.startswith(">") and not line.startswith("**Guidance:**")
    ]
    return " ".join(kept)


def read_phases(folder: Path) -> tuple[list[PhaseDoc], list[GoNoGo], dict[str, Any]]:
    phases, decisions, roi = [], [], {}
    for path in sorted(folder.glob("*.md")):
        fields, body = split_front_matter(path.read_text(encoding="utf-8"))
        phases.append(
            PhaseDoc(
                path.name,
                str(fields.get("phase", path.stem)),
                str(fields.get("status", "no front matter")),
                str(fields.get("owner", "")),
                count_markers(body),
            )
        )
        decisions += [
            GoNoGo(path.name, heading, answer(lines))
            for heading, lines in sections(body)
            if GO_NO_GO.search(heading)
        ]
        if path.name == PLANNING_DOC:
            roi = {key: fields.get(f"roi_{key}") for key in (*ROI_KEYS, "currency")}
    return phases, decisions, roi


def read_decisions(folder: Path) -> list[Decision]:
    """Decision records: numbered files but the template (0000)."""
    records = []
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]-*.md")):
        if path.name.startswith("0000-"):
            continue
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
        found = dict(re.findall(r"^- (Status|Date): *(.*?) *$", text, re.MULTILINE))
        records.append(Decision(path.name, title, found.get("Status", ""), found.get("Date", "")))
    return records


def read_model_card(path: Path) -> dict[str, str]:
    """The model card's intended use and limitations, as written (markers included)."""
    try:
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
    except OSError:
        return {}
    wanted = {"intended use": "Intended use", "limitations": "Limitations"}
    card = {}
    for heading, lines in sections(body):
        for key, name in wanted.items():
            if key in heading.lower() and name not in card:
                card[name] = "\n".join(line for line in lines if not line.startswith(">")).strip()
    return card


def read_versions(lock: Path, page: Path) -> dict[str, str] | None:
    """Each pipeline output's content hash, from dvc.lock (but the page's own)."""
    try:
        stages = yaml.safe_load(lock.read_text(encoding="utf-8"))["stages"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    return {
        out["path"]: out.get("md5", "")
        for stage in stages.values()
        for out in stage.get("outs", [])
        if Path(out["path"]) != page
    }


def read_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def read_inputs(paths: PathParams, root: Path = Path()) -> Inputs:
    """Read every input of the page from the files `paths` names."""
    phases, go_no_go, roi = read_phases(root / paths.docs / "phases")
    return Inputs(
        phases=phases,
        go_no_go=go_no_go,
        decisions=read_decisions(root / paths.docs / "decisions"),
        metrics=read_json(root / paths.metrics),
        slices=read_json(root / paths.slices),
        roc=read_json(root / paths.plots / "roc.json"),
        calibration=read_json(root / paths.plots / "calibration.json"),
        model_card=read_model_card(root / paths.docs / "model-card.md"),
        ab=read_json(root / paths.ab_analysis),
        roi=roi,
        drift=read_json(root / paths.drift_report.with_suffix(".json")),
        check=read_json(root / paths.check),
        versions=read_versions(root / "dvc.lock", paths.report),
        commit=read_commit(root),
    )
