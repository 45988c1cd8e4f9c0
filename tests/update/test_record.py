"""The record: every generated project says what it was made from, in cruft's format."""

from __future__ import annotations

import json

from bakery import mlprod_new, run, template_context

from mlprod.update.record import Record, pin_source


def test_mlprod_new_records_the_answers_the_version_and_the_source(tmp_path):
    run(*mlprod_new(tmp_path, "project_name=Churn Model", "deployment=both", "ci=gitlab"),
        cwd=tmp_path)  # fmt: skip
    data = json.loads((tmp_path / "churn-model" / ".cruft.json").read_text())
    context = template_context()
    assert set(data) == {"template", "commit", "checkout", "context", "directory", "skip"}
    # The organisation's copy of the template when it names one, else the template's name.
    assert context["mlprod_hooks_repository"] == ""
    assert data["template"] == "mlprod-template"
    assert data["commit"] == f"v{context['_mlprod_version']}"
    assert data["context"]["cookiecutter"] == {
        "project_name": "Churn Model",
        "project_slug": "churn-model",
        "module_name": "churn_model",
        "description": context["description"],
        "author_name": context["author_name"],
        "author_email": context["author_email"],
        "python_version": "3.11",
        "license": "MIT",
        "env_manager": "uv",
        "deployment": "both",
        "batch_engine": "pandas",
        "dvc_remote": "local",
        "dvc_remote_url": "",
        "ci": "gitlab",
        "precommit_source": "pypi",
        "mlprod_hooks_repository": "",
        "notebook_format": "ipynb",
        "_mlprod_version": context["_mlprod_version"],
    }
    # Written as json.dumps writes it, so a tool that rewrites a value (cruft, mlprod update
    # pinning a commit) changes that line only, and merges stay line-sized.
    text = (tmp_path / "churn-model" / ".cruft.json").read_text()
    assert text == json.dumps(data, indent=2) + "\n"
    record = Record.parse(json.dumps(data))
    assert record.is_release
    assert record.answers["deployment"] == "both"
    assert "_mlprod_version" not in record.answers


def test_quotes_and_backslashes_in_answers_keep_the_record_valid(tmp_path):
    name = 'The "Q\\A" model'
    run(*mlprod_new(tmp_path, f"project_name={name}", "project_slug=qa"), cwd=tmp_path)
    record = Record.parse((tmp_path / "qa" / ".cruft.json").read_text())
    assert record.answers["project_name"] == name


def test_pin_source_rewrites_only_the_source_lines_of_the_record(tmp_path):
    data = {"template": "mlprod-template", "commit": "v0.2.0", "checkout": None,
            "context": {"cookiecutter": {"project_name": "Café", "_mlprod_version": "0.2.0"}},
            "directory": None, "skip": [".git"]}  # fmt: skip
    before = json.dumps(data, indent=2) + "\n"
    (tmp_path / ".cruft.json").write_text(before, encoding="utf-8")
    pin_source(tmp_path, "https://example.com/t.git", "abc1234", "release")
    after = (tmp_path / ".cruft.json").read_text(encoding="utf-8")
    pinned = {**data, "template": "https://example.com/t.git", "commit": "abc1234",
              "checkout": "release"}  # fmt: skip
    assert after == json.dumps(pinned, indent=2) + "\n"
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == [
        '  "template": "https://example.com/t.git",',
        '  "commit": "abc1234",',
        '  "checkout": "release",',
    ]


def test_pin_source_leaves_a_render_without_a_record_alone(tmp_path):
    pin_source(tmp_path, "https://example.com/t.git", "abc1234", None)
    assert list(tmp_path.iterdir()) == []


def test_a_record_is_parsed_into_its_source_answers_version_and_skips():
    text = json.dumps({
        "template": "https://example.com/t.git", "commit": "abc1234", "checkout": "release",
        "context": {"cookiecutter": {"project_name": "Churn", "_mlprod_version": "0.3.0",
                                     "_ruff_version": "0.8.0"}},
        "directory": None, "skip": [".git", "data/raw", "notebooks"],
    })  # fmt: skip
    assert Record.parse(text) == Record(
        "https://example.com/t.git", "abc1234", {"project_name": "Churn"}, "0.3.0", "release",
        ("data/raw", "notebooks"),
    )  # fmt: skip
    # cruft's own records may leave out the checkout and the skips.
    bare = json.dumps({"template": "t", "commit": "v0.3.0",
                       "context": {"cookiecutter": {"_mlprod_version": 3}}})  # fmt: skip
    assert Record.parse(bare) == Record("t", "v0.3.0", {}, "3", None, ())
    assert Record.parse(bare).is_release is False
    assert Record("t", "v3", {}, "3").is_release is True
