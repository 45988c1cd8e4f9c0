"""The report page: each section from fixture files, and what it says when they are missing."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.report.__main__ import main
from {{ cookiecutter.module_name }}.report.inputs import read_inputs
from {{ cookiecutter.module_name }}.report.page import build_page

FIXTURES = Path(__file__).parent / "data" / "report"
BUILT = "2026-01-02T03:04:05Z"


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def project(params, project_root, tmp_path):
    """A project folder holding the docs and every input the page reads."""
    paths = params.paths
    shutil.copytree(project_root / paths.docs, tmp_path / paths.docs)
    for name, target in (
        ("metrics", paths.metrics), ("slices", paths.slices), ("ab", paths.ab_analysis),
        ("check", paths.check), ("drift", paths.drift_report.with_suffix(".json")),
        ("roc", paths.plots / "roc.json"), ("calibration", paths.plots / "calibration.json"),
    ):  # fmt: skip
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / f"{name}.json", tmp_path / target)
    return tmp_path


def section(page: str, ident: str) -> str:
    """The text of one section, tags removed."""
    match = re.search(rf'<section id="{ident}".*?</section>', page, re.DOTALL)
    assert match, f"no section {ident}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def test_the_model_section_shows_metrics_gate_and_worst_slices(params, project):
    text = section(build_page(read_inputs(params.paths, project), params, BUILT), "model")
    metrics = fixture("metrics")
    assert f"roc_auc {metrics['model']['roc_auc']:.4f} " in text
    gate = metrics["gate"]
    assert (
        f"Gate passed : model roc_auc {gate['model']:.4f} against "
        f"{gate['best_baseline_score']:.4f} for the best baseline ({gate['best_baseline']})"
    ) in text
    scored = sorted(
        (values["roc_auc"], value)
        for groups in fixture("slices").values()
        for value, values in groups.items()
    )
    worst = [value for _, value in scored[: params.report.worst_slices]]
    assert sorted(re.findall(r"(\w+) \(worst\)", text)) == sorted(worst)
    assert "Primary use: [FILL: the decision it supports" in text


def test_the_plots_are_inline_svg_with_a_title_and_a_description(params, project):
    page = build_page(read_inputs(params.paths, project), params, BUILT)
    svgs = re.findall(r"<svg.*?</svg>", page, re.DOTALL)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.search(r"<title id=\"\w+-title\">[^<]+</title><desc id=\"\w+-desc\">", svg)
    roc = fixture("roc")
    assert f"The ROC curve through {len(roc)} points" in page


def test_the_evaluation_section_shows_the_ab_test_and_the_drift_check(params, project):
    text = section(build_page(read_inputs(params.paths, project), params, BUILT), "evaluation")
    ab = fixture("ab")
    (variant,) = ab["variants"]
    assert (
        f"model {variant['n']:,} {variant['mean']:.4f} {variant['lift_abs']:.4f} "
        f"{variant['ci_low']:.4f} to {variant['ci_high']:.4f} {variant['lift_rel']:.4f} "
        f"{variant['p_value']:.4f} {variant['test']}"
    ) in text
    assert f"Decision: {ab['decision']}" in text
    assert f"no mismatch (p-value {ab['srm']['p_value']:.4f}" in text
    drift = fixture("drift")
    assert drift["summary"] in text
    drifted = [column["column"] for column in drift["columns"] if column["drift"]]
    assert re.findall(r"(\w+) \w+ [\d.]+ [\d.]+ drifted", text) == drifted


def test_the_roi_line_multiplies_the_lift_by_the_planning_figures(params, project):
    planning = project / params.paths.docs / "phases/01-planning.md"
    text = planning.read_text(encoding="utf-8")
    for key, value in (("units_per_month", "240000"), ("value_per_conversion", "0.9"),
                       ("running_cost_per_month", "310"), ("currency", "EUR")):  # fmt: skip
        text = text.replace(f"roi_{key}:\n", f"roi_{key}: {value}\n", 1)
    planning.write_text(text, encoding="utf-8")
    shown = section(build_page(read_inputs(params.paths, project), params, BUILT), "evaluation")
    lift = fixture("ab")["variants"][0]["lift_abs"]
    gain = lift * 240000 * 0.9
    assert f"= {gain:.2f} EUR a month" in shown
    assert f"ROI {(gain - 310) / 310:.2f} a month" in shown


def test_the_roi_line_names_the_planning_fields_still_empty(params, project):
    text = section(build_page(read_inputs(params.paths, project), params, BUILT), "evaluation")
    assert (
        "Not computed yet: fill in roi_units_per_month, roi_value_per_conversion, "
        "roi_running_cost_per_month in the front matter of docs/phases/01-planning.md"
    ) in text


def test_the_phase_board_and_health_show_docs_findings_and_build_time(params, project):
    page = build_page(read_inputs(params.paths, project), params, BUILT)
    phases = section(page, "phases")
    assert "planning 01-planning.md not-started" in phases
    assert "2.6 Go or no-go?" in phases and "0001-batch-or-realtime.md" in phases
    health = section(page, "health")
    check = fixture("check")
    assert f"{check['errors']} errors and {check['warnings']} warnings" in health
    for finding in check["findings"]:
        assert f"{finding['code']} {finding['severity']}" in health
    assert "page built 2026-01-02T03:04:05Z" in health


def test_missing_inputs_say_which_command_writes_them(params, tmp_path):
    page = build_page(read_inputs(params.paths, tmp_path), params, BUILT)
    model, evaluation = section(page, "model"), section(page, "evaluation")
    assert f"No test metrics in {params.paths.metrics}: run make pipeline ." in model
    assert f"No plot data in {params.paths.plots}: run make pipeline ." in model
    assert f"No A/B analysis in {params.paths.ab_analysis}: run make pipeline ." in evaluation
    assert "run make monitor BATCH=<new inputs .csv or .parquet>" in evaluation
    health = section(page, "health")
    assert f"No check results in {params.paths.check}: run make report ." in health
    assert "No dvc.lock yet: run make pipeline ." in health


def test_the_page_is_accessible_and_refers_to_nothing_outside_itself(params, project):
    page = build_page(read_inputs(params.paths, project), params, BUILT)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<html lang="en">' in page and "<main>" in page and "<header>" in page
    assert [h2 for h2 in re.findall(r"<h2[^>]*>(.*?)</h2>", page)] == [
        "Where does each phase stand, and what has been decided?",
        "Can the predictions be trusted, and where is the model wrong?",
        "Does the model pay off, and is it drifting?",
        "Is the code clean and the pipeline right?",
    ]
    assert "<th>" not in page, "every header cell names its scope"
    assert not re.search(r"https?:|//[a-z]|\bsrc=|@import|url\(", page)
    assert set(re.findall(r'href="([^"]*)"', page)) == {
        "#phases",
        "#model",
        "#evaluation",
        "#health",
    }


def test_main_writes_the_page_where_params_say(params, project, project_root, monkeypatch, capsys):
    monkeypatch.chdir(project)
    shutil.copy(project_root / "params.yaml", project / "params.yaml")
    assert main([]) == 0
    page = project / params.paths.report
    assert page.stat().st_size < 2_000_000
    assert f"report: wrote {params.paths.report}" in capsys.readouterr().out
