"""Pipeline parameters: params.yaml read and validated once, then passed down as typed objects.

Each section is a pydantic model: a misspelt key, a missing one, a wrong type or a value out
of range is one line naming the file and the key. This module imports neither pandas nor
scikit-learn, so reading the parameters costs milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from {{ cookiecutter.module_name }}.errors import ConfigError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN

PARAMS_FILE = Path("params.yaml")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
# Lists and text from YAML become tuples and paths.
Columns = Annotated[tuple[str, ...], Field(strict=False)]
FilePath = Annotated[Path, Field(strict=False)]


class Section(BaseModel):
    # Strict: `true` is not a count and "5" is not a number (a whole number is a valid float).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SampleParams(Section):
    rows: int = Field(ge=50)
    seed: int


class PrepareParams(Section):
    test_share: float = Field(ge=0.05, le=0.5)
    seed: int


class ModelParams(Section):
    """Hyperparameters of sklearn's HistGradientBoostingClassifier."""

    max_iter: int = Field(ge=1)
    learning_rate: float = Field(ge=1e-4, le=1.0)
    max_leaf_nodes: int = Field(ge=2)
    min_samples_leaf: int = Field(ge=1)
    l2_regularization: float = Field(ge=0.0)
    seed: int


class TrainParams(Section):
    cv_folds: int = Field(ge=2, le=20)
    decision_threshold: Share


class EvaluateParams(Section):
    baseline_feature: str
    min_improvement: Share
    slice_columns: Columns

    @field_validator("baseline_feature")
    @classmethod
    def _baseline_is_a_feature(cls, column: str) -> str:
        return _feature(column)

    @field_validator("slice_columns")
    @classmethod
    def _slices_are_features(cls, columns: Columns) -> Columns:
        return tuple(_feature(column) for column in columns)


def _feature(column: str) -> str:
    if column not in FEATURE_NAMES:
        raise ValueError(f"'{column}' is not a feature; use one of: {', '.join(FEATURE_NAMES)}")
    return column


class RobustnessParams(Section):
    numeric_noise: Share
    max_flip_share: Share


class ExperimentParams(Section):
    """The simulated A/B test result (experiment.py)."""

    units: int = Field(ge=100)
    baseline_rate: float = Field(ge=0.001, le=0.999)
    relative_lift: float = Field(ge=-0.9, le=10.0)
    salt: str = Field(min_length=1)
    seed: int


class PathParams(Section):
    """Where each stage reads and writes; dvc.yaml names the same files as ${paths.<key>}."""

    raw: FilePath
    train: FilePath
    test: FilePath
    model: FilePath
    metrics: FilePath
    slices: FilePath
    plots: FilePath
    experiment: FilePath
    ab_analysis: FilePath
    drift_report: FilePath
    docs: FilePath
    check: FilePath
    report: FilePath


class ReportParams(Section):
    """The project report (make report)."""

    slice_metric: Literal["roc_auc", "accuracy", "precision", "recall", "f1"]
    worst_slices: int = Field(ge=0)


class ModelFileParams(Section):
    """Bounds checked before a model file is opened (model_io.load)."""

    max_bytes: int = Field(ge=1)
    max_unpacked_bytes: int = Field(ge=1)


class PredictParams(Section):
    chunk_rows: int = Field(ge=1)
    max_columns: int = Field(ge=1)


class ServeParams(Section):
    """Limits of the HTTP service (serve.py)."""

    max_batch_rows: int = Field(ge=1)
    max_body_bytes: int = Field(ge=1024)
    read_timeout_seconds: float = Field(gt=0)
    keep_alive_seconds: float = Field(gt=0)
    workers: int = Field(default=1, ge=1)  # processes; each loads the model and logs apart


class PredictionLogParams(Section):
    """The prediction log of serve and predict (prediction_log.py)."""

    enabled: bool
    directory: FilePath
    queue_rows: int = Field(ge=1)  # rows waiting for the writer; more are dropped and counted
    roll_bytes: int = Field(ge=1024)
    roll_seconds: float = Field(gt=0)  # the flush window is this plus the writer's round (1 s)
    exclude: Columns = ()  # columns never written
    hashed: Columns = ()  # columns written as sha256(salt:value), 16 hex digits
    hash_salt: str = Field(min_length=1)

    @field_validator("exclude", "hashed")
    @classmethod
    def _loggable(cls, columns: Columns) -> Columns:
        for column in columns:
            if column != ID_COLUMN and column not in FEATURE_NAMES:
                raise ValueError(
                    f"'{column}' is not a logged input column; use {ID_COLUMN} or a feature"
                )
        return columns


class ChallengerParams(Section):
    """A second model served beside paths.model (serve.py). mode none: the champion only;
    split: a share of units, by a hash of their id (as `mlprod ab assign`), get the
    challenger's answer; shadow: the challenger scores every row and is logged, the
    champion answers."""

    mode: Literal["none", "split", "shadow"]
    model: FilePath
    share: Share
    salt: str = Field(min_length=1)


class Params(Section):
    paths: PathParams
    sample: SampleParams
    prepare: PrepareParams
    model: ModelParams
    train: TrainParams
    evaluate: EvaluateParams
    robustness: RobustnessParams
    experiment: ExperimentParams
    model_file: ModelFileParams
    report: ReportParams
    # Present only where the project was generated with that way of serving predictions.
    predict: PredictParams | None = None
    serve: ServeParams | None = None
    prediction_log: PredictionLogParams | None = None
    challenger: ChallengerParams | None = None


def _one_line(error: ValidationError, source: Path) -> str:
    """The first problem pydantic found, as `<file>: <key>: <what is wrong>; <fix>`."""
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "the top level"
    kind, message = first["type"], first["msg"]
    if kind == "extra_forbidden":
        return f"{source}: unknown key '{key}'; remove it or fix its spelling"
    if kind == "missing":
        return f"{source}: '{key}' is missing; add it"
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    else:
        message = f"{message} (got {first['input']!r})"
    return f"{source}: {key}: {message}"


def parse_params(raw: object, source: Path = PARAMS_FILE) -> Params:
    """Validate the parsed content of params.yaml.

    Args:
        raw: what yaml.safe_load returned.
        source: the file it came from, for messages.

    Returns:
        The parameters, typed and range-checked.
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must be a mapping of sections (paths, sample, model, ...)")
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_one_line(error, source)) from None


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
    return parse_params(raw, Path(path))
