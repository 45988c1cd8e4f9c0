import pytest

from check.conftest import Repo, phase_doc
from mlprod.check.rules.docs import answers, front_matter, markers

PLANNING = "docs/phases/01-planning.md"
DONE_PLANNING = (
    "---\nphase: planning\nstatus: done\nowner: ana\nlast_reviewed: 2025-02-01\n---\n"
    "# Planning\n\n## Success metric\n\nOpen rate up 2 points.\n\n"
    "## Baseline\n\n<!-- the rule a human would use -->\nSend at 9am: 21% open rate.\n"
)


def test_missing_phase_docs_are_reported_each(repo: Repo) -> None:
    repo.remove("docs/phases/05-deployment.md")
    repo.remove("docs/phases/01-planning.md")
    assert [(f["code"], f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "DOC001",
            f"docs/phases/{name}.md",
            "the phase doc is missing",
            f"add docs/phases/{name}.md with its front matter and questions",
        )
        for name in ("01-planning", "05-deployment")
    ]


def test_no_phase_docs_at_all_is_one_finding(repo: Repo) -> None:
    repo.git("rm", "-rq", "--cached", "docs")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("DOC001", "docs/phases/")
    assert finding["message"] == (
        "no phase docs (planning, scoping, experimentation, development, deployment, evaluation)"
    )
    assert finding["fix"] == "add the six phase docs under docs/phases/ (mlprod new generates them)"


def test_fill_markers_in_a_started_doc_are_reported(repo: Repo) -> None:
    repo.add("docs/phases/03-experimentation.md", phase_doc("experimentation", "in-progress"))
    [finding] = repo.check().findings
    assert finding["code"] == "DOC002"
    assert (
        finding["message"]
        == "status is in-progress but 2 fill-in markers remain (first at line 11)"
    )


def test_fill_markers_in_code_are_not_markers(repo: Repo) -> None:
    repo.add(
        "docs/model-card.md",
        "---\nstatus: done\n---\nWrite `[FILL: ...]` markers.\n```\n[FILL]\n```\nDone.\n",
    )
    assert repo.check().findings == []


def test_not_started_doc_may_hold_markers(repo: Repo) -> None:
    assert "[FILL" in (repo.root / PLANNING).read_text()
    assert repo.check().findings == []


def test_done_planning_doc_needs_metric_and_baseline(repo: Repo) -> None:
    repo.add(PLANNING, DONE_PLANNING)
    assert repo.check().findings == []
    repo.add(PLANNING, DONE_PLANNING.replace("## Baseline", "## Risks"))
    [finding] = repo.check().findings
    assert finding["code"] == "DOC003"
    assert finding["message"] == "the planning doc is marked done but has no 'Baseline' section"


def test_done_planning_doc_with_an_empty_section_is_reported(repo: Repo) -> None:
    repo.add(PLANNING, DONE_PLANNING.replace("Open rate up 2 points.", "<!-- to do -->"))
    assert repo.check().of("DOC003")[0]["message"].endswith("its 'Success metric' section is empty")


FRONT_MATTER_FIX = (
    "start the file with a --- block holding phase, status (not-started | in-progress | done), "
    "owner and last_reviewed"
)


def test_phase_doc_without_front_matter_is_reported(repo: Repo) -> None:
    repo.add("docs/phases/04-development.md", "# Development\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["message"], finding["fix"]) == (
        "DOC004",
        "docs/phases/04-development.md",
        "the phase doc has no front matter",
        FRONT_MATTER_FIX,
    )


def test_phase_doc_with_unknown_status_is_reported(repo: Repo) -> None:
    repo.add("docs/phases/04-development.md", phase_doc("development", "finished"))
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["message"], finding["fix"]) == (
        "DOC004",
        "docs/phases/04-development.md",
        "status 'finished' is not one of not-started, in-progress, done",
        FRONT_MATTER_FIX,
    )


def test_phase_doc_missing_front_matter_keys_is_reported(repo: Repo) -> None:
    repo.add("docs/phases/04-development.md", "---\nphase: development\nstatus: done\n---\n")
    [finding] = repo.check().of("DOC004")
    assert (finding["message"], finding["fix"]) == (
        "the front matter lacks owner, last_reviewed",
        FRONT_MATTER_FIX,
    )


def test_guidance_examples_and_table_labels_are_not_answers(repo: Repo) -> None:
    section = (
        "## Success metric\n\n**Guidance:** one business metric.\n\n| Item | Answer |\n"
        "| --- | --- |\n| Metric | [FILL: definition] |\n\n> **Example:** opens per email.\n\n"
    )
    doc = DONE_PLANNING.replace("## Success metric\n\nOpen rate up 2 points.\n\n", section)
    repo.add(PLANNING, doc)
    assert [f["message"] for f in repo.check().of("DOC003")] == [
        "the planning doc is marked done but its 'Success metric' section is empty"
    ]
    repo.add(PLANNING, doc.replace("[FILL: definition]", "opens / emails delivered"))
    assert repo.check().of("DOC003") == []


def test_fill_markers_after_a_code_block_are_reported(repo: Repo) -> None:
    repo.add(
        "docs/model-card.md",
        "---\nstatus: done\n---\n```\n[FILL]\n```\nOwner: [FILL: who]\n",
    )
    [finding] = repo.check().of("DOC002")
    assert finding["message"] == "status is done but 1 fill-in marker remains (first at line 7)"
    assert finding["line"] == 7


def test_markers_after_closed_code_spans_count_and_inside_open_ones_do_not() -> None:
    lines = [
        "`make eval` prints [FILL: metric]",  # two backticks before: outside a span
        "`a` and `b`: [FILL]",  # four before
        "in `[FILL]` a span",
        "[FILL: owner] (the `owner' field)",  # a lone backtick after the marker
        "``[FILL]``",
    ]
    assert markers(lines) == [1, 2, 4, 5]


def test_a_done_planning_doc_without_both_sections_reports_both(repo: Repo) -> None:
    repo.add(PLANNING, DONE_PLANNING.split("# Planning")[0] + "# Planning\n\nSoon.\n")
    assert [f["message"] for f in repo.check().of("DOC003")] == [
        "the planning doc is marked done but has no 'Baseline' section",
        "the planning doc is marked done but has no 'Success metric' section",
    ]


def test_an_answer_right_under_its_heading_counts(repo: Repo) -> None:
    repo.add(PLANNING, DONE_PLANNING.split("## Baseline")[0] + "## Baseline\nSend at 9am.\n")
    assert repo.check().of("DOC003") == []


def test_table_rows_answer_in_their_value_columns_only() -> None:
    rows = [
        "| Success metric | | |",  # a label of two words, two empty value columns
        "| Metric | opens | per email |",
        "|X|Y|",
    ]
    assert list(answers(rows)) == ["   ", " opens   per email ", "Y"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], None),
        (["---", "status: done"], None),
        (["# Title", "---"], None),
        (["---", "---", "body"], ({}, 2)),
        (["\ufeff---  ", "status: done", "...", "body"], ({"status": "done"}, 3)),
        (
            ["---", "phase: planning", "status: 'done'", 'owner: "ana # lead"', "---"],
            ({"phase": "planning", "status": "done", "owner": "ana # lead"}, 5),
        ),
        (
            ["---", "status: done  # reviewed", "tag: a#b", 'quote: "', "mixed: 'x\"", "---"],
            ({"status": "done", "tag": "a#b", "quote": '"', "mixed": "'x\""}, 6),
        ),
        (["---", "  nested: x", "- item", "key_2-b :  v  ", "---"], ({"key_2-b": "v"}, 5)),
        (
            [
                "---",
                "owner: anna",
                "team: XenonX",
                "empty: ''",
                "lead: Ana Lopez # the lead",
                "---",
            ],
            ({"owner": "anna", "team": "XenonX", "empty": "", "lead": "Ana Lopez"}, 6),
        ),
        (["---", "status: done # reviewed # twice", "---"], ({"status": "done"}, 3)),
        # Only a byte-order mark may come before the opening dashes.
        (["X---", "status: done", "---"], None),
    ],
)
def test_front_matter_reads_top_level_fields(lines: list[str], expected) -> None:
    assert front_matter(lines) == expected


def test_markers_are_counted_and_located(repo: Repo) -> None:
    doc = "---\nstatus: done\n---\n# Card\n\nOwner: [FILL: who]\n"
    repo.add("docs/model-card.MD", doc)
    repo.add("docs/notes.markdown", doc.replace("done", "in-progress") + "[FILL]\n")
    assert [(f["path"], f["line"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "docs/model-card.MD",
            6,
            "status is done but 1 fill-in marker remains (first at line 6)",
            "replace each [FILL: ...] with the answer, or set status: not-started",
        ),
        (
            "docs/notes.markdown",
            6,
            "status is in-progress but 2 fill-in markers remain (first at line 6)",
            "replace each [FILL: ...] with the answer, or set status: not-started",
        ),
    ]


def test_markers_outside_markdown_or_front_matter_are_not_findings(repo: Repo) -> None:
    doc = "---\nstatus: done\n---\nOwner: [FILL: who]\n"
    repo.add("docs/card.txt", doc)
    repo.add("docs/card.md.bak", doc)
    repo.add("docs/loose.md", "status: done\n[FILL]\n")
    assert repo.check().findings == []


def test_only_a_done_planning_doc_must_be_finished(repo: Repo) -> None:
    empty = DONE_PLANNING.split("# Planning")[0] + "# Planning\n"
    repo.add(PLANNING, empty.replace("status: done", "status: in-progress"))
    repo.add("docs/phases/02-scoping-and-research.md", empty.replace("planning", "scoping"))
    assert repo.check().findings == []
    repo.add(PLANNING, empty)
    assert [f["fix"] for f in repo.check().of("DOC003")] == [
        "write the success metric and the baseline it must beat, or set status: in-progress"
    ] * 2


def test_front_matter_is_required_of_phase_docs_only(repo: Repo) -> None:
    repo.add("docs/guide.md", "# Guide\n")
    repo.add("docs/phases/notes.md", "# Notes\n")
    assert repo.check().findings == []
    repo.add("docs/phases/06-evaluation.md", "---\nphase: x\n---\n")
    assert [(f["path"], f["message"]) for f in repo.check().findings] == [
        ("docs/phases/06-evaluation.md", "the front matter lacks status, owner, last_reviewed")
    ]


def test_docs_with_bytes_that_are_not_utf8_are_still_read(repo: Repo) -> None:
    planning = DONE_PLANNING.replace("Open rate up 2 points.", "Open rate up 2 points (caf\xe9).")
    repo.add(PLANNING, planning.encode("latin-1"))
    assert repo.check().findings == []
    repo.add(PLANNING, planning.replace("## Baseline", "## Risks").encode("latin-1"))
    assert [f["message"] for f in repo.check().findings] == [
        "the planning doc is marked done but has no 'Baseline' section"
    ]
