"""The generated project's documents: structure, fill-in markers, rendering, Markdown validity."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_LINT_CONFIG = REPO_ROOT / "{{cookiecutter.project_slug}}" / ".pymarkdown.json"

MARKER = re.compile(r"\[FILL(:[^\]]*)?\]")
PHASE_DOCS = {
    "01-planning.md": "planning",
    "02-scoping-and-research.md": "scoping-and-research",
    "03-experimentation.md": "experimentation",
    "04-development.md": "development",
    "05-deployment.md": "deployment",
    "06-evaluation.md": "evaluation",
}
# Documents with front matter: the six phases plus the two whose completion a phase exit requires.
FRONT_MATTER_DOCS = [f"phases/{name}" for name in PHASE_DOCS] + ["model-card.md", "datasheet.md"]
DECISION_RECORD = "decisions/0001-batch-or-realtime.md"


def choice_options() -> dict[str, list[str]]:
    options = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    return {name: value for name, value in options.items() if isinstance(value, list)}


def rotating_combinations() -> list[dict[str, str]]:
    """Every choice of every option at least once, by rotating through the choices together."""
    options = choice_options()
    rounds = max(len(choices) for choices in options.values())
    return [
        {name: choices[index % len(choices)] for name, choices in options.items()}
        for index in range(rounds)
    ]


def read_tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def front_matter(text: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "document does not start with a --- front matter block"
    return yaml.safe_load(match.group(1))


def sections(text: str, level: int) -> dict[str, str]:
    """Map each heading of the given level to the text below it, up to the next such heading."""
    marker = "#" * level + " "
    result: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith(marker):
            current = line[len(marker) :].strip()
            result[current] = ""
        elif line.startswith("#" * (level - 1) + " ") and level > 1:
            current = None
        elif current is not None:
            result[current] += line + "\n"
    return result


def test_the_six_phase_docs_have_the_conventional_names(default_docs):
    assert sorted(p.name for p in (default_docs / "phases").iterdir()) == sorted(PHASE_DOCS)


@pytest.mark.parametrize("doc", FRONT_MATTER_DOCS)
def test_front_matter_has_exactly_the_four_keys(default_docs, doc):
    meta = front_matter((default_docs / doc).read_text(encoding="utf-8"))
    # The planning doc also holds the figures of the report's return-on-investment line.
    keys = ("units_per_month", "value_per_conversion", "running_cost_per_month", "currency")
    roi = {f"roi_{key}": None for key in keys}
    if doc == "phases/01-planning.md":
        assert {key: meta.pop(key) for key in roi} == roi
    assert set(meta) == {"phase", "status", "owner", "last_reviewed"}
    assert meta["phase"] in PHASE_DOCS.values()
    assert meta["status"] == "not-started"
    assert meta["owner"] == "Your Name"
    assert isinstance(meta["last_reviewed"], datetime.date)


@pytest.mark.parametrize("name, phase", PHASE_DOCS.items())
def test_phase_key_names_the_phase_of_the_file(default_docs, name, phase):
    assert front_matter((default_docs / "phases" / name).read_text())["phase"] == phase


def test_owner_with_quotes_and_colons_stays_valid_yaml(docs_renderer):
    author = "O'Neil: data & ML team"
    docs = docs_renderer(author_name=author)
    for doc in FRONT_MATTER_DOCS:
        assert front_matter((docs / doc).read_text(encoding="utf-8"))["owner"] == author


@pytest.mark.parametrize("name", PHASE_DOCS)
def test_phase_doc_has_purpose_questions_checklist_and_revisions(default_docs, name):
    text = (default_docs / "phases" / name).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    top = sections(body, 2)
    first_paragraph = body.split("\n# ", 1)[1].split("\n\n")[1]
    assert first_paragraph.startswith("**Purpose:** ")
    assert "\n" not in first_paragraph.strip(), "the purpose is one line"
    assert list(top) == ["Questions", "Exit checklist", "Revisions"]

    questions = sections(top["Questions"], 3)
    assert len(questions) >= 5
    for heading, content in questions.items():
        guidance = [line for line in content.splitlines() if line.startswith("**Guidance:** ")]
        assert len(guidance) == 1, f"{heading}: one guidance line"
        assert MARKER.search(content), f"{heading}: nowhere to write the answer"
        assert re.search(r"^> \*\*Example:\*\* \S", content, re.M), f"{heading}: no example"

    checklist = re.findall(r"^- \[ \] \S.*$", top["Exit checklist"], re.M)
    assert len(checklist) >= 4
    assert re.search(r"^\| Date \| Iteration \| Author \| What changed \|$", top["Revisions"], re.M)


def test_planning_doc_has_success_metric_and_baseline_headings(default_docs):
    headings = re.findall(r"^#+ (.*)$", (default_docs / "phases/01-planning.md").read_text(), re.M)
    assert any("Success metric" in heading for heading in headings)
    assert any("Baseline" in heading for heading in headings)


def test_every_marker_uses_the_documented_syntax(default_docs):
    for path, text in read_tree(default_docs).items():
        prose = re.sub(r"`[^`\n]*`", "", text)
        assert "FILL" not in MARKER.sub("", prose), f"{path}: a malformed fill-in marker"
        for stray in ("TODO", "TBD", "XXX", "lorem ipsum", "<your"):
            assert stray not in text, f"{path}: placeholder {stray!r} outside the marker syntax"


def test_docs_readme_documents_the_marker_regex(default_docs):
    readme = (default_docs / "README.md").read_text(encoding="utf-8")
    assert f"`{MARKER.pattern}`" in readme
    assert MARKER.fullmatch("[FILL: name]")


@pytest.mark.parametrize("doc", FRONT_MATTER_DOCS)
def test_instructions_hold_no_marker_so_a_filled_doc_counts_as_finished(default_docs, doc):
    # A marker quoted in the instructions would keep a fully answered doc "unfinished" forever.
    text = (default_docs / doc).read_text(encoding="utf-8")
    for span in re.findall(r"`[^`\n]*`", text):
        assert not MARKER.search(span), f"{doc}: {span}"
    answered = MARKER.sub("answer", text)
    assert "[FILL" in text and not MARKER.search(answered)


def test_fillable_docs_start_unfinished(default_docs):
    for doc in FRONT_MATTER_DOCS:
        assert len(MARKER.findall((default_docs / doc).read_text(encoding="utf-8"))) >= 5, doc


def test_phase_board_lists_every_phase_doc(default_docs):
    readme = (default_docs / "README.md").read_text(encoding="utf-8")
    board = sections(readme, 2)["Phase board"]
    for name in PHASE_DOCS:
        row = re.search(rf"^\| [^|]+ \| \[{name}\]\(phases/{name}\) \| (.*)$", board, re.M)
        assert row, f"{name} missing from the phase board"
        status, owner = (cell.strip() for cell in row.group(1).split("|")[:2])
        assert (status, owner) == ("not-started", "Your Name")


def test_relative_links_point_to_existing_files(default_docs):
    for path, text in read_tree(default_docs).items():
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert ((default_docs / path).parent / target).exists(), f"{path}: {target}"


@pytest.mark.parametrize(
    "deployment, present, absent",
    [
        ("batch", ["make predict"], ["make serve", "POST /predict"]),
        ("realtime", ["make serve", "POST /predict"], ["make predict"]),
        ("both", ["make predict", "make serve"], []),
    ],
)
def test_decision_record_follows_the_deployment_option(docs_renderer, deployment, present, absent):
    record = (docs_renderer(deployment=deployment) / DECISION_RECORD).read_text(encoding="utf-8")
    assert f"- Chosen option: {deployment} " in record
    decided = sections(record, 2)["Decision"] + sections(record, 2)["Consequences"]
    for phrase in present:
        assert phrase in decided
    for phrase in absent:
        assert phrase not in decided


def test_docs_render_the_same_for_every_option_except_the_decision_record(docs_renderer):
    combinations = rotating_combinations()
    assert {combo["deployment"] for combo in combinations} == {"batch", "realtime", "both"}
    reference = read_tree(docs_renderer())
    records: dict[str, str] = {}
    for combo in combinations:
        tree = read_tree(docs_renderer(**combo))
        record = tree.pop(DECISION_RECORD)
        assert tree == {k: v for k, v in reference.items() if k != DECISION_RECORD}, combo
        assert records.setdefault(combo["deployment"], record) == record, combo
    assert len(set(records.values())) == 3


@pytest.mark.parametrize("combo", rotating_combinations(), ids=lambda c: c["deployment"])
def test_no_jinja_survives_rendering(docs_renderer, combo):
    for path, text in read_tree(docs_renderer(**combo)).items():
        for token in ("{{", "}}", "{%", "%}", "{#", "#}", "cookiecutter."):
            assert token not in text, f"{path}: {token!r} left after rendering"


@pytest.mark.parametrize("deployment", ["batch", "realtime", "both"])
def test_rendered_docs_pass_the_markdown_linter(docs_renderer, markdown_linter, deployment):
    result = markdown_linter(docs_renderer(deployment=deployment))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_markdown_linter_rejects_a_broken_doc(docs_renderer, markdown_linter):
    docs = docs_renderer()
    planning = docs / "phases/01-planning.md"
    planning.write_text(planning.read_text().replace("## Questions", "#### Questions"))
    result = markdown_linter(docs)
    assert result.returncode != 0
    assert "MD001" in result.stdout and "01-planning.md" in result.stdout


def test_markdown_linter_disables_only_line_length():
    config = json.loads(MARKDOWN_LINT_CONFIG.read_text(encoding="utf-8"))
    disabled = {rule for rule, cfg in config["plugins"].items() if cfg.get("enabled") is False}
    assert disabled == {"md013"}
    assert config["extensions"]["front-matter"]["enabled"] is True


def test_rendering_matches_a_real_cookiecutter_bake(docs_renderer, tmp_path):
    project = Path(cookiecutter(str(REPO_ROOT), no_input=True, output_dir=str(tmp_path / "out")))
    assert read_tree(project / "docs") == read_tree(docs_renderer())
    assert (project / ".pymarkdown.json").read_text() == MARKDOWN_LINT_CONFIG.read_text()


def test_definition_of_done_scores_all_28_ml_test_score_items(default_docs):
    development = (default_docs / "phases/04-development.md").read_text(encoding="utf-8")
    table = sections(sections(development, 2)["Questions"], 3)[
        "4.5 Definition of done: what is our ML Test Score?"
    ]
    ids = re.findall(r"^\| ([DMIO][1-7]) \| .+ \| \[FILL: 0, 0\.5 or 1\] \|$", table, re.M)
    assert sorted(ids) == sorted(f"{group}{n}" for group in "DMIO" for n in range(1, 8))
