"""The whole pipeline, stage by stage through its entry point, on a tiny sample."""

from __future__ import annotations

import json

import pytest
import yaml

from {{ cookiecutter.module_name }} import model_io
from {{ cookiecutter.module_name }}.stages import main


@pytest.fixture
def tiny_project(tmp_path, monkeypatch, project_root):
    params = yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))
    params["sample"]["rows"] = 1500
    params["model"]["max_iter"] = 30
    params["train"]["cv_folds"] = 2
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_all() -> None:
    for stage in ("sample", "prepare", "train", "evaluate"):
        assert main([stage]) == 0, stage


def test_pipeline_writes_data_model_metrics_and_plots(tiny_project):
    run_all()
    assert (tiny_project / "data/raw/emails.csv").stat().st_size > 0
    metrics = json.loads((tiny_project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["gate"]["passed"] is True
    assert metrics["model"]["roc_auc"] > metrics["baselines"]["majority_class"]["roc_auc"]
    slices = json.loads((tiny_project / "reports/slices.json").read_text(encoding="utf-8"))
    assert set(slices) == {"channel", "weekday"}
    for plot in ("roc", "confusion", "calibration"):
        assert json.loads((tiny_project / f"reports/plots/{plot}.json").read_text(encoding="utf-8"))
    artifact = model_io.load(tiny_project / "models/model.skops")
    assert artifact.metadata["training_data_sha256"] == model_io.file_sha256(
        tiny_project / "data/prepared/train.parquet"
    )
    assert metrics["model_version"] == artifact.version
    assert set(artifact.metadata["metrics"]) == {"cv_roc_auc", "cv_roc_auc_std", "cv_accuracy"}


def test_gate_fails_the_stage_with_a_message_and_keeps_the_reports(tiny_project, capsys):
    run_all()
    params = yaml.safe_load((tiny_project / "params.yaml").read_text(encoding="utf-8"))
    params["evaluate"]["min_improvement"] = 0.9
    (tiny_project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    assert main(["evaluate"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("evaluate: model roc_auc") and error.count("\n") == 1
    metrics = json.loads((tiny_project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["gate"]["passed"] is False


def test_bad_raw_data_stops_prepare_naming_row_and_column(tiny_project, capsys):
    assert main(["sample"]) == 0
    raw = tiny_project / "data/raw/emails.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("send_hour")] = "31"
    lines[3] = ",".join(cells)
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["prepare"]) == 1
    assert "row 3, column 'send_hour': value 31" in capsys.readouterr().err
    assert not (tiny_project / "data/prepared/train.parquet").exists()


def test_invalid_params_stop_a_stage_with_one_line(tiny_project, capsys):
    (tiny_project / "params.yaml").write_text("sample: {rows: 10}\n", encoding="utf-8")
    assert main(["sample"]) == 1
    assert capsys.readouterr().err.startswith("sample: params.yaml:")


def test_the_stages_read_and_write_where_params_yaml_says(tiny_project):
    params = yaml.safe_load((tiny_project / "params.yaml").read_text(encoding="utf-8"))
    params["paths"] = {key: f"elsewhere/{key}-{value}" for key, value in params["paths"].items()}
    (tiny_project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    run_all()
    written = sorted(
        path.relative_to(tiny_project).as_posix()
        for path in tiny_project.rglob("*")
        if path.is_file() and path.name != "params.yaml"
    )
    paths = params["paths"]
    plots = [f"{paths['plots']}/{name}.json" for name in ("calibration", "confusion", "roc")]
    expected = [paths[key] for key in ("raw", "train", "test", "model", "metrics", "slices")]
    assert written == sorted(expected + plots)


def test_dvc_yaml_names_every_file_through_params_yaml(project_root):
    pipeline = yaml.safe_load((project_root / "dvc.yaml").read_text(encoding="utf-8"))
    package = f"src/{model_io.__name__.split('.')[0]}"
    named = set()
    for name, stage in pipeline["stages"].items():
        listed = [*stage.get("deps", []), *stage.get("outs", [])]
        listed += stage.get("metrics", []) + stage.get("plots", [])
        # An entry with options (cache: false, ...) is a mapping from its path.
        entries = [entry if isinstance(entry, str) else next(iter(entry)) for entry in listed]
        for entry in entries:
            assert entry == package or entry.startswith("${paths."), (name, entry)
            named.add(entry.split("}")[0].removeprefix("${paths."))
        # A stage re-runs when the code it runs changes (`analyze` runs mlprod, pinned).
        if stage["cmd"].startswith("python -m "):
            assert package in stage["deps"], name
    params = yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))
    # Written outside the pipeline: by make monitor, and by make report's mlprod check.
    assert set(params["paths"]) - named == {"drift_report", "check"}
