from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio

from {{ cookiecutter.module_name }} import __version__, model_io
from {{ cookiecutter.module_name }}.errors import ModelError
from {{ cookiecutter.module_name }}.schema import input_schema


def test_saved_model_loads_and_predicts_the_same(artifact, sample, tmp_path):
    path = tmp_path / "model.skops"
    model_io.save(artifact, path)
    loaded = model_io.load(path)
    np.testing.assert_array_equal(loaded.score(sample)[1], artifact.score(sample)[1])
    assert loaded.metadata == artifact.metadata


def test_metadata_records_provenance(artifact):
    metadata = artifact.metadata
    assert metadata["package_version"] == __version__
    assert len(metadata["model_version"]) == 12
    assert {
        "params",
        "metrics",
        "training_data_sha256",
        "git_commit",
        "input_schema",
        "example",
    } <= set(metadata)
    assert metadata["input_schema"] == input_schema()


def test_model_version_changes_with_the_training_data():
    common = {
        "params": {},
        "metrics": {},
        "training_rows": 1,
        "decision_threshold": 0.5,
        "example": {},
    }
    first = model_io.build_metadata(training_data_sha256="a" * 64, **common)
    again = model_io.build_metadata(training_data_sha256="a" * 64, **common)
    other = model_io.build_metadata(training_data_sha256="b" * 64, **common)
    assert first["model_version"] == again["model_version"] != other["model_version"]


def save_with_schema(artifact, path, schema):
    metadata = {**artifact.metadata, "input_schema": schema}
    model_io.save(model_io.ModelArtifact(artifact.model, metadata), path)


def test_a_model_trained_on_reordered_features_is_refused_in_one_line(artifact, tmp_path):
    path = tmp_path / "model.skops"
    schema = input_schema()
    first, second, *rest = schema["features"]
    save_with_schema(artifact, path, {**schema, "features": [second, first, *rest]})
    with pytest.raises(ModelError) as raised:
        model_io.load(path)
    message = str(raised.value)
    assert message.startswith(f"{path} was trained on other features than schema.FEATURES")
    assert f"features #1: model name={second['name']}" in message
    assert message.endswith("Retrain it: make pipeline") and "\n" not in message


COLUMNS = len(input_schema()["features"])


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        (lambda s: s["features"][1].update(categories=["x"]), "features #2: model name="),
        (lambda s: s["features"][0].update(kind="float"), "features #1: model name="),
        (lambda s: s["features"].pop(), f"features: model has {COLUMNS - 1}, code has {COLUMNS}"),
        (lambda s: s["derived"].append({"name": "x"}), "derived: model has"),
        (lambda s: s.clear(), f"features: model has 0, code has {COLUMNS}"),
    ],
)
def test_any_change_of_kind_category_or_column_refuses_the_model(
    artifact, tmp_path, change, difference
):
    path = tmp_path / "model.skops"
    schema = input_schema()
    change(schema)
    save_with_schema(artifact, path, schema)
    with pytest.raises(ModelError, match=difference):
        model_io.load(path)


def test_a_changed_description_keeps_the_model_valid(artifact, tmp_path):
    path = tmp_path / "model.skops"
    schema = input_schema()
    schema["features"][0]["description"] = "reworded"
    save_with_schema(artifact, path, schema)
    assert model_io.load(path).version == artifact.version


class Payload:
    """Stands for any class an attacker could get built by a pickle-like loader."""


def test_file_with_an_untrusted_type_is_refused(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"model": Payload(), "metadata": {}}, path)
    with pytest.raises(ModelError, match="untrusted types.*Payload.*refusing to load"):
        model_io.load(path)


def test_missing_and_foreign_files_are_refused(tmp_path):
    with pytest.raises(ModelError, match="not found; run the pipeline first"):
        model_io.load(tmp_path / "absent.skops")
    foreign = tmp_path / "model.skops"
    foreign.write_bytes(b"\x80\x04not a skops file")
    with pytest.raises(ModelError, match="is not a skops model file"):
        model_io.load(foreign)


def test_file_hash_is_sha256(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"abc")
    assert (
        model_io.file_sha256(path)
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
