"""Shared fixtures: the project's own parameters, a small sample, and a model trained on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import model_io, train
from {{ cookiecutter.module_name }}.config import Params, load_params
from {{ cookiecutter.module_name }}.sample import make_sample
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES
from {{ cookiecutter.module_name }}.stages import example_row

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def params() -> Params:
    return load_params(PROJECT_ROOT / "params.yaml")


@pytest.fixture(scope="session")
def sample() -> pd.DataFrame:
    return make_sample(2000, seed=7)


@pytest.fixture(scope="session")
def artifact(params: Params, sample: pd.DataFrame) -> model_io.ModelArtifact:
    """A model fitted with the project's hyperparameters on a small sample (under a second)."""
    metadata = model_io.build_metadata(
        params=params.model_dump(mode="json", include={"model"}),
        metrics={},
        training_data_sha256="0" * 64,
        training_rows=len(sample),
        decision_threshold=params.train.decision_threshold,
        example=example_row(sample),
    )
    return model_io.ModelArtifact(train.fit(sample, params.model), metadata)


@pytest.fixture
def rows(sample: pd.DataFrame) -> pd.DataFrame:
    """Fresh rows to score, features only, in the sample's value ranges."""
    return make_sample(300, seed=11)[list(FEATURE_NAMES)]
