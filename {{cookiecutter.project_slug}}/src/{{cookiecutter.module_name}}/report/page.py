"""The report page: one self-contained HTML document, a section per role's question.

Every number on the page is read from a file (inputs.py) and formatted here; a section whose
file is missing says which command writes it.
"""

from __future__ import annotations

from html import escape
from string import Template
from typing import Any

from {{ cookiecutter.module_name }}.config import Params
from {{ cookiecutter.module_name }}.report.inputs import PLANNING_DOC, ROI_KEYS, Inputs
from {{ cookiecutter.module_name }}.report.svg import unit_plot

PROJECT_NAME = {{ cookiecutter.project_name|jsonify }}

# Colours keep a contrast of at least 4.5:1 on white (WCAG AA for body text); the worst
# slices are marked in words too, not by colour alone.
STYLE = """
:root { color: #1a1a1a; background: #fff; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 64rem; padding: 0 1rem 2rem; }
header { border-bottom: 2px solid #1a1a1a; }
nav ul { display: flex; flex-wrap: wrap; gap: 0 1.25rem; padding: 0; list-style: none; }
a { color: #0b4f9c; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #8a8a8a; }
.asker, .meta { color: #4a4a4a; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: bold; }
th, td { border: 1px solid #8a8a8a; padding: 0.25rem 0.5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.worst > * { background: #fff0d6; }
.pass { color: #0a6b2a; font-weight: bold; }
.fail { color: #a40000; font-weight: bold; }
.missing { border-left: 4px solid #8a5a00; padding-left: 0.75rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
svg.plot { width: 100%; max-width: 312px; height: auto; }
.plot text { font-size: 11px; fill: #1a1a1a; }
.frame { fill: none; stroke: #8a8a8a; }
.diagonal { stroke: #5a5a5a; stroke-dasharray: 4 4; }
.curve { fill: none; stroke: #0b4f9c; stroke-width: 2; }
p code { overflow-wrap: anywhere; }
td code, th code { white-space: nowrap; }
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$style</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="meta">Built <time datetime="$built">$built</time> from commit <code>$commit</code>.</p>
<nav aria-label="Sections"><ul>$nav</ul></nav>
</header>
<main>
$sections
</main>
</body>
</html>
""")


def number(value: Any, digits: int = 4) -> str:
    """A number as the page shows it; the tests read it back the same way."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def missing(what: str, command: str) -> str:
    return f'<p class="missing">{escape(what)}: run <code>{escape(command)}</code>.</p>'


def table(headers: list[str], rows: list[list[str]], caption: str, row_classes=None) -> str:
    """A table whose first cell of each row is its header (already escaped HTML cells)."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = ""
    for index, row in enumerate(rows):
        css = f' class="{row_classes[index]}"' if row_classes and row_classes[index] else ""
        cells = "".join(f"<td{cell_class(cell)}>{cell}</td>" for cell in row[1:])
        body += f'<tr{css}><th scope="row">{row[0]}</th>{cells}</tr>'
    return (
        f'<div class="table-wrap"><table><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def cell_class(cell: str) -> str:
    plain = cell.replace(",", "").replace(".", "", 1).lstrip("+-")
    return ' class="num"' if plain.isdigit() else ""


def section(ident: str, question: str, asker: str, body: str) -> str:
    return (
        f'<section id="{ident}" aria-labelledby="{ident}-h">'
        f'<h2 id="{ident}-h">{escape(question)}</h2>'
        f'<p class="asker">{escape(asker)}</p>{body}</section>'
    )


def phase_board(inputs: Inputs, params: Params) -> str:
    docs = params.paths.docs
    if not inputs.phases:
        return missing(f"No phase docs under {docs}/phases", "mlprod new (it writes them)")
    rows = [
        [escape(doc.phase), f"<code>{escape(doc.file)}</code>", escape(doc.status),
         escape(doc.owner), number(doc.markers)]
        for doc in inputs.phases
    ]  # fmt: skip
    html = table(
        ["Phase", "Document", "Status", "Owner", "Unfilled markers"],
        rows,
        f"The phase docs under {docs}/phases (status from their front matter)",
    )
    html += "<h3>Go or no-go</h3>"
    if inputs.go_no_go:
        html += (
            "<ul>"
            + "".join(
                f"<li><strong>{escape(item.question)}</strong> ({escape(item.file)}): "
                f"{escape(item.answer) or 'not answered yet'}</li>"
                for item in inputs.go_no_go
            )
            + "</ul>"
        )
    else:
        html += "<p>No phase doc asks for a go or no-go decision.</p>"
    html += "<h3>Decision records</h3>"
    if inputs.decisions:
        html += table(
            ["Record", "Title", "Status", "Date"],
            [
                [
                    f"<code>{escape(d.file)}</code>",
                    escape(d.title),
                    escape(d.status),
                    escape(d.date),
                ]
                for d in inputs.decisions
            ],  # fmt: skip
            f"Decisions recorded under {docs}/decisions",
        )
    else:
        html += f"<p>No decision recorded yet: copy {docs}/decisions/0000-template.md.</p>"
    return section(
        "phases",
        "Where does each phase stand, and what has been decided?",
        "Asked by the whole team and its sponsor: most ML projects fail in planning and scoping.",
        html,
    )


def metrics_table(metrics: dict[str, Any]) -> str:
    columns = {"model": metrics["model"], **metrics.get("baselines", {})}
    names = list(metrics["model"])
    rows = [
        [escape(name)] + [number(scores.get(name)) for scores in columns.values()] for name in names
    ]
    return table(["Metric", *columns], rows, "Test set metrics of the model and of each baseline")


def gate_sentence(gate: dict[str, Any]) -> str:
    if "best_baseline" not in gate:
        return '<p><span class="fail">Gate failed</span>: the gate could not be applied.</p>'
    verdict = (
        '<span class="pass">Gate passed</span>'
        if gate["passed"]
        else ('<span class="fail">Gate failed</span>')
    )
    return (
        f"<p>{verdict}: model {escape(gate['metric'])} {number(gate['model'])} against "
        f"{number(gate['best_baseline_score'])} for the best baseline "
        f"({escape(gate['best_baseline'])}); required improvement "
        f"{number(gate['min_improvement'])}.</p>"
    )


def worst_slices(slices: dict[str, Any], metric: str, count: int) -> set[tuple[str, str]]:
    """The `count` slices with the lowest metric (slices where it is undefined are skipped)."""
    scored = [
        (values[metric], column, value)
        for column, groups in slices.items()
        for value, values in groups.items()
        if values.get(metric) is not None
    ]
    return {(column, value) for _, column, value in sorted(scored)[:count]}


def slices_tables(slices: dict[str, Any], metric: str, count: int) -> str:
    worst = worst_slices(slices, metric, count)
    html = (
        f"<p>The {count} slices with the lowest {escape(metric)} are marked "
        "<strong>worst</strong>.</p>"
    )
    for column, groups in slices.items():
        names = [name for name in next(iter(groups.values()), {}) if name != "rows"]
        rows, classes = [], []
        for value, values in groups.items():
            flag = " <strong>(worst)</strong>" if (column, value) in worst else ""
            rows.append(
                [escape(value) + flag, number(values["rows"])]
                + [number(values.get(name)) for name in names]
            )
            classes.append("worst" if flag else "")
        html += table(["Value", "Rows", *names], rows, f"Test metrics per {column}", classes)
    return html


def curve_description(name: str, points: list[tuple[float, float]], extra: str) -> str:
    (x0, y0), (x1, y1) = points[0], points[-1]
    ends = f"from ({x0:.2f}, {y0:.2f}) to ({x1:.2f}, {y1:.2f})"
    return f"{name} through {len(points)} points, {ends}. {extra}"


def plots(inputs: Inputs, params: Params) -> str:
    figures = []
    if inputs.roc:
        points = [(p["fpr"], p["tpr"]) for p in inputs.roc]
        auc = number(inputs.metrics["model"].get("roc_auc")) if inputs.metrics else "n/a"
        about = f"Area under the curve: {auc}; the dashed diagonal is a random guess."
        figures.append(
            unit_plot("roc", points, "ROC curve on the test set",
                      curve_description("The ROC curve", points, about),
                      "false positive rate", "true positive rate")
        )  # fmt: skip
    if inputs.calibration:
        points = [(p["mean_predicted"], p["fraction_positive"]) for p in inputs.calibration]
        about = "On the dashed diagonal, predicted probabilities match observed rates."
        figures.append(
            unit_plot("calibration", points, "Calibration on the test set",
                      curve_description("The calibration curve", points, about),
                      "mean predicted probability", "fraction positive")
        )  # fmt: skip
    if not figures:
        return missing(f"No plot data in {params.paths.plots}", "make pipeline")
    return '<div class="figures">' + "".join(f"<figure>{f}</figure>" for f in figures) + "</div>"


def model_card_text(text: str) -> str:
    """Markdown bullets and paragraphs as HTML, the rest as plain escaped text."""
    blocks, items = [], []
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            items.append(f"<li>{escape(stripped[2:])}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if stripped:
            blocks.append(f"<p>{escape(stripped)}</p>")
    return "".join(blocks)


def model(inputs: Inputs, params: Params) -> str:
    paths = params.paths
    html = "<h3>Test metrics against the baselines</h3>"
    if inputs.metrics:
        html += metrics_table(inputs.metrics) + gate_sentence(inputs.metrics.get("gate", {}))
        version = escape(str(inputs.metrics.get("model_version")))
        html += f"<p>Model version <code>{version}</code>.</p>"
    else:
        html += missing(f"No test metrics in {paths.metrics}", "make pipeline")
    html += "<h3>Metrics per slice</h3>"
    if inputs.slices:
        html += slices_tables(inputs.slices, params.report.slice_metric, params.report.worst_slices)
    else:
        html += missing(f"No slice metrics in {paths.slices}", "make pipeline")
    html += "<h3>ROC and calibration</h3>" + plots(inputs, params)
    for name in ("Intended use", "Limitations"):
        html += f"<h3>{name} (model card)</h3>"
        text = inputs.model_card.get(name)
        html += (
            model_card_text(text)
            if text
            else (f"<p>Not written yet: fill in the section of {paths.docs}/model-card.md.</p>")
        )
    return section(
        "model",
        "Can the predictions be trusted, and where is the model wrong?",
        "Asked by the model's users (trust) and the product manager (limitations).",
        html,
    )


def ab_test(ab: dict[str, Any]) -> str:
    rows = [
        [escape(v["name"]), number(v["n"]), number(v["mean"]), number(v["lift_abs"]),
         f"{number(v['ci_low'])} to {number(v['ci_high'])}", number(v["lift_rel"]),
         number(v["p_value"]), escape(v["test"])]
        for v in ab["variants"]
    ]  # fmt: skip
    control = ab["control"]
    html = (
        f"<p>Control <strong>{escape(control['name'])}</strong>: n {number(control['n'])}, "
        f"rate {number(control['mean'])}.</p>"
    )
    html += table(
        ["Variant", "n", "Rate", "Lift (absolute)", f"{number(1 - ab['alpha'], 2)} interval",
         "Lift (relative)", "p-value", "Method"],
        rows, "Lift of each variant over the control",
    )  # fmt: skip
    srm = ab["srm"]
    verdict = (
        '<span class="fail">mismatch</span>'
        if srm["srm"]
        else ('<span class="pass">no mismatch</span>')
    )
    html += (
        f"<p><strong>Decision:</strong> {escape(ab['decision'])}</p>"
        f"<p>Sample ratio check: {verdict} (p-value {number(srm['p_value'])}, "
        f"threshold {number(srm['threshold'])}).</p>"
    )
    return html


def roi_line(inputs: Inputs, params: Params) -> str:
    roi = inputs.roi
    absent = [f"roi_{key}" for key in ROI_KEYS if not isinstance(roi.get(key), int | float)]
    doc = f"{params.paths.docs}/phases/{PLANNING_DOC}"
    if absent:
        fields = ", ".join(absent)
        return f"<p>Not computed yet: fill in {fields} in the front matter of {doc}.</p>"
    if not inputs.ab or not inputs.ab.get("variants"):
        return "<p>Not computed yet: it needs the A/B analysis above.</p>"
    variant = inputs.ab["variants"][0]
    currency = escape(str(roi.get("currency") or ""))
    units, value, cost = (roi[key] for key in ROI_KEYS)

    def monthly(lift: float) -> float:
        return lift * units * value

    gain = monthly(variant["lift_abs"])
    return (
        f"<p>Lift {number(variant['lift_abs'])} &times; {number(units)} units a month &times; "
        f"{number(value, 2)} {currency} per conversion = <strong>{number(gain, 2)} {currency}"
        f"</strong> a month (interval {number(monthly(variant['ci_low']), 2)} to "
        f"{number(monthly(variant['ci_high']), 2)}), against {number(cost, 2)} {currency} of "
        f"running cost: <strong>ROI {number((gain - cost) / cost, 2)}</strong> a month. "
        f"Figures from {doc} and the A/B analysis.</p>"
    )


def drift(report: dict[str, Any]) -> str:
    rows = [
        [escape(c["column"]), escape(c["test"]), number(c.get("p_value")), number(c.get("psi")),
         "drifted" if c["drift"] else "stable"]
        for c in report["columns"]
    ]  # fmt: skip
    verdict = (
        '<span class="fail">dataset drift</span>'
        if report["dataset_drift"]
        else ('<span class="pass">no dataset drift</span>')
    )
    return (
        f"<p>{verdict}: {escape(report['summary'])} Share of columns drifted: "
        f"{number(report['share_drifted'])}.</p>"
        + table(["Column", "Test", "p-value", "PSI", "Verdict"], rows, "Drift per column")
    )


def evaluation(inputs: Inputs, params: Params) -> str:
    paths = params.paths
    html = "<h3>Latest A/B test</h3>"
    html += (
        ab_test(inputs.ab)
        if inputs.ab
        else missing(f"No A/B analysis in {paths.ab_analysis}", "make pipeline")
    )
    html += "<h3>Return on investment</h3>" + roi_line(inputs, params)
    html += "<h3>Latest drift check</h3>"
    html += (
        drift(inputs.drift)
        if inputs.drift
        else missing(
            f"No drift check in {paths.drift_report.with_suffix('.json')}",
            "make monitor BATCH=<new inputs .csv or .parquet>",
        )
    )
    return section(
        "evaluation",
        "Does the model pay off, and is it drifting?",
        "Asked by the business stakeholder (return on investment) and the data scientist (drift).",
        html,
    )


def health(inputs: Inputs, params: Params, built: str) -> str:
    html = "<h3>Standards (mlprod check)</h3>"
    check = inputs.check
    if check is None:
        html += missing(f"No check results in {params.paths.check}", "make report")
    elif not check["findings"]:
        files = number(check["files"])
        html += f'<p><span class="pass">Clean</span>: no finding in {files} files.</p>'
    else:
        html += (
            f"<p>{number(check['errors'])} errors and {number(check['warnings'])} warnings "
            f"in {number(check['files'])} files.</p>"
        )
        html += table(
            ["Code", "Severity", "Path", "Problem", "Fix"],
            [
                [
                    escape(f["code"]),
                    escape(f["severity"]),
                    f"<code>{escape(f['path'])}</code>",
                    escape(f["message"]),
                    escape(f["fix"]),
                ]
                for f in check["findings"]
            ],  # fmt: skip
            "Findings of mlprod check",
        )
    html += "<h3>Data and model versions</h3>"
    if inputs.versions:
        html += table(
            ["Output", "Content hash (DVC)"],
            [
                [f"<code>{escape(path)}</code>", f"<code>{escape(md5)}</code>"]
                for path, md5 in inputs.versions.items()
            ],  # fmt: skip
            "Pipeline outputs as recorded in dvc.lock",
        )
    else:
        html += missing("No dvc.lock yet", "make pipeline")
    html += (
        f"<p>Git commit <code>{escape(inputs.commit or 'none (not committed yet)')}</code>; "
        f'page built <time datetime="{built}">{built}</time>.</p>'
    )
    return section(
        "health",
        "Is the code clean and the pipeline right?",
        "Asked by the software developer (code standards) and the data engineer (pipeline).",
        html,
    )


def build_page(inputs: Inputs, params: Params, built: str) -> str:
    """The whole page.

    Args:
        inputs: what inputs.read_inputs found.
        params: the project's parameters (paths, report settings).
        built: the build time, shown on the page (ISO 8601, UTC).

    Returns:
        The HTML document.
    """
    parts = [
        phase_board(inputs, params),
        model(inputs, params),
        evaluation(inputs, params),
        health(inputs, params, built),
    ]
    nav = "".join(
        f'<li><a href="#{ident}">{label}</a></li>'
        for ident, label in (("phases", "Phases"), ("model", "Model"),
                             ("evaluation", "Evaluation"), ("health", "Health"))
    )  # fmt: skip
    return PAGE.substitute(
        title=escape(f"{PROJECT_NAME}: project report"),
        style=STYLE,
        built=built,
        commit=escape((inputs.commit or "none")[:12]),
        nav=nav,
        sections="\n".join(parts),
    )
