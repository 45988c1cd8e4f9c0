"""The coverage table maps every section of every reference document to a heading that answers it.

`tests/template/data/doc-anchors.md` lists the sections of the references (TDSP, Model Cards,
Datasheets, the ML Canvas, the ML design doc, the ML Test Score, the Rules of ML).
`docs/reference-coverage.md` maps each section to a document and heading of the template, or
says why it is left out. These tests keep the two in step with the template's headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ANCHORS_FILE = Path(__file__).parent / "data" / "doc-anchors.md"
COVERAGE_FILE = REPO_ROOT / "docs" / "reference-coverage.md"
LEFT_OUT = "left out"


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses: "a (b; c); d" gives ["a (b; c)", "d"]."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _blocks(lines: list[str]) -> list[str]:
    """Bullets and paragraphs as single strings.

    A line opening a parenthesis right after a full stop starts a new block (an aside such as
    "(The Hugging Face model card adds: ...)"); elsewhere it continues the sentence.
    """
    blocks: list[list[str]] = []
    for line in lines:
        text = line.strip()
        starts_new = line.startswith("- ") or (
            text.startswith("(") and blocks and blocks[-1] and blocks[-1][-1].endswith(".")
        )
        if not text:
            blocks.append([])
        elif starts_new:
            blocks.append([text.removeprefix("- ")])
        elif blocks:
            blocks[-1].append(text)
        else:
            blocks.append([text])
    return [" ".join(block) for block in blocks if block]


def _anchors_of_list(text: str) -> list[str]:
    """Sections of one "Group: a; b (x, y); c." list, as "Group > a", "Group > b > x", ..."""
    text = text.strip().rstrip(".")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].rstrip(".")
    prefix: list[str] = []
    group = re.match(r"^([A-Z][^:;(]*):\s+(.*)$", text)
    if group:
        prefix, text = [group.group(1)], group.group(2)
    anchors = []
    for item in _split_top_level(text, ";"):
        parent = re.match(r"^(.*?)\s*\((.*)\)$", item)
        if parent and "," in parent.group(2):
            subs: list[str] = []
            for sub in _split_top_level(parent.group(2), ","):
                if sub.startswith("e.g.") and subs:
                    subs[-1] += ", " + sub
                else:
                    subs.append(sub)
            anchors += [" > ".join([*prefix, parent.group(1), sub]) for sub in subs]
        else:
            anchors.append(" > ".join([*prefix, item]))
    return anchors


def parse_anchors(text: str) -> dict[str, list[str]]:
    """Reference name (its `##` heading) -> its sections, in order."""
    references: dict[str, list[str]] = {}
    current: list[str] | None = None
    lines_of: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("## "):
            current = lines_of.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    for name, lines in lines_of.items():
        anchors: list[str] = []
        for block in _blocks(lines):
            for sentence in re.split(r"(?<=\.)\s+(?=[A-Z(])", block):
                if ";" in sentence:
                    anchors += _anchors_of_list(sentence)
        references[name] = anchors
    return references


@dataclass(frozen=True)
class Row:
    reference: str
    section: str
    where: str  # a path in the generated project, or LEFT_OUT
    heading: str  # the heading that answers, or the reason it is left out


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def parse_coverage(text: str) -> tuple[list[Row], dict[str, tuple[int, int, int]]]:
    """The mapping rows of every reference table, and the totals table."""
    rows: list[Row] = []
    totals: dict[str, tuple[int, int, int]] = {}
    reference = None
    for line in text.splitlines():
        if line.startswith("## "):
            reference = line[3:].strip()
        elif line.startswith("| ") and not line.startswith(("| ---", "| Section ", "| Reference ")):
            cells = _cells(line)
            if reference == "Totals":
                totals[cells[0]] = (int(cells[1]), int(cells[2]), int(cells[3]))
            elif reference is not None:
                section, where, heading = cells
                where = where.strip("`")
                if where.lower() == LEFT_OUT and len(heading) < 20:
                    raise ValueError(f"{section}: a left-out section needs its reason")
                rows.append(Row(reference, section, where, heading))
    return rows, totals


def headings_of(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {match.strip() for match in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def missing_headings(rows: list[Row], project_dir: Path) -> list[str]:
    """Every mapped heading that the document it points to no longer has."""
    missing = []
    for row in rows:
        if row.where.lower() == LEFT_OUT:
            continue
        path = project_dir / row.where
        if not path.is_file() or row.heading not in headings_of(path):
            missing.append(f"{row.where}: {row.heading} ({row.reference}: {row.section})")
    return missing


@pytest.fixture(scope="module")
def anchors() -> dict[str, list[str]]:
    return parse_anchors(ANCHORS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def coverage() -> tuple[list[Row], dict[str, tuple[int, int, int]]]:
    return parse_coverage(COVERAGE_FILE.read_text(encoding="utf-8"))


def test_anchor_parser_finds_every_section_of_every_reference(anchors):
    counts = {name.split(" (")[0]: len(sections) for name, sections in anchors.items()}
    assert counts == {
        "Microsoft Team Data Science Process": 34,
        "Model Cards": 14,
        "Datasheets for Datasets": 7,
        "Machine Learning Canvas": 12,
        "ML design documents": 22,
        "The ML Test Score": 30,
        "Rules of ML": 12,
    }
    test_score = next(v for k, v in anchors.items() if k.startswith("The ML Test Score"))
    for group in ("Data", "Model", "Infrastructure", "Monitoring"):
        assert sum(anchor.startswith(f"{group} > ") for anchor in test_score) == 7
    canvas = next(v for k, v in anchors.items() if k.startswith("Machine Learning Canvas"))
    assert "building models (how often retrained)" in canvas
    assert "making predictions > latency" in canvas


def test_every_reference_section_is_in_the_coverage_table(anchors, coverage):
    rows, _ = coverage
    mapped = {(row.reference, row.section.lower()) for row in rows}
    missing = [
        f"{reference}: {section}"
        for reference, sections in anchors.items()
        for section in sections
        if (reference, section.lower()) not in mapped
    ]
    assert missing == []


def test_coverage_table_names_only_real_sections(anchors, coverage):
    rows, _ = coverage
    known = {(ref, section.lower()) for ref, sections in anchors.items() for section in sections}
    strays = [
        f"{r.reference}: {r.section}" for r in rows if (r.reference, r.section.lower()) not in known
    ]
    assert strays == []


def test_every_mapped_heading_exists_in_the_rendered_docs(coverage, default_docs):
    rows, _ = coverage
    assert missing_headings(rows, default_docs.parent) == []


def test_a_heading_removed_from_a_doc_is_reported(coverage, docs_renderer):
    rows, _ = coverage
    project = docs_renderer().parent
    planning = project / "docs/phases/01-planning.md"
    heading = "1.5 Is machine learning needed at all?"
    planning.write_text(planning.read_text().replace(f"### {heading}", "### 1.5 Why ML"))
    reported = missing_headings(rows, project)
    assert reported and all(heading in line for line in reported)
    assert any("Don't be afraid to launch without ML" in line for line in reported)


def test_totals_match_the_rows(anchors, coverage):
    rows, totals = coverage
    for reference, sections in anchors.items():
        left_out = {
            row.section.lower()
            for row in rows
            if row.reference == reference and row.where.lower() == LEFT_OUT
        }
        answered = {
            row.section.lower()
            for row in rows
            if row.reference == reference and row.where.lower() != LEFT_OUT
        }
        expected = (len(sections), len(answered), len(left_out - answered))
        assert totals[reference] == expected, reference


def test_a_left_out_section_without_a_reason_is_refused():
    table = "## Rules of ML\n\n| Section | Answered in | Heading |\n| --- | --- | --- |\n"
    with pytest.raises(ValueError, match="needs its reason"):
        parse_coverage(table + "| watch for silent failures | left out | |\n")
    rows, _ = parse_coverage(
        table + "| watch for silent failures | left out | the project has no live traffic yet |\n"
    )
    assert rows[0].where == LEFT_OUT


def test_coverage_doc_passes_the_markdown_linter(markdown_linter):
    result = markdown_linter(COVERAGE_FILE)
    assert (result.returncode, result.stdout) == (0, "")
