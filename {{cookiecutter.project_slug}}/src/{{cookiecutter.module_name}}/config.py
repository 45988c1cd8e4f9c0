"""Pipeline parameters: params.yaml read and validated once, then passed down as typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from {{ cookiecutter.module_name }}.data import FEATURE_NAMES
from {{ cookiecutter.module_name }}.errors import ConfigError

PARAMS_FILE = Path("params.yaml")


def _spec(minimum: float | None = None, maximum: float | None = None) -> Any:
    return field(metadata={"minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class SampleParams:
    rows: int = _spec(minimum=50)
    seed: int = _spec()


@dataclass(frozen=True)
class PrepareParams:
    test_share: float = _spec(minimum=0.05, maximum=0.5)
    seed: int = _spec()


@dataclass(frozen=True)
class ModelParams:
    """Hyperparameters of sklearn's HistGradientBoostingClassifier."""

    max_iter: int = _spec(minimum=1)
    learning_rate: float = _spec(minimum=1e-4, maximum=1.0)
    max_leaf_nodes: int = _spec(minimum=2)
    min_samples_leaf: int = _spec(minimum=1)
    l2_regularization: float = _spec(minimum=0.0)
    seed: int = _spec()


@dataclass(frozen=True)
class TrainParams:
    cv_folds: int = _spec(minimum=2, maximum=20)
    decision_threshold: float = _spec(minimum=0.0, maximum=1.0)


@dataclass(frozen=True)
class EvaluateParams:
    baseline_feature: str = _spec()
    min_improvement: float = _spec(minimum=0.0, maximum=1.0)
    slice_columns: list[str] = _spec()


@dataclass(frozen=True)
class RobustnessParams:
    numeric_noise: float = _spec(minimum=0.0, maximum=1.0)
    max_flip_share: float = _spec(minimum=0.0, maximum=1.0)


@dataclass(frozen=True)
class ExperimentParams:
    """The simulated A/B test result (experiment.py)."""

    units: int = _spec(minimum=100)
    baseline_rate: float = _spec(minimum=0.001, maximum=0.999)
    relative_lift: float = _spec(minimum=-0.9, maximum=10.0)
    salt: str = _spec()
    seed: int = _spec()


@dataclass(frozen=True)
class PredictParams:
    chunk_rows: int = _spec(minimum=1)


@dataclass(frozen=True)
class ServeParams:
    max_batch_rows: int = _spec(minimum=1)


@dataclass(frozen=True)
class Params:
    sample: SampleParams
    prepare: PrepareParams
    model: ModelParams
    train: TrainParams
    evaluate: EvaluateParams
    robustness: RobustnessParams
    experiment: ExperimentParams
    # Present only where the project was generated with that way of serving predictions.
    predict: PredictParams | None = None
    serve: ServeParams | None = None


_SECTIONS = {
    "sample": SampleParams,
    "prepare": PrepareParams,
    "model": ModelParams,
    "train": TrainParams,
    "evaluate": EvaluateParams,
    "robustness": RobustnessParams,
    "experiment": ExperimentParams,
    "predict": PredictParams,
    "serve": ServeParams,
}
_OPTIONAL = {"predict", "serve"}
_SCALARS = {
    "int": (int, "a whole number"),
    "float": ((int, float), "a number"),
    "str": (str, "a string"),
}


def _check_value(name: str, kind: str, value: Any, spec: dict[str, Any]) -> Any:
    if kind == "list[str]":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"params.yaml: {name} must be a list of column names, not {value!r}")
        return list(value)
    accepted, wording = _SCALARS[kind]
    # bool is a subclass of int, yet `true` is never a meant count or rate.
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise ConfigError(f"params.yaml: {name} must be {wording}, not {value!r}")
    if kind == "float":
        value = float(value)
    minimum, maximum = spec["minimum"], spec["maximum"]
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigError(f"params.yaml: {name} is {value}; set it {bounds}")
    return value


def _section(name: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"params.yaml: '{name}' must be a mapping of keys to values")
    expected = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(expected))
    if unknown:
        raise ConfigError(
            f"params.yaml: unknown key '{name}.{unknown[0]}'; remove it or fix its spelling "
            f"(known: {', '.join(expected)})"
        )
    missing = [key for key in expected if key not in raw]
    if missing:
        raise ConfigError(f"params.yaml: '{name}.{missing[0]}' is missing; add it")
    values = {
        key: _check_value(f"{name}.{key}", str(f.type), raw[key], dict(f.metadata))
        for key, f in expected.items()
    }
    return cls(**values)


def parse_params(raw: Any) -> Params:
    """Validate the parsed content of params.yaml.

    Args:
        raw: what yaml.safe_load returned.

    Returns:
        The parameters, typed and range-checked.
    """
    if not isinstance(raw, dict):
        raise ConfigError("params.yaml must be a mapping of sections (sample, prepare, model, ...)")
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"params.yaml: unknown section '{unknown[0]}'; remove it or fix its spelling"
        )
    sections = {}
    for name, cls in _SECTIONS.items():
        if name not in raw:
            if name in _OPTIONAL:
                continue
            raise ConfigError(f"params.yaml: section '{name}' is missing; add it")
        sections[name] = _section(name, cls, raw[name])
    params = Params(**sections)
    for column in [*params.evaluate.slice_columns, params.evaluate.baseline_feature]:
        if column not in FEATURE_NAMES:
            raise ConfigError(
                f"params.yaml: evaluate names column '{column}', which is not a feature; "
                f"use one of: {', '.join(FEATURE_NAMES)}"
            )
    return params


def load_params(path: Path = PARAMS_FILE) -> Params:
    """Read and validate params.yaml.

    Args:
        path: the parameters file.

    Returns:
        The parameters, typed and range-checked.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} not found; run from the project root or pass its path") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(
            f"{path} is not valid YAML ({str(error).splitlines()[0]}); fix its syntax"
        ) from None
    return parse_params(raw)
