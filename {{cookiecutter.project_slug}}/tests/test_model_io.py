from __future__ import annotations

import hashlib
import zipfile

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
    assert {
        "params",
        "metrics",
        "training_data_sha256",
        "git_commit",
        "input_schema",
        "example",
    } <= set(metadata)
    assert metadata["input_schema"] == input_schema()


def test_the_version_is_the_hash_of_the_file_so_a_tampered_file_reports_another(artifact, tmp_path):
    path = tmp_path / "model.skops"
    saved = model_io.save(artifact, path)
    assert saved == model_io.file_sha256(path)[:12] == model_io.load(path).version
    tampered = {**artifact.metadata, "decision_threshold": 0.01}  # only trusted types
    model_io.save(model_io.ModelArtifact(artifact.model, tampered), path)
    assert model_io.load(path).version != saved


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
    assert model_io.load(path).metadata["input_schema"]["features"][0]["description"] == "reworded"


class Payload:
    """Stands for any class an attacker could get built by a pickle-like loader."""


def test_file_with_an_untrusted_type_is_refused(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"model": Payload(), "metadata": {}}, path)
    with pytest.raises(ModelError, match="untrusted types.*Payload.*refusing to load") as raised:
        model_io.load(path)
    assert "only after reading its code" in str(raised.value)


def rewrite_member(source, target, name_of, content_of=lambda name, data: data):
    """Copy a zip, renaming or replacing members: the way a model file is doctored."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            new.writestr(name_of(item.filename), content_of(item.filename, old.read(item)))


def test_type_names_from_the_file_are_escaped(artifact, tmp_path):
    good, evil = tmp_path / "good.skops", tmp_path / "evil.skops"
    sio.dump({"model": Payload(), "metadata": {}}, good)

    def doctor(name, data):
        return data.replace(b'"Payload"', b'"Pay\\u001b]0;pwned\\u0007load"')

    rewrite_member(good, evil, lambda name: name, doctor)
    with pytest.raises(ModelError) as raised:
        model_io.load(evil)
    message = str(raised.value)
    assert "\x1b" not in message and "\\x1b]0;pwned\\x07" in message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(artifact, tmp_path):
    bomb = tmp_path / "bomb.skops"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b"{}")
        archive.writestr("big.npy", b"\0" * 20_000_000)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ModelError, match=r"would unpack to 20000002 bytes, over model_file"):
        model_io.load(bomb, max_unpacked_bytes=10_000_000)
    with pytest.raises(ModelError, match=r"is \d+ bytes, over model_file.max_bytes \(1000\)"):
        model_io.load(bomb, max_bytes=1000)


def test_every_malformed_model_file_is_one_line(artifact, tmp_path):
    good = tmp_path / "good.skops"
    model_io.save(artifact, good)
    garbage = tmp_path / "garbage.skops"

    def spoil(name, data):
        return b"\x93NUMPY garbage" if name.endswith(".npy") else data

    rewrite_member(good, garbage, lambda name: name, spoil)
    truncated = tmp_path / "truncated.skops"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_zip = tmp_path / "text.skops"
    not_zip.write_text("hello")
    for path, reason in [
        (garbage, "is not a valid skops model file"),
        (truncated, "is not a skops model file"),
        (not_zip, "is not a skops model file"),
    ]:
        with pytest.raises(ModelError, match=reason) as raised:
            model_io.load(path)
        assert "\n" not in str(raised.value) and str(raised.value).endswith("make pipeline")


def test_verify_compares_the_file_with_dvc_lock(artifact, tmp_path):
    model = tmp_path / "models/model.skops"
    model_io.save(artifact, model)
    md5 = hashlib.md5(model.read_bytes(), usedforsecurity=False).hexdigest()
    lock = tmp_path / "dvc.lock"
    lock.write_text(f"stages:\n  train:\n    outs:\n    - path: {model}\n      md5: {md5}\n")
    assert model_io.verify(model, lock).startswith(f"{model}: matches {lock} (md5 {md5})")
    lock.write_text(lock.read_text().replace(md5, "0" * 32))
    with pytest.raises(ModelError, match="differs from the model .* records.*dvc checkout"):
        model_io.verify(model, lock)


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
