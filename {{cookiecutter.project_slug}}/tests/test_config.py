from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.module_name }}.config import load_params, parse_params
from {{ cookiecutter.module_name }}.errors import ConfigError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES

PARAMS = Path(__file__).resolve().parents[1] / "params.yaml"


def raw_params() -> dict:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))


def test_project_params_are_valid():
    params = load_params(PARAMS)
    assert params.sample.rows >= 1000
    assert 0 < params.prepare.test_share < 1
    assert set(params.evaluate.slice_columns) <= set(FEATURE_NAMES)
    assert params.paths.model == Path("models/model.skops")


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("model", "learnin_rate", 0.1, "params.yaml: unknown key 'model.learnin_rate'; remove it"),
        ("paths", "modle", "m.skops", "params.yaml: unknown key 'paths.modle'"),
        ("sample", "rows", "many", "params.yaml: sample.rows: Input should be a valid integer"),
        ("model", "max_iter", True, "params.yaml: model.max_iter: Input should be a valid integer"),
        ("train", "decision_threshold", True, "params.yaml: train.decision_threshold: Input"),
        ("experiment", "salt", "", "params.yaml: experiment.salt: String should have at least 1"),
        (
            "prepare",
            "test_share",
            0.9,
            "params.yaml: prepare.test_share: Input should be less than or equal to 0.5 (got 0.9)",
        ),
        (
            "evaluate",
            "slice_columns",
            ["country"],
            "params.yaml: evaluate.slice_columns: 'country' is not a feature; use one of: "
            + ", ".join(FEATURE_NAMES),
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_file_and_the_key(section, key, value, message):
    raw = raw_params()
    raw[section][key] = value
    with pytest.raises(ConfigError) as raised:
        parse_params(raw, Path("params.yaml"))
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_missing_section_and_key_are_named():
    raw = raw_params()
    del raw["train"]
    with pytest.raises(ConfigError, match="'train' is missing; add it"):
        parse_params(raw)
    raw = raw_params()
    del raw["paths"]["raw"]
    with pytest.raises(ConfigError, match=r"'paths\.raw' is missing; add it"):
        parse_params(raw)


def test_whole_numbers_are_valid_rates_and_paths_are_paths():
    raw = raw_params()
    raw["model"]["l2_regularization"] = 1
    params = parse_params(raw)
    assert params.model.l2_regularization == 1.0
    assert isinstance(params.paths.plots, Path)


def test_missing_file_and_bad_yaml_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_params(tmp_path / "params.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("sample: [rows\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_params(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- sample\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{listed} must be a mapping of sections"):
        load_params(listed)


def test_loading_the_params_imports_neither_pandas_nor_scikit_learn():
    module = load_params.__module__
    code = (
        f"import sys; from {module} import load_params; load_params({str(PARAMS)!r}); "
        "print(sorted({'pandas', 'sklearn', 'numpy', 'pyarrow'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
