"""make ab-report: outcomes joined with a real prediction log, then mlprod's analysis."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.ab_report import main, served_units
from {{ cookiecutter.module_name }}.config import PredictionLogParams
from {{ cookiecutter.module_name }}.errors import DataError
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES


def write_log(
    directory,
    rows: pd.DataFrame,
    variants: list[str],
    hashed=(),
    experiment="champion-challenger-1",
) -> None:
    params = PredictionLogParams(
        enabled=True, directory=directory, queue_rows=100_000, roll_bytes=10**8,
        roll_seconds=60.0, hashed=hashed, hash_salt="s",
    )  # fmt: skip
    log = PredictionLog(params).start()
    for variant in ("champion", "challenger"):
        picked = rows[[v == variant for v in variants]]
        log.record(
            {name: picked[name].tolist() for name in FEATURE_NAMES},
            [1] * len(picked),
            [0.5] * len(picked),
            request_id=variant,
            model_version="v",
            variant=variant,
            unit_ids=picked["customer_id"].tolist(),
            experiment=experiment,
        )
    log.close()


@pytest.fixture
def setup(project_root, tmp_path):
    def make(hashed=()):
        params = yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))
        params["prediction_log"].update(
            directory=str(tmp_path / "log"), hashed=list(hashed), hash_salt="s"
        )
        params["challenger"].update(mode="split", share=0.5)
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
        return ["--params", str(tmp_path / "params.yaml"), "--output-dir", str(tmp_path / "ab")]

    return make


def units_and_outcomes(lift: float, n: int = 4000):
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({name: [0] * n for name in FEATURE_NAMES})
    rows["weekday"], rows["channel"] = "Mon", "newsletter"
    rows["customer_id"] = [f"C{i}" for i in range(n)]
    variants = ["challenger" if i % 2 else "champion" for i in range(n)]
    rate = np.where(np.array(variants) == "challenger", 0.2 + lift, 0.2)
    outcomes = pd.DataFrame(
        {"customer_id": rows["customer_id"], "outcome": (rng.random(n) < rate).astype(int)}
    )
    return rows, variants, outcomes


@pytest.mark.parametrize("hashed", [(), ("customer_id",)])
def test_a_better_challenger_is_found_better(setup, tmp_path, capsys, hashed):
    rows, variants, outcomes = units_and_outcomes(lift=0.08)
    write_log(tmp_path / "log", rows, variants, hashed)
    outcomes.to_csv(tmp_path / "outcomes.csv", index=False)
    assert main([str(tmp_path / "outcomes.csv"), *setup(hashed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ab-report: 4000 units with an outcome (4000 in the log);")
    analysis = json.loads((tmp_path / "ab/analysis.json").read_text())
    (challenger,) = analysis["variants"]
    assert challenger["name"] == "challenger" and challenger["significant"]
    assert challenger["lift_abs"] > 0.04 and not analysis["srm"]["srm"]
    assert analysis["decision"] in out and "challenger" in analysis["decision"]
    units = pd.read_csv(tmp_path / "ab/units.csv")
    assert units.groupby("variant").size().to_dict() == {"challenger": 2000, "champion": 2000}


def test_only_the_experiments_answers_are_counted(tmp_path):
    """Rows logged before the experiment (a batch run, an earlier experiment), its shadow
    scores and its rows without an id would each bias the arms if they were counted."""
    rows, variants, _ = units_and_outcomes(lift=0.0, n=10)
    params = PredictionLogParams(
        enabled=True, directory=tmp_path, queue_rows=100, roll_bytes=10**8,
        roll_seconds=60.0, hash_salt="s",
    )  # fmt: skip
    log = PredictionLog(params).start()
    every = {name: rows[name].tolist() for name in FEATURE_NAMES}
    ids = rows["customer_id"].tolist()
    for request, variant, experiment, served in (
        ("batch run", "champion", None, True),
        ("earlier experiment", "challenger", "champion-challenger-0", True),
        ("shadow", "challenger", "champion-challenger-1", False),
    ):
        log.record(every, [0] * 10, [0.1] * 10, request_id=request, model_version="v",
                   variant=variant, unit_ids=ids, served=served, experiment=experiment)  # fmt: skip
    log.record(every, [0] * 10, [0.1] * 10, request_id="no ids", model_version="v",
               variant="champion", served=True, experiment="champion-challenger-1")  # fmt: skip
    log.close()
    write_log(tmp_path, rows, variants)
    units, mixed = served_units(tmp_path, "champion-challenger-1")
    assert mixed == 0
    assert units.groupby("variant").size().to_dict() == {"challenger": 5, "champion": 5}
    with pytest.raises(DataError) as refused:
        served_units(tmp_path, "champion-challenger-2")
    assert str(refused.value) == (
        f"no row in {tmp_path} was routed by the experiment of challenger.salt "
        "'champion-challenger-2'; serve with challenger.mode: split, or set the salt the "
        "experiment ran with"
    )


def test_an_outcomes_file_without_the_outcome_column_is_one_line(setup, tmp_path, capsys):
    rows, variants, outcomes = units_and_outcomes(lift=0.0, n=20)
    write_log(tmp_path / "log", rows, variants)
    outcomes.rename(columns={"outcome": "opened"}).to_csv(tmp_path / "o.csv", index=False)
    assert main([str(tmp_path / "o.csv"), *setup()]) == 2
    assert capsys.readouterr().err == (
        "ab-report: the outcomes file has no column 'outcome'; give customer_id,outcome\n"
    )
