"""The report's inputs: front matter, fill-in markers, decision records, dvc.lock."""

from __future__ import annotations

from pathlib import Path

from mlprod.check.rules.docs import markers

from {{ cookiecutter.module_name }}.report.inputs import (
    count_markers,
    read_decisions,
    read_inputs,
    read_phases,
    read_versions,
)


def test_markers_in_code_spans_and_fenced_blocks_are_not_counted():
    text = "[FILL: a] and [FILL: b]\n`[FILL: quoted]`\n```\n[FILL: code]\n```\n[FILL]\n"
    assert count_markers(text) == 3


def test_phase_docs_give_status_owner_markers_and_the_go_no_go_answer(project_root):
    phases, go_no_go, roi = read_phases(project_root / "docs/phases")
    assert [doc.file for doc in phases][0] == "01-planning.md"
    assert len(phases) == 6
    scoping = next(doc for doc in phases if doc.phase == "scoping-and-research")
    text = (project_root / "docs/phases/02-scoping-and-research.md").read_text(encoding="utf-8")
    # The same count as mlprod check's DOC002 finding (mlprod is a dev dependency).
    assert scoping.markers == len(markers(text.splitlines()))
    assert scoping.markers > 0
    assert scoping.status == "not-started"
    (decision,) = go_no_go
    assert decision.question == "2.6 Go or no-go?"
    assert decision.answer.startswith("[FILL: go / no-go")
    assert roi == dict.fromkeys(
        ("units_per_month", "value_per_conversion", "running_cost_per_month", "currency")
    )


def test_decision_records_skip_the_template(project_root):
    (record,) = read_decisions(project_root / "docs/decisions")
    assert record.file == "0001-batch-or-realtime.md"
    assert record.title == "0001: Batch or real-time predictions"
    assert record.status == "accepted"


def test_versions_come_from_dvc_lock_without_the_page_itself(tmp_path):
    lock = tmp_path / "dvc.lock"
    lock.write_text(
        "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: models/model.skops\n"
        "      md5: 0123abcd\n  report:\n    outs:\n    - path: reports/index.html\n"
        "      md5: ffff\n",
        encoding="utf-8",
    )
    assert read_versions(lock, Path("reports/index.html")) == {"models/model.skops": "0123abcd"}
    assert read_versions(tmp_path / "absent.lock", Path("reports/index.html")) is None


def test_an_empty_folder_reads_as_missing_inputs_not_an_error(params, tmp_path):
    inputs = read_inputs(params.paths, tmp_path)
    assert inputs.phases == [] and inputs.decisions == []
    assert inputs.metrics is None and inputs.ab is None and inputs.drift is None
    assert inputs.check is None and inputs.versions is None and inputs.commit is None
