"""The DVC pipeline's stages: each reads its inputs, calls the pure functions, writes outputs.

dvc.yaml runs `python -m {{ cookiecutter.module_name }}.stages <stage>` from the project root. Every file
a stage reads or writes is named in params.yaml's `paths`, which dvc.yaml uses too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }} import data, evaluate, experiment, model_io, sample, tables, train
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, Params, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError
from {{ cookiecutter.module_name }}.schema import FEATURES, TARGET, Kind, assert_never


def write_json(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def make_sample(params: Params) -> None:
    """Write the synthetic sample. To use real data, replace this stage (see README)."""
    frame = sample.make_sample(params.sample.rows, params.sample.seed)
    tables.write_table(frame, params.paths.raw)


def prepare(params: Params) -> None:
    """Validate the raw data against the training schema and split it into train and test."""
    frame = data.validate(tables.read_table(params.paths.raw), data.training_schema())
    train_rows, test_rows = data.split(frame, params.prepare.test_share, params.prepare.seed)
    tables.write_table(train_rows, params.paths.train)
    tables.write_table(test_rows, params.paths.test)


def example_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first training row's features as JSON values, as a client would send them."""
    row = frame.iloc[0]
    example: dict[str, Any] = {}
    for feature in FEATURES:
        value = row[feature.name]
        match feature.kind:
            case Kind.INTEGER:
                example[feature.name] = int(value)
            case Kind.FLOAT:
                example[feature.name] = float(value)
            case Kind.BOOLEAN:
                example[feature.name] = bool(value)
            case Kind.CATEGORY:
                example[feature.name] = str(value)
            case _:
                assert_never(feature.kind)
    return example


def train_model(params: Params) -> None:
    """Fit the model on the training split and save it with its metadata."""
    frame = tables.read_table(params.paths.train)
    metadata = model_io.build_metadata(
        params=params.model_dump(mode="json", include={"model", "train"}),
        metrics=train.cross_validated_metrics(frame, params.model, params.train.cv_folds),
        training_data_sha256=model_io.file_sha256(params.paths.train),
        training_rows=len(frame),
        decision_threshold=params.train.decision_threshold,
        example=example_row(frame),
    )
    model = train.fit(frame, params.model)
    model_io.save(model_io.ModelArtifact(model, metadata), params.paths.model)


def evaluate_model(params: Params) -> None:
    """Score the test split; write metrics, slices and plot data; apply the baseline gate.

    The reports are written before the gate is applied, so a failing model can be examined.
    """
    paths = params.paths
    artifact = model_io.load(paths.model, **params.model_file.model_dump())
    train_rows, test_rows = tables.read_table(paths.train), tables.read_table(paths.test)
    threshold = params.train.decision_threshold
    actual = test_rows[TARGET].to_numpy()
    labels, probability = artifact.score(test_rows)
    model_metrics = evaluate.classification_metrics(actual, probability, threshold)
    baselines = {
        name: evaluate.classification_metrics(actual, baseline, threshold)
        for name, baseline in evaluate.baseline_probabilities(
            train_rows, test_rows, params.evaluate.baseline_feature
        ).items()
    }
    slices = list(params.evaluate.slice_columns)
    write_json(paths.slices, evaluate.slice_metrics(test_rows, probability, slices, threshold))
    write_json(paths.plots / "roc.json", evaluate.roc_points(actual, probability))
    write_json(paths.plots / "confusion.json", evaluate.confusion_records(actual, labels))
    write_json(paths.plots / "calibration.json", evaluate.calibration_points(actual, probability))
    metrics = {"model_version": artifact.version, "model": model_metrics, "baselines": baselines}
    try:
        metrics["gate"] = evaluate.check_gate(
            model_metrics, baselines, params.evaluate.min_improvement
        )
    finally:
        metrics.setdefault("gate", {"metric": evaluate.GATE_METRIC, "passed": False})
        write_json(paths.metrics, metrics)


def simulate_experiment(params: Params) -> None:
    """Write the example A/B test result that `mlprod ab analyze` can be tried on."""
    settings = params.experiment
    frame = experiment.simulate_ab_test(
        settings.units, settings.baseline_rate, settings.relative_lift, settings.salt, settings.seed
    )
    tables.write_table(frame, params.paths.experiment)


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
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    try:
        STAGES[args.stage](load_params(args.params))
    except ProjectError as error:
        print(f"{args.stage}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
