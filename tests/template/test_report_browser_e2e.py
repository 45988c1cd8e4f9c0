"""`make report` in a baked project, then the page in a real headless Chromium from file://.

For each deployment: the page loads with no console error and no failed or outside request,
each section is on the rendered page with the numbers of the files it reads, it is readable
at a phone's width with enough contrast, and screenshots at 1280 and 375 px are kept under
test-artifacts/report-<deployment>/ (the test prints the paths).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from bakery import commit_lock
from lifecycle_helpers import REPO_ROOT, bake, project_env, run

from mlprod.check.rules.docs import markers

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Relative luminance contrast of each element holding text, against the first opaque
# background up its ancestors (WCAG 2 formula).
CONTRAST = """
const lum = (c) => {
  const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const opaque = (el) => {
  for (; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    const alpha = bg.match(/[\\d.]+/g)[3];
    if (alpha === undefined || Number(alpha) > 0) return bg;
  }
  return 'rgb(255, 255, 255)';
};
const low = [];
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own) continue;
  const style = getComputedStyle(el);
  const fg = el.closest('svg') ? style.fill : style.color;
  const [a, b] = [lum(fg), lum(opaque(el))].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  if (ratio < 4.5) low.push(`${el.tagName} ${ratio.toFixed(2)} ${el.textContent.slice(0, 40)}`);
}
return low;
"""


def chromium_driver():
    """Debian's chromium and chromedriver, installed where missing (CI starts fresh)."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium",
                   "chromium-driver"]  # fmt: skip
        if subprocess.run(install, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update"], check=True, capture_output=True)
            subprocess.run(install, check=True, capture_output=True)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


@pytest.fixture(scope="module", params=["batch", "realtime", "both"])
def reported(request, module_tmp, wheel_dir, pre_commit_home):
    """A baked project, installed, committed, after `make report` (which runs the pipeline)."""
    root = module_tmp(f"report-{request.param}")
    project = bake(root, request.param)
    env = project_env(wheel_dir, pre_commit_home, project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["sample"]["rows"], params["train"]["cv_folds"] = 2000, 2  # a smaller, cheaper run
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(["make", "install"], project, env)
    commit_lock(project, env)
    run(["git", "commit", "--quiet", "-am", "A smaller sample"], project, env)
    output = run(["make", "report"], project, env).stdout
    return {
        "deployment": request.param,
        "project": project,
        "env": env,
        "params": params,
        "out": output,
    }


@pytest.fixture(scope="module")
def browser(reported):
    driver = chromium_driver()
    yield driver
    driver.quit()


def load(driver, page: Path, width: int) -> None:
    driver.set_window_size(width, 900)
    driver.get(page.as_uri())
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, height + 120)


def read(project: Path, path: str):
    return json.loads((project / path).read_text(encoding="utf-8"))


def cells(driver, caption: str) -> dict[str, list[str]]:
    """A table's rows by their header cell's text, found by the table's caption."""
    return driver.execute_script(
        """
        const table = [...document.querySelectorAll('table')]
          .find((t) => t.caption && t.caption.textContent === arguments[0]);
        if (!table) return null;
        const rows = {};
        for (const tr of table.tBodies[0].rows)
          rows[tr.cells[0].textContent] = [...tr.cells].slice(1).map((c) => c.textContent);
        return rows;
        """,
        caption,
    )


def test_the_page_loads_offline_without_errors_and_is_screenshotted(reported, browser, capsys):
    project, paths = reported["project"], reported["params"]["paths"]
    page = project / paths["report"]
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 2_000_000
    assert "http:" not in html and "https:" not in html
    assert f"report: wrote {paths['report']}" in reported["out"]

    target = ARTIFACTS / f"report-{reported['deployment']}"
    target.mkdir(parents=True, exist_ok=True)
    for width, name in ((1280, "desktop"), (375, "phone")):
        load(browser, page, width)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert browser.execute_script(CONTRAST) == []
        shot = target / f"{name}.png"
        assert browser.save_screenshot(str(shot)), shot
        with capsys.disabled():
            print(f"\nreport screenshot ({width} px): {shot}")
    console = [entry for entry in browser.get_log("browser") if entry["level"] != "INFO"]
    assert console == []
    events = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    # The page's own requests (the browser's new-tab page makes chrome:// ones of its own).
    ours = {
        event["params"]["requestId"]: event["params"]["request"]["url"]
        for event in events
        if event["method"] == "Network.requestWillBeSent"
        and event["params"]["documentURL"] == page.as_uri()
    }
    assert set(ours.values()) == {page.as_uri()}
    failed = [
        event["params"]
        for event in events
        if event["method"] == "Network.loadingFailed" and event["params"]["requestId"] in ours
    ]
    assert failed == []


def test_each_section_shows_the_numbers_of_the_files(reported, browser):
    project, paths = reported["project"], reported["params"]["paths"]
    load(browser, project / paths["report"], 1280)
    headings = browser.execute_script(
        "return [...document.querySelectorAll('main > section')].map("
        "(s) => [s.id, s.querySelector('h2').textContent])"
    )
    assert [ident for ident, _ in headings] == ["phases", "model", "evaluation", "health"]
    assert all(question.endswith("?") for _, question in headings)

    board = cells(
        browser, f"The phase docs under {paths['docs']}/phases (status from their front matter)"
    )
    assert len(board) == 6
    for phase, (document, status, _owner, unfilled) in board.items():
        text = (project / paths["docs"] / "phases" / document).read_text(encoding="utf-8")
        assert f"\nphase: {phase}\nstatus: {status}\n" in text
        assert int(unfilled) == len(markers(text.splitlines())) > 0  # as mlprod check counts

    metrics = read(project, paths["metrics"])
    shown = cells(browser, "Test set metrics of the model and of each baseline")
    columns = {"model": metrics["model"], **metrics["baselines"]}
    for name, scores in shown.items():
        assert [float(value) for value in scores] == [
            round(column[name], 4) for column in columns.values()
        ], name
    slices = read(project, paths["slices"])
    for column, groups in slices.items():
        rows = cells(browser, f"Test metrics per {column}")
        for value, values in groups.items():
            row = rows.get(value) or rows[f"{value} (worst)"]
            assert int(row[0].replace(",", "")) == values["rows"]
            assert float(row[1]) == round(values["roc_auc"], 4)
    worst = browser.execute_script("return document.querySelectorAll('tr.worst').length")
    assert worst == reported["params"]["report"]["worst_slices"]
    svgs = browser.execute_script(
        "return [...document.querySelectorAll('svg')].map((s) => s.getAttribute('aria-labelledby'))"
    )
    assert svgs == ["roc-title roc-desc", "calibration-title calibration-desc"]

    ab = read(project, paths["ab_analysis"])
    (variant,) = ab["variants"]
    row = cells(browser, "Lift of each variant over the control")[variant["name"]]
    assert float(row[2]) == round(variant["lift_abs"], 4)
    assert row[3] == f"{variant['ci_low']:.4f} to {variant['ci_high']:.4f}"
    text = browser.execute_script("return document.querySelector('#evaluation').innerText")
    assert ab["decision"] in text
    assert f"p-value {ab['srm']['p_value']:.4f}" in text
    assert "run make monitor BATCH=" in text  # no drift check has run

    check = read(project, paths["check"])
    findings = cells(browser, "Findings of mlprod check") or {}
    assert sorted(findings) == sorted(finding["code"] for finding in check["findings"])
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    hashes = {
        out["path"]: out["md5"]
        for stage in lock["stages"].values()
        for out in stage.get("outs", [])
        if out["path"] != paths["report"]
    }
    versions = cells(browser, "Pipeline outputs as recorded in dvc.lock")
    assert {path: row[0] for path, row in versions.items()} == hashes
    commit = run(["git", "rev-parse", "HEAD"], project, reported["env"]).stdout.strip()
    health = browser.execute_script("return document.querySelector('#health').innerText")
    assert f"Git commit {commit}" in health


def test_the_pipeline_stays_up_to_date_after_make_report(reported):
    status = run([".venv/bin/dvc", "status"], reported["project"], reported["env"])
    assert "up to date" in status.stdout
