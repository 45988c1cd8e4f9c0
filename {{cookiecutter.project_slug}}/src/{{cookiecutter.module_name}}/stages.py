"""The DVC pipeline's stages: each reads its inputs, calls the pure functions, writes outputs.

dvc.yaml runs `python -m {{ cookiecutter.module_name }}.stages <stage>` from the project root; the paths
below are the ones dvc.yaml declares, so change them in both places.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }} import data, evaluate, experiment, model_io, train
from {{ cookiecutter.module_name }}.config import Params, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError

RAW_DATA = Path("data/raw/emails.csv")
TRAIN_DATA = Path("data/prepared/train.parquet")
TEST_DATA = Path("data/prepared/test.parquet")
EXPERIMENT_RESULTS = Path("data/experiment/results.csv")
REPORTS = Path("reports")
PLOTS = REPORTS / "plots"


def write_json(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def make_sample(params: Params) -> None:
    """Write the synthetic sample. To use real data, replace this stage (see README)."""
    frame = data.make_sample(params.sample.rows, params.sample.seed)
    RAW_DATA.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(RAW_DATA, index=False)


def prepare(params: Params) -> None:
    """Validate the raw data against the training schema and split it into train and test."""
    frame = data.validate(data.read_table(RAW_DATA), data.training_schema())
    train_rows, test_rows = data.split(frame, params.prepare.test_share, params.prepare.seed)
    TRAIN_DATA.parent.mkdir(parents=True, exist_ok=True)
    train_rows.to_parquet(TRAIN_DATA, index=False)
    test_rows.to_parquet(TEST_DATA, index=False)


def feature_description() -> list[dict[str, Any]]:
    return [
        {key: value for key, value in asdict(feature).items() if value not in (None, ())}
        for feature in data.FEATURES
    ]


def example_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first training row's features as JSON values, as a client would send them."""
    row = frame.iloc[0]
    return {
        feature.name: int(row[feature.name])
        if feature.kind == "integer"
        else str(row[feature.name])
        for feature in data.FEATURES
    }


def train_model(params: Params) -> None:
    """Fit the model on the training split and save it with its metadata."""
    frame = pd.read_parquet(TRAIN_DATA)
    metadata = model_io.build_metadata(
        params={"model": asdict(params.model), "train": asdict(params.train)},
        metrics=train.cross_validated_metrics(frame, params.model, params.train.cv_folds),
        training_data_sha256=model_io.file_sha256(TRAIN_DATA),
        training_rows=len(frame),
        decision_threshold=params.train.decision_threshold,
        features=feature_description(),
        example=example_row(frame),
    )
    model = train.fit(frame, params.model)
    model_io.save(model_io.ModelArtifact(model, metadata))


def evaluate_model(params: Params) -> None:
    """Score the test split; write metrics, slices and plot data; apply the baseline gate.

    The reports are written before the gate is applied, so a failing model can be examined.
    """
    artifact = model_io.load()
    train_rows, test_rows = pd.read_parquet(TRAIN_DATA), pd.read_parquet(TEST_DATA)
    threshold = params.train.decision_threshold
    actual = test_rows[data.TARGET].to_numpy()
    labels, probability = artifact.score(test_rows)
    model_metrics = evaluate.classification_metrics(actual, probability, threshold)
    baselines = {
        name: evaluate.classification_metrics(actual, baseline, threshold)
        for name, baseline in evaluate.baseline_probabilities(
            train_rows, test_rows, params.evaluate.baseline_feature
        ).items()
    }
    write_json(
        REPORTS / "slices.json",
        evaluate.slice_metrics(test_rows, probability, params.evaluate.slice_columns, threshold),
    )
    write_json(PLOTS / "roc.json", evaluate.roc_points(actual, probability))
    write_json(PLOTS / "confusion.json", evaluate.confusion_records(actual, labels))
    write_json(PLOTS / "calibration.json", evaluate.calibration_points(actual, probability))
    metrics = {"model_version": artifact.version, "model": model_metrics, "baselines": baselines}
    try:
        metrics["gate"] = evaluate.check_gate(
            model_metrics, baselines, params.evaluate.min_improvement
        )
    finally:
        metrics.setdefault("gate", {"metric": evaluate.GATE_METRIC, "passed": False})
        write_json(REPORTS / "metrics.json", metrics)


def simulate_experiment(params: Params) -> None:
    """Write the example A/B test result that `mlprod ab analyze` can be tried on."""
    settings = params.experiment
    frame = experiment.simulate_ab_test(
        settings.units, settings.baseline_rate, settings.relative_lift, settings.salt, settings.seed
    )
    EXPERIMENT_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(EXPERIMENT_RESULTS, index=False)


STAGES = {
    "sample": make_sample,
    "prepare": prepare,
    "train": train_model,
    "evaluate": evaluate_model,
    "experiment": simulate_experiment,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.stages", description="Run one stage of the DVC pipeline."
    )
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    try:
        STAGES[args.stage](load_params(args.params))
    except ProjectError as error:
        print(f"{args.stage}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
