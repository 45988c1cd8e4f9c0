"""DOC: every phase of the project has its document, and a finished document is filled in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlprod.check.repo import IndexEntry
from mlprod.check.rule import ERROR, Finding, Rule

if TYPE_CHECKING:
    from mlprod.check.audit import Audit

PHASES_DIR = "docs/phases"
PHASE_DOCS = tuple(
    f"{PHASES_DIR}/{name}.md"
    for name in (
        "01-planning",
        "02-scoping-and-research",
        "03-experimentation",
        "04-development",
        "05-deployment",
        "06-evaluation",
    )
)
PLANNING_DOC = PHASE_DOCS[0]
FRONT_MATTER_KEYS = ("phase", "status", "owner", "last_reviewed")
STATUSES = ("not-started", "in-progress", "done")
STARTED = ("in-progress", "done")
FILL = re.compile(r"\[FILL(:[^\]]*)?\]")
FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
REQUIRED_SECTIONS = ("Success metric", "Baseline")


def front_matter(lines: list[str]) -> tuple[dict[str, str], int] | None:
    """Top-level `key: value` pairs of a leading `---` block and the line after it."""
    if not lines or lines[0].lstrip("\ufeff").strip() != "---":
        return None
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], 1):
        if line.strip() in ("---", "..."):
            return fields, number + 1
        match = FIELD.match(line)
        if match:
            value = match.group(2)
            if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
                value = value[1:-1]
            else:
                value = value.split(" #", 1)[0].strip()
            fields[match.group(1)] = value
    return None


def markers(lines: list[str]) -> list[int]:
    """Line numbers of fill-in markers outside code spans and fenced code blocks."""
    found, fenced = [], False
    for number, line in enumerate(lines, 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in FILL.finditer(line):
            if line.count("`", 0, match.start()) % 2 == 0:
                found.append(number)
    return found


def missing_sections(body: list[str]) -> Iterator[str]:
    """What keeps a done planning doc from being done: absent or empty required sections."""
    headings = [
        (index, len(match.group(1)), match.group(2))
        for index, line in enumerate(body)
        if (match := HEADING.match(line))
    ]
    for required in REQUIRED_SECTIONS:
        section = next(
            ((i, level) for i, level, title in headings if required.lower() in title.lower()),
            None,
        )
        if section is None:
            yield f"has no '{required}' section"
            continue
        start, level = section
        end = next((i for i, lvl, _ in headings if i > start and lvl <= level), len(body))
        if not any(re.search(r"\w", line) for line in answers(body[start + 1 : end])):
            yield f"its '{required}' section is empty"


def answers(section: list[str]) -> Iterator[str]:
    """The lines of a section the team wrote: not its guidance, quoted examples, table
    headers and row labels, comments or fill-in markers."""
    lines = [
        line.strip() for line in FILL.sub("", COMMENT.sub("", "\n".join(section))).splitlines()
    ]
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if line.startswith((">", "**Guidance:**")) or TABLE_RULE.match(following):
            continue
        if line.startswith("|"):
            yield " ".join(line.strip("|").split("|")[1:])  # the first column labels the row
        else:
            yield line


def is_markdown(entry: IndexEntry) -> bool:
    return entry.path.lower().endswith((".md", ".markdown"))


class MissingPhaseDoc(Rule):
    code = "DOC001"
    name = "missing-phase-doc"
    severity = ERROR
    summary = "a phase doc is missing from docs/phases/"
    fix = "add the phase doc with its front matter and questions (mlprod new generates them)"

    def check(self, audit: Audit) -> Iterator[Finding]:
        missing = [path for path in PHASE_DOCS if not audit.tracked(path)]
        if len(missing) == len(PHASE_DOCS):
            yield self.finding(
                f"{PHASES_DIR}/",
                "no phase docs (planning, scoping, experimentation, development, deployment,"
                " evaluation)",
                f"add the six phase docs under {PHASES_DIR}/ (mlprod new generates them)",
            )
            return
        for path in missing:
            yield self.finding(
                path, "the phase doc is missing", f"add {path} with its front matter and questions"
            )


class UnfilledDoc(Rule):
    code = "DOC002"
    name = "unfilled-doc"
    severity = ERROR
    summary = "a doc with status in-progress or done still holds [FILL: ...] markers"
    fix = "replace each [FILL: ...] with the answer, or set status: not-started"

    def reads(self, entry: IndexEntry) -> bool:
        return is_markdown(entry)

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        lines = data.decode("utf-8", "replace").splitlines()
        parsed = front_matter(lines)
        status = parsed[0].get("status", "") if parsed else ""
        if status not in STARTED:
            return
        lines_with_markers = markers(lines)
        if lines_with_markers:
            count = len(lines_with_markers)
            remain = f"{count} fill-in markers remain" if count > 1 else "1 fill-in marker remains"
            yield self.finding(
                entry.path,
                f"status is {status} but {remain} (first at line {lines_with_markers[0]})",
                self.fix,
                lines_with_markers[0],
            )


class UnfinishedPlanning(Rule):
    code = "DOC003"
    name = "unfinished-planning"
    severity = ERROR
    summary = "the planning doc is marked done without a success metric and a baseline"
    fix = "write the success metric and the baseline it must beat, or set status: in-progress"

    def reads(self, entry: IndexEntry) -> bool:
        return entry.path == PLANNING_DOC

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        lines = data.decode("utf-8", "replace").splitlines()
        parsed = front_matter(lines)
        if parsed is None or parsed[0].get("status") != "done":
            return
        for problem in missing_sections(lines[parsed[1] :]):
            yield self.finding(
                entry.path, f"the planning doc is marked done but {problem}", self.fix
            )


class PhaseFrontMatter(Rule):
    code = "DOC004"
    name = "phase-front-matter"
    severity = ERROR
    summary = "a phase doc has no valid front matter"
    fix = (
        "start the file with a --- block holding phase, status "
        f"({' | '.join(STATUSES)}), owner and last_reviewed"
    )

    def reads(self, entry: IndexEntry) -> bool:
        return entry.path in PHASE_DOCS

    def check_content(
        self, audit: Audit, entry: IndexEntry, data: bytes, complete: bool
    ) -> Iterator[Finding]:
        parsed = front_matter(data.decode("utf-8", "replace").splitlines())
        if parsed is None:
            yield self.finding(entry.path, "the phase doc has no front matter", self.fix)
            return
        fields = parsed[0]
        absent = [key for key in FRONT_MATTER_KEYS if key not in fields]
        if absent:
            yield self.finding(entry.path, f"the front matter lacks {', '.join(absent)}", self.fix)
        elif fields["status"] not in STATUSES:
            yield self.finding(
                entry.path,
                f"status '{fields['status']}' is not one of {', '.join(STATUSES)}",
                self.fix,
            )


RULES = (MissingPhaseDoc(), UnfilledDoc(), UnfinishedPlanning(), PhaseFrontMatter())
