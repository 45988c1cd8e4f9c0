"""Bad answers are refused with one line naming the field and the fix, leaving nothing behind."""

from __future__ import annotations

import re
import subprocess
import sys
import types

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


# The checks themselves, in process: the hook rendered the way cookiecutter renders it, then
# imported under its own name (`hooks.pre_gen_project`), so its functions can be called.

GOOD = {
    "project_name": "Churn Model",
    "project_slug": "churn-model",
    "module_name": "churn_model",
    "author_email": "team@example.com",
    "python_version": "3.12",
    "mlprod_hooks_repository": "",
    "batch_engine": "pandas",
    "deployment": "batch",
    "dvc_remote": "local",
    "dvc_remote_url": "",
}


def case_id(value) -> str:
    return "-".join(re.findall(r"[\w.@]+", str(value)))[:50]


def rendered_hook(answers: dict):
    from bakery import REPO_ROOT
    from cookiecutter.environment import StrictEnvironment

    path = REPO_ROOT / "hooks" / "pre_gen_project.py"
    source = StrictEnvironment(keep_trailing_newline=True).from_string(
        path.read_text(encoding="utf-8")
    )
    module = types.ModuleType("hooks.pre_gen_project")
    module.__file__ = str(path)
    exec(compile(source.render(cookiecutter=answers), str(path), "exec"), module.__dict__)
    return module


def test_good_answers_pass_and_main_says_nothing(capsys):
    hook = rendered_hook(GOOD)
    assert hook.ANSWERS == GOOD
    assert list(hook.problems(GOOD)) == []
    assert hook.main() == 0
    assert capsys.readouterr().err == ""


def test_answers_without_the_later_options_read_them_as_empty():
    # A replay file (`cookiecutter --replay`) from before an option existed lacks its key.
    answers = {
        k: v for k, v in GOOD.items() if k not in ("dvc_remote_url", "mlprod_hooks_repository")
    }
    hook = rendered_hook(answers)
    assert list(hook.problems(answers)) == []
    assert list(hook.problems({**answers, "dvc_remote": "s3"})) == [
        "dvc_remote 's3' needs dvc_remote_url, a location your team owns (no default: a guessed "
        "name could belong to someone else); e.g. dvc_remote_url=s3://<bucket>/<path>"
    ]


def test_main_prints_each_problem_as_an_error_line_and_fails(capsys):
    answers = {**GOOD, "module_name": "json", "author_email": "x"}
    assert rendered_hook(answers).main() == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: module_name 'json' shadows the standard-library module 'json'; "
        "e.g. module_name=churn_model",
        "error: author_email 'x' is not an email address; e.g. author_email=team@example.com",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"project_name": " \t"},
         "project_name is empty; give the project a name, e.g. project_name='Churn Model'"),
        ({"project_slug": "Churn", "module_name": "churn_model"},
         "project_slug 'Churn' may hold only lowercase letters, digits, '-' and '_' and must "
         "start with a letter or digit; e.g. project_slug=churn-model"),
        ({"module_name": "2churn"},
         "module_name '2churn' is not a valid Python identifier; e.g. module_name=churn_model"),
        ({"module_name": "lambda"},
         "module_name 'lambda' is a Python keyword; e.g. module_name=churn_model"),
        ({"module_name": "case"},
         "module_name 'case' is a Python keyword; e.g. module_name=churn_model"),
        ({"module_name": "numpy"},
         "module_name 'numpy' shadows the package 'numpy' it uses; e.g. module_name=churn_model"),
        ({"author_email": "team@example"},
         "author_email 'team@example' is not an email address; e.g. author_email=team@example.com"),
        ({"python_version": "3.9"},
         "python_version '3.9' is not supported; choose one of 3.10, 3.11, 3.12, 3.13"),
        ({"mlprod_hooks_repository": "github.com/org/mlprod-template"},
         "mlprod_hooks_repository 'github.com/org/mlprod-template' is not a git URL; e.g. "
         "mlprod_hooks_repository=https://github.com/<org>/mlprod-template, or leave it empty"),
        ({"batch_engine": "spark", "deployment": "realtime"},
         "batch_engine 'spark' scores batches, which deployment 'realtime' does not generate; "
         "choose deployment=batch or deployment=both, or leave batch_engine=pandas"),
        ({"dvc_remote": "gcs"},
         "dvc_remote 'gcs' needs dvc_remote_url, a location your team owns (no default: a "
         "guessed name could belong to someone else); e.g. dvc_remote_url=gs://<bucket>/<path>"),
        ({"dvc_remote": "ssh", "dvc_remote_url": "s3://bucket/dvc"},
         "dvc_remote_url 's3://bucket/dvc' is not a ssh URL; e.g. "
         "dvc_remote_url=ssh://<host>/<path>"),
        ({"dvc_remote": "s3", "dvc_remote_url": "s3://"},
         "dvc_remote_url 's3://' is not a s3 URL; e.g. dvc_remote_url=s3://<bucket>/<path>"),
    ],
    ids=case_id,
)  # fmt: skip
def test_each_bad_answer_has_its_exact_message(change, message):
    answers = {**GOOD, **change}
    assert list(rendered_hook(answers).problems(answers)) == [message]


@pytest.mark.parametrize(
    "answers",
    [
        {"project_slug": "0-model", "module_name": "model0"},
        {"project_slug": "a_b-c", "module_name": "a_b_c"},
        {"author_email": "first.last+ml@data.example.co.uk"},
        {"mlprod_hooks_repository": "https://git.example.com/org/mlprod-template.git"},
        {"mlprod_hooks_repository": "git@git.example.com:org/mlprod-template.git"},
        {"mlprod_hooks_repository": "ssh://git@host/org/t"},
        {"mlprod_hooks_repository": "file:///srv/git/mlprod-template"},
        {"mlprod_hooks_repository": "/srv/git/mlprod-template"},
        {"batch_engine": "spark", "deployment": "both"},
        {"batch_engine": "pandas", "deployment": "realtime"},
        {"python_version": "3.10"},
        {"python_version": "3.13"},
        {"dvc_remote": "s3", "dvc_remote_url": "s3://a/b"},
        {"dvc_remote": "local", "dvc_remote_url": "/mnt/shared/dvc"},
    ],
    ids=case_id,
)
def test_answers_at_the_edge_of_each_rule_pass(answers):
    answers = {**GOOD, **answers}
    assert list(rendered_hook(answers).problems(answers)) == []


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"project_slug": "-model"}, "project_slug"),
        ({"project_slug": "_model"}, "project_slug"),
        ({"project_slug": "model!"}, "project_slug"),
        ({"author_email": "a b@example.com"}, "author_email"),
        ({"author_email": "@example.com"}, "author_email"),
        ({"author_email": "team@example."}, "author_email"),
        ({"author_email": "team@@example.com"}, "author_email"),
        ({"mlprod_hooks_repository": "https://host/org/my repo"}, "mlprod_hooks_repository"),
        ({"mlprod_hooks_repository": "ftp://host/org/t"}, "mlprod_hooks_repository"),
    ],
    ids=case_id,
)
def test_answers_just_past_each_rule_are_refused(answers, field):
    answers = {**GOOD, **answers}
    found = list(rendered_hook(answers).problems(answers))
    assert len(found) == 1 and found[0].startswith(field), found


def test_a_module_name_derived_from_a_bad_slug_is_reported_once_as_the_slug():
    answers = {**GOOD, "project_slug": "9-lives!", "module_name": "9_lives!"}
    found = list(rendered_hook(answers).problems(answers))
    assert [message.split()[0] for message in found] == ["project_slug"]
    # A module name given by hand is still checked when the slug is bad too.
    answers = {**GOOD, "project_slug": "Bad", "module_name": "class"}
    found = list(rendered_hook(answers).problems(answers))
    assert [message.split()[0] for message in found] == ["project_slug", "module_name"]


def test_answers_from_before_the_hooks_repository_option_pass():
    # Answers replayed from a project made before the option existed lack the key.
    answers = {key: value for key, value in GOOD.items() if key != "mlprod_hooks_repository"}
    assert list(rendered_hook(GOOD).problems(answers)) == []
