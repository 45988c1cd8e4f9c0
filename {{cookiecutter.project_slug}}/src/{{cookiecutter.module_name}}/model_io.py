"""The model artifact: a fitted model with its metadata, saved in skops' secure format.

Loading a skops file builds only the types it is told to trust, so a tampered or foreign
model file cannot run code (unlike pickle or joblib). Before skops opens it, the file is
bounded in size and in the sizes its zip members declare, so a zip bomb is refused unread.
The model's version is the hash of the file's bytes: a file changed in any way reports
another version, and `make verify-model` compares the file with what dvc.lock recorded.

    python -m {{ cookiecutter.module_name }}.model_io verify   # make verify-model
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
import yaml

from {{ cookiecutter.module_name }} import __version__
from {{ cookiecutter.module_name }}.errors import ModelError, ProjectError
from {{ cookiecutter.module_name }}.features import to_matrix
from {{ cookiecutter.module_name }}.schema import input_schema

# Types outside skops' default trusted set that a fitted HistGradientBoostingClassifier
# holds. Keep this list short and explicit: every entry is code that loading may build.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]
# Bounds on a model file before it is opened; params.yaml's model_file section sets them.
MAX_BYTES = 100_000_000
MAX_UNPACKED_BYTES = 500_000_000
VERSION_LENGTH = 12
LOCK_FILE = Path("dvc.lock")


@dataclass(frozen=True)
class ModelArtifact:
    """A fitted classifier taking to_matrix() output, and what is known about it.

    version is the first 12 hex digits of the model file's SHA-256 (load() sets it), or
    "unsaved" for a model built in memory.
    """

    model: Any
    metadata: dict[str, Any]
    version: str = "unsaved"

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
    The model's version is not here: it is the hash of the saved file (load()).
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
    return {
        **provenance,
        "metrics": metrics,
        "training_rows": training_rows,
        "decision_threshold": decision_threshold,
        "example": example,
    }


def save(artifact: ModelArtifact, path: Path) -> str:
    """Write the model and its metadata to one skops file; return its version."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump({"model": artifact.model, "metadata": artifact.metadata}, path)
    return file_sha256(path)[:VERSION_LENGTH]


def check_bounds(path: Path, max_bytes: int, max_unpacked_bytes: int) -> None:
    """Refuse a file larger than max_bytes, or a zip whose members declare more than
    max_unpacked_bytes in all (zipfile never inflates a member past its declared size)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ModelError(
            f"{path} is {size} bytes, over model_file.max_bytes ({max_bytes}); "
            "refusing to open it. Rebuild it with make pipeline, or raise the limit"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ModelError(
            f"{path} is not a skops model file ({error}); rebuild it with make pipeline"
        ) from None
    if unpacked > max_unpacked_bytes:
        raise ModelError(
            f"{path} would unpack to {unpacked} bytes, over model_file.max_unpacked_bytes "
            f"({max_unpacked_bytes}); refusing to open it. Rebuild it with make pipeline"
        )


def load(
    path: Path, max_bytes: int = MAX_BYTES, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
) -> ModelArtifact:
    """Read a model file, refusing a file over the size bounds, any type outside skops'
    defaults and TRUSTED_TYPES, and a model whose input schema is not the one
    schema.FEATURES describes now.

    Raises:
        ModelError: the file is missing, too large, malformed, holds an untrusted type, or
            was trained on other features.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file {path} not found; run the pipeline first (make pipeline)")
    check_bounds(path, max_bytes, max_unpacked_bytes)
    version = file_sha256(path)[:VERSION_LENGTH]
    try:
        untrusted = [
            name for name in sio.get_untrusted_types(file=path) if name not in TRUSTED_TYPES
        ]
    except Exception as error:  # skops raises several types for a file that is not its format
        raise ModelError(
            f"{path} is not a skops model file ({one_line(error)}); rebuild it with make pipeline"
        ) from None
    if untrusted:
        # ascii(): a type name is text from the file, and may hold terminal escape codes.
        raise ModelError(
            f"{path} holds untrusted types ({', '.join(map(ascii, untrusted))}); refusing to "
            "load it. Rebuild the model with make pipeline. Add a type to TRUSTED_TYPES only "
            "after reading its code: loading builds it, and a wrong entry lets a model file "
            "run code"
        )
    try:
        content = sio.load(path, trusted=TRUSTED_TYPES)
        model, metadata = content["model"], dict(content["metadata"])
    except Exception as error:  # a malformed member (a garbage .npy) raises anything
        raise ModelError(
            f"{path} is not a valid skops model file ({one_line(error)}); "
            "rebuild it with make pipeline"
        ) from None
    difference = schema_difference(metadata.get("input_schema"), input_schema())
    if difference:
        raise ModelError(
            f"{path} was trained on other features than schema.FEATURES describes "
            f"({difference}); scoring with it would misread the columns. "
            "Retrain it: make pipeline"
        )
    return ModelArtifact(model=model, metadata=metadata, version=version)


def one_line(error: BaseException) -> str:
    """An exception's message on one line, control characters escaped."""
    text = " ".join(str(error).split()) or type(error).__name__
    return ascii(text)[1:-1]


def recorded_md5(model: Path, lock: Path = LOCK_FILE) -> str:
    """The md5 that `dvc repro` recorded in dvc.lock for the model file.

    dvc.lock is committed and reviewed with the code: it is the record a team can trust. A
    hash written next to the model would be rewritten by whoever rewrites the model.
    """
    try:
        stages = yaml.safe_load(lock.read_text(encoding="utf-8"))["stages"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise ModelError(
            f"{lock} is missing or unreadable; run make pipeline and commit dvc.lock"
        ) from None
    for stage in stages.values():
        for out in stage.get("outs", []) if isinstance(stage, dict) else []:
            if Path(out.get("path", "")) == Path(model) and "md5" in out:
                return str(out["md5"])
    raise ModelError(f"{lock} records no {model}; run make pipeline and commit dvc.lock")


def verify(model: Path, lock: Path = LOCK_FILE) -> str:
    """Check the model file against dvc.lock; return a line saying it matches.

    Raises:
        ModelError: the file differs from what the pipeline produced.
    """
    if not Path(model).is_file():
        raise ModelError(f"model file {model} not found; run make pipeline, or dvc pull")
    digest = hashlib.md5(usedforsecurity=False)
    with Path(model).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    expected = recorded_md5(model, lock)
    if digest.hexdigest() != expected:
        raise ModelError(
            f"{model} differs from the model {lock} records (md5 {digest.hexdigest()}, "
            f"recorded {expected}); do not deploy it. Restore it: dvc checkout {model}"
        )
    version = file_sha256(model)[:VERSION_LENGTH]
    return f"{model}: matches {lock} (md5 {expected}); model version {version}"


def main(argv: list[str] | None = None) -> int:
    from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params

    args = sys.argv[1:] if argv is None else argv
    if args != ["verify"]:
        print("usage: python -m {{ cookiecutter.module_name }}.model_io verify", file=sys.stderr)
        return 2
    try:
        print(verify(load_params(PARAMS_FILE).paths.model))
    except ProjectError as error:
        print(f"verify-model: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


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
