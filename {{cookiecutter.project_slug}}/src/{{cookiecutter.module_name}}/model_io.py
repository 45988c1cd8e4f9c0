"""The model artifact: a fitted model with its metadata, saved in skops' secure format.

Loading a skops file builds only the types it is told to trust, so a tampered or foreign
model file cannot run code (unlike pickle or joblib).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio

from {{ cookiecutter.module_name }} import __version__
from {{ cookiecutter.module_name }}.errors import ModelError
from {{ cookiecutter.module_name }}.features import to_matrix
from {{ cookiecutter.module_name }}.schema import input_schema

# Types outside skops' default trusted set that a fitted HistGradientBoostingClassifier
# holds. Keep this list short and explicit: every entry is code that loading may build.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]


@dataclass(frozen=True)
class ModelArtifact:
    """A fitted classifier taking to_matrix() output, and what is known about it."""

    model: Any
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.metadata["model_version"])

    def score(self, columns: Any) -> tuple[np.ndarray, np.ndarray]:
        """Predict validated rows.

        Args:
            columns: a DataFrame, or a mapping of feature name to values.

        Returns:
            (labels 0/1, probabilities of opening), one per row.
        """
        matrix = to_matrix(columns)
        if len(matrix) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        probability = self.model.predict_proba(matrix)[:, 1]
        labels = (probability >= self.metadata["decision_threshold"]).astype(np.int64)
        return labels, probability


def file_sha256(path: Path) -> str:
    """Hash a file in blocks, so that large data files do not fill memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> tuple[str, bool]:
    """The current commit and whether tracked files differ from it ("unknown" outside git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return commit, bool(status.strip())


def build_metadata(
    *,
    params: dict[str, Any],
    metrics: dict[str, float],
    training_data_sha256: str,
    training_rows: int,
    decision_threshold: float,
    example: dict[str, Any],
) -> dict[str, Any]:
    """Describe a model: how it was made, from what, what it reads, and how good it looked.

    `input_schema` is schema.input_schema() now: the columns the model reads, in order, with
    their kinds and categories; load() refuses the model once the code describes others.
    The model version is a hash of what determines the model (parameters, input schema,
    training data, package version and commit), so the same inputs give the same version.
    """
    commit, dirty = git_commit()
    provenance = {
        "params": params,
        "input_schema": input_schema(),
        "training_data_sha256": training_data_sha256,
        "package_version": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
    }
    version = hashlib.sha256(json.dumps(provenance, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "model_version": version,
        **provenance,
        "metrics": metrics,
        "training_rows": training_rows,
        "decision_threshold": decision_threshold,
        "example": example,
    }


def save(artifact: ModelArtifact, path: Path) -> None:
    """Write the model and its metadata to one skops file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": artifact.model, "metadata": artifact.metadata}, path)


def load(path: Path) -> ModelArtifact:
    """Read a model file, refusing any type outside skops' defaults and TRUSTED_TYPES, and
    a model whose input schema is not the one schema.FEATURES describes now.

    Raises:
        ModelError: the file is missing, unreadable, holds an untrusted type, or was
            trained on other features.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file {path} not found; run the pipeline first (make pipeline)")
    try:
        untrusted = [
            name for name in sio.get_untrusted_types(file=path) if name not in TRUSTED_TYPES
        ]
    except Exception as error:  # skops raises several types for a file that is not its format
        raise ModelError(
            f"{path} is not a skops model file ({error}); rebuild it with make pipeline"
        ) from None
    if untrusted:
        raise ModelError(
            f"{path} holds untrusted types ({', '.join(untrusted)}); refusing to load it. "
            "Rebuild the model with make pipeline, or review them and add them to TRUSTED_TYPES"
        )
    content = sio.load(path, trusted=TRUSTED_TYPES)
    difference = schema_difference(content["metadata"].get("input_schema"), input_schema())
    if difference:
        raise ModelError(
            f"{path} was trained on other features than schema.FEATURES describes "
            f"({difference}); scoring with it would misread the columns. "
            "Retrain it: make pipeline"
        )
    return ModelArtifact(model=content["model"], metadata=content["metadata"])


def schema_difference(trained: Any, current: dict[str, Any]) -> str:
    """The first difference between the model's input schema and the code's, or ""."""
    if not isinstance(trained, dict):
        return "the model records no input schema"
    for part in ("features", "derived"):
        # Descriptions are for people: editing one leaves the model valid.
        old = [_essentials(column) for column in trained.get(part, [])]
        new = [_essentials(column) for column in current[part]]
        for position, (was, now) in enumerate(zip(old, new, strict=False)):
            if was != now:
                return f"{part} #{position + 1}: model {_brief(was)}, code {_brief(now)}"
        if len(old) != len(new):
            return f"{part}: model has {len(old)}, code has {len(new)}"
    return ""


def _essentials(column: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in column.items() if key != "description"}


def _brief(column: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in column.items())
