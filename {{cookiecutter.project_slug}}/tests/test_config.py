from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.module_name }}.config import load_params, parse_params
from {{ cookiecutter.module_name }}.errors import ConfigError

PARAMS = Path(__file__).resolve().parents[1] / "params.yaml"


def raw_params() -> dict:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))


def test_project_params_are_valid():
    params = load_params(PARAMS)
    assert params.sample.rows >= 1000
    assert 0 < params.prepare.test_share < 1
    assert set(params.evaluate.slice_columns) <= {
        "send_hour",
        "weekday",
        "tenure_months",
        "past_opens_30d",
        "channel",
    }


def test_unknown_key_is_named():
    raw = raw_params()
    raw["model"]["learnin_rate"] = 0.1
    with pytest.raises(ConfigError, match=r"unknown key 'model\.learnin_rate'"):
        parse_params(raw)


def test_missing_section_is_named():
    raw = raw_params()
    del raw["train"]
    with pytest.raises(ConfigError, match="section 'train' is missing"):
        parse_params(raw)


def test_wrong_type_is_named():
    raw = raw_params()
    raw["sample"]["rows"] = "many"
    with pytest.raises(ConfigError, match=r"sample\.rows must be a whole number"):
        parse_params(raw)


def test_bool_is_not_a_number():
    raw = raw_params()
    raw["model"]["max_iter"] = True
    with pytest.raises(ConfigError, match=r"model\.max_iter"):
        parse_params(raw)


def test_out_of_range_value_is_refused_with_its_bounds():
    raw = raw_params()
    raw["prepare"]["test_share"] = 0.9
    with pytest.raises(
        ConfigError, match=r"prepare\.test_share is 0\.9; set it between 0\.05 and 0\.5"
    ):
        parse_params(raw)


def test_slice_column_must_be_a_feature():
    raw = raw_params()
    raw["evaluate"]["slice_columns"] = ["country"]
    with pytest.raises(ConfigError, match="'country', which is not a feature"):
        parse_params(raw)


def test_missing_file_and_bad_yaml_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_params(tmp_path / "params.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("sample: [rows\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_params(broken)
