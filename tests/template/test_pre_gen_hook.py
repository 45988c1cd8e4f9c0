"""Bad answers are refused with one line naming the field and the fix, leaving nothing behind."""

from __future__ import annotations

import subprocess
import sys

import pytest

BAD_ANSWERS = [
    ({"project_name": "   "}, "project_name"),
    ({"module_name": "1model"}, "module_name"),
    ({"module_name": "my-model"}, "module_name"),
    ({"module_name": "class"}, "module_name"),
    ({"module_name": "match"}, "module_name"),
    ({"module_name": "json"}, "module_name"),
    ({"module_name": "pandas"}, "module_name"),
    ({"module_name": "sklearn"}, "module_name"),
    ({"project_slug": "My Project"}, "project_slug"),
    ({"project_slug": "model!"}, "project_slug"),
    ({"project_slug": "-model"}, "project_slug"),
    ({"author_email": "not-an-email"}, "author_email"),
    ({"author_email": "a@b"}, "author_email"),
    ({"batch_engine": "spark", "deployment": "realtime"}, "batch_engine"),
    ({"dvc_remote": "s3"}, "dvc_remote_url"),
    ({"dvc_remote": "gcs", "dvc_remote_url": "s3://acme-data/dvc"}, "dvc_remote_url"),
    ({"dvc_remote": "azure", "dvc_remote_url": "azure://"}, "dvc_remote_url"),
    ({"dvc_remote": "ssh", "dvc_remote_url": "ssh://host/with space"}, "dvc_remote_url"),
]


def generate(tmp_path, options, command):
    pairs = [f"{key}={value}" for key, value in options.items()]
    if command == "mlprod":
        cmd = [sys.executable, "-m", "mlprod", "new", "--no-input", "-o", str(tmp_path), *pairs]
    else:
        from bakery import REPO_ROOT

        cmd = [
            sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path),
            str(REPO_ROOT), *pairs,
        ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.parametrize(("options", "field"), BAD_ANSWERS, ids=lambda v: str(v))
def test_bad_answer_is_refused_and_leaves_no_directory(tmp_path, options, field):
    result = generate(tmp_path, options, "mlprod")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert field in errors[0]
    assert "e.g." in errors[0] or "choose" in errors[0]
    assert list(tmp_path.iterdir()) == []


def test_stock_cookiecutter_refuses_too_and_leaves_no_directory(tmp_path):
    result = generate(tmp_path, {"module_name": "class"}, "cookiecutter")
    assert result.returncode != 0
    assert "module_name 'class' is a Python keyword" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_problem_is_reported_at_once(tmp_path):
    result = generate(tmp_path, {"module_name": "json", "author_email": "x"}, "mlprod")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert [e.split()[1] for e in errors] == ["module_name", "author_email"]


def test_unsupported_python_version_is_refused(tmp_path):
    result = generate(tmp_path, {"python_version": "3.9"}, "mlprod")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mlprod new: error: python_version=3.9 is not supported; "
        "choose one of: 3.11, 3.12, 3.13, 3.10"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_cloud_remote_without_a_url_is_refused_with_why_and_an_example(tmp_path):
    result = generate(tmp_path, {"dvc_remote": "s3"}, "mlprod")
    assert result.stderr.count("error:") == 1
    assert (
        "error: dvc_remote 's3' needs dvc_remote_url, a location your team owns (no default: "
        "a guessed name could belong to someone else); e.g. dvc_remote_url=s3://<bucket>/<path>"
    ) in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("s3", "s3://acme-ml-data/churn"),
        ("gcs", "gs://acme-ml-data/churn"),
        ("azure", "azure://acme-ml-data/churn"),
        ("ssh", "ssh://dvc.acme.internal/srv/dvc"),
        ("local", "/mnt/shared/dvc-storage"),
    ],
)
def test_the_given_remote_url_is_the_remote_in_the_dvc_config(bake, remote, url):
    project = bake(dvc_remote=remote, dvc_remote_url=url)
    config = (project / ".dvc" / "config").read_text()
    assert f"['remote \"{remote}\"']\n    url = {url}\n" in config
    assert f"`{url}`" in (project / "README.md").read_text()


def test_the_local_remote_defaults_to_a_directory_of_this_machine(bake):
    config = (bake() / ".dvc" / "config").read_text()
    assert "url = ~/.dvc-storage/my-ml-project\n" in config
