"""Bake the template over a rotating matrix of options and check every generated tree."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from bakery import mlprod_new, rotating_matrix, run, template_context

CHOICE_OPTIONS = {
    key: value
    for key, value in template_context().items()
    if isinstance(value, list) and not key.startswith("_")
}


MATRIX = rotating_matrix()
ALWAYS = {
    ".cruft.json",
    ".dvc/.gitignore",
    ".dvc/config",
    ".dvcignore",
    ".env.example",
    ".gitattributes",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".pymarkdown.json",
    "CONTRIBUTING.md",
    "docs/README.md",
    "docs/datasheet.md",
    "docs/decisions/0000-template.md",
    "docs/decisions/0001-batch-or-realtime.md",
    "docs/decisions/README.md",
    "docs/model-card.md",
    "docs/phases/01-planning.md",
    "docs/phases/02-scoping-and-research.md",
    "docs/phases/03-experimentation.md",
    "docs/phases/04-development.md",
    "docs/phases/05-deployment.md",
    "docs/phases/06-evaluation.md",
    "LICENSE",
    "Makefile",
    "README.md",
    "notebooks/README.md",
    "pyproject.toml",
    "dvc.yaml",
    "params.yaml",
    "src/{module}/__init__.py",
    "src/{module}/assignment.py",
    "src/{module}/config.py",
    "src/{module}/data.py",
    "src/{module}/errors.py",
    "src/{module}/evaluate.py",
    "src/{module}/experiment.py",
    "src/{module}/features.py",
    "src/{module}/model_io.py",
    "src/{module}/monitoring.py",
    "src/{module}/prediction_log.py",
    "src/{module}/py.typed",
    "src/{module}/report/__init__.py",
    "src/{module}/report/__main__.py",
    "src/{module}/report/inputs.py",
    "src/{module}/report/page.py",
    "src/{module}/report/svg.py",
    "src/{module}/sample.py",
    "src/{module}/schema.py",
    "src/{module}/stages.py",
    "src/{module}/tables.py",
    "src/{module}/train.py",
    "tests/conftest.py",
    "tests/data/report/ab.json",
    "tests/data/report/calibration.json",
    "tests/data/report/check.json",
    "tests/data/report/drift.json",
    "tests/data/report/metrics.json",
    "tests/data/report/roc.json",
    "tests/data/report/slices.json",
    "tests/test_assignment.py",
    "tests/test_config.py",
    "tests/test_data.py",
    "tests/test_evaluate.py",
    "tests/test_experiment.py",
    "tests/test_features.py",
    "tests/test_model_io.py",
    "tests/test_monitoring.py",
    "tests/test_package.py",
    "tests/test_prediction_log.py",
    "tests/test_report_inputs.py",
    "tests/test_report_page.py",
    "tests/test_robustness.py",
    "tests/test_sample.py",
    "tests/test_schema.py",
    "tests/test_stages.py",
    "tests/test_tables.py",
    "tests/test_train.py",
}
BY_CHOICE = {
    ("ci", "github"): {
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        ".github/pull_request_template.md",
        ".github/CODEOWNERS",
    },
    ("ci", "gitlab"): {
        ".gitlab-ci.yml",
        ".gitlab/merge_request_templates/Default.md",
        ".gitlab/CODEOWNERS",
    },
    ("ci", "none"): {
        ".github/pull_request_template.md",
        ".github/CODEOWNERS",
        ".github/dependabot.yml",
    },
    ("notebook_format", "jupytext"): {"jupytext.toml"},
    ("batch_engine", "spark"): {
        "src/{module}/spark_predict.py",
        "src/{module}/spark_monitor.py",
        "tests/test_spark.py",
    },
    ("deployment", "batch"): {"src/{module}/predict.py", "tests/test_predict.py"},
    ("deployment", "realtime"): {
        "src/{module}/serve.py",
        "src/{module}/champion_challenger.py",
        "src/{module}/service_metrics.py",
        "src/{module}/ab_report.py",
        "tests/test_serve.py",
        "tests/test_ab_report.py",
        "tests/test_serve_loop.py",
    },
    ("deployment", "both"): {
        "src/{module}/predict.py",
        "tests/test_predict.py",
        "src/{module}/serve.py",
        "src/{module}/champion_challenger.py",
        "src/{module}/service_metrics.py",
        "src/{module}/ab_report.py",
        "tests/test_serve.py",
        "tests/test_ab_report.py",
        "tests/test_serve_loop.py",
    },
}


def expected_files(options: dict[str, str], module: str) -> set[str]:
    files = set(ALWAYS)
    for (option, choice), paths in BY_CHOICE.items():
        if options[option] == choice:
            files |= paths
    return {path.format(module=module) for path in files}


def generated_files(project: Path) -> set[str]:
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


@pytest.fixture(scope="module", params=MATRIX, ids=lambda row: "-".join(row.values()))
def baked(request, module_tmp):
    from bakery import bake_project

    options = request.param
    project = bake_project(module_tmp("matrix"), **options)
    return options, project


LICENSE_MARKERS = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "Proprietary": "All rights reserved.",
}


def chosen(project: Path) -> dict[str, str]:
    """Read each option's choice back from what the project generated."""
    text = {
        name: (project / name).read_text(encoding="utf-8")
        for name in ("pyproject.toml", "Makefile", "LICENSE", ".dvc/config")
    }
    precommit = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    return {
        "python_version": re.search(r'^requires-python = ">=(.+)"$', text["pyproject.toml"], re.M)[
            1
        ],
        "license": next(
            name
            for name, marker in LICENSE_MARKERS.items()
            if marker in "\n".join(text["LICENSE"].splitlines()[:2])
        ),
        "env_manager": "uv" if "\tuv sync" in text["Makefile"] else "pip",
        "deployment": {
            (True, False): "batch",
            (False, True): "realtime",
            (True, True): "both",
        }[
            (
                (project / "src/my_ml_project/predict.py").exists(),
                (project / "src/my_ml_project/serve.py").exists(),
            )
        ],
        "batch_engine": "spark"
        if (project / "src/my_ml_project/spark_predict.py").exists()
        else "pandas",
        "dvc_remote": re.search(r"^\s*remote = (\w+)$", text[".dvc/config"], re.M)[1],
        "ci": "github"
        if (project / ".github/workflows").is_dir()
        else "gitlab"
        if (project / ".gitlab-ci.yml").exists()
        else "none",
        "precommit_source": "github"
        if any(repo["repo"].startswith("https://github.com/") for repo in precommit["repos"])
        else "pypi",
        "notebook_format": "jupytext" if (project / "jupytext.toml").exists() else "ipynb",
    }


def test_every_choice_is_baked_and_shows_in_the_project(baked):
    # The rows of the matrix, together, take every choice of every option; each row's
    # project must say, in its own files, which choices it was generated with.
    for option, choices in CHOICE_OPTIONS.items():
        assert {row[option] for row in MATRIX} == set(choices), option
    options, project = baked
    assert chosen(project) == options


def test_generates_exactly_the_expected_files(baked):
    options, project = baked
    assert generated_files(project) == expected_files(options, "my_ml_project")


# Jinja's tags, not Python's `}}` or an f-string's `{x:.0%}`.
LEFTOVER_JINJA = re.compile(r"\{\{-?\s*cookiecutter|\{%-?\s|\s-?%\}|\{#")


def test_no_template_syntax_survives(baked):
    _, project = baked
    leftovers = [
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file()
        and ".git" not in path.relative_to(project).parts
        and LEFTOVER_JINJA.search(path.read_text(encoding="utf-8"))
    ]
    assert leftovers == []


def test_structured_files_parse(baked):
    _, project = baked
    parsed = set()
    for path in project.rglob("*"):
        if ".git" in path.relative_to(project).parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yaml", ".yml"}:
            yaml.safe_load(text)
        elif path.suffix in {".json", ".ipynb"}:
            json.loads(text)
        else:
            continue
        parsed.add(path.relative_to(project).as_posix())
    assert {"pyproject.toml", ".pre-commit-config.yaml"} <= parsed


def test_generated_python_is_ruff_clean(baked):
    _, project = baked
    run("ruff", "check", "--no-cache", ".", cwd=project)
    run("ruff", "format", "--check", "--no-cache", ".", cwd=project)


def test_precommit_config_is_valid(baked):
    _, project = baked
    run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project)


def test_repository_is_on_main_with_one_clean_commit(baked):
    _, project = baked

    def git(*args):
        return run("git", *args, cwd=project).stdout.strip()

    assert git("symbolic-ref", "--short", "HEAD") == "main"
    assert git("rev-list", "--count", "HEAD") == "1"
    assert git("status", "--porcelain", "--untracked-files=all") == ""
    tracked = set(git("ls-files").splitlines())
    assert tracked == generated_files(project)


def test_hook_versions_equal_dev_dependency_pins(baked):
    options, project = baked
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    pins = dict(
        re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", dep).groups()
        for dep in pyproject["dependency-groups"]["dev"]
        if "==" in dep
    )
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook_versions = {}
    for repo in config["repos"]:
        if repo["repo"] == "local":
            for hook in repo["hooks"]:
                for dep in hook.get("additional_dependencies", []):
                    name, version = dep.split("==")
                    hook_versions[name] = version
        else:
            name = repo["repo"].rstrip("/").rsplit("/", 1)[-1].replace("-pre-commit", "")
            name = {"pymarkdown": "pymarkdownlnt", "mlprod-template": "mlprod"}.get(name, name)
            hook_versions[name] = repo["rev"].lstrip("v")
    shared = {"ruff", "pymarkdownlnt", "mlprod", "nbstripout"}
    assert shared <= set(hook_versions), options["precommit_source"]
    for tool in shared:
        assert hook_versions[tool] == pins[tool], tool


def test_both_precommit_sources_run_the_same_hooks(bake):
    def hook_ids(project: Path) -> list[str]:
        config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
        return sorted(hook["id"] for repo in config["repos"] for hook in repo["hooks"])

    assert hook_ids(bake(precommit_source="pypi")) == hook_ids(bake(precommit_source="github"))


def test_pypi_hooks_install_from_the_package_index_only(bake):
    config = yaml.safe_load((bake() / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    for hook in config["repos"][0]["hooks"]:
        assert hook["language"] == "python"
        assert all("==" in dep for dep in hook["additional_dependencies"]), hook["id"]


@pytest.mark.parametrize("remote", CHOICE_OPTIONS["dvc_remote"])
def test_dvc_config_names_the_chosen_default_remote_without_credentials(bake, remote):
    config = (bake(dvc_remote=remote) / ".dvc" / "config").read_text()
    assert re.search(rf"^\s*remote = {remote}$", config, re.M)
    assert f"['remote \"{remote}\"']" in config
    assert not re.search(r"key|secret|password|token", config, re.I)


def test_quotes_and_unicode_in_answers_render_valid_files(bake):
    project = bake(
        project_name='Zoë\'s "Churn" Model',
        description='Predicts churn \\ with "quotes"',
        author_name='Zoë "Z" O\'Neil',
    )
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == 'Predicts churn \\ with "quotes"'
    assert pyproject["project"]["authors"][0]["name"] == 'Zoë "Z" O\'Neil'
    assert project.name == "zoe-s-churn-model"


def test_license_matches_the_choice(bake):
    first_lines = LICENSE_MARKERS
    for license_name, marker in first_lines.items():
        text = (bake(license=license_name) / "LICENSE").read_text()
        assert marker in text.splitlines()[0] + text.splitlines()[1], license_name
        others = [m for name, m in first_lines.items() if name != license_name]
        assert not any(other in text for other in others), license_name


def test_first_commit_uses_author_when_git_has_no_identity(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    answers = ("author_name=Ada Lovelace", "author_email=ada@example.com")
    run(*mlprod_new(tmp_path, *answers), cwd=tmp_path, env=env)
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>"],
        cwd=tmp_path / "my-ml-project",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert author == "Ada Lovelace <ada@example.com>"
    committer = subprocess.run(
        ["git", "log", "-1", "--format=%cn <%ce>"],
        cwd=tmp_path / "my-ml-project",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert committer == "Ada Lovelace <ada@example.com>"


def test_first_commit_uses_gits_identity_when_it_has_one(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n")
    env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    answers = ("author_name=Ada Lovelace", "author_email=ada@example.com")
    run(*mlprod_new(tmp_path, *answers), cwd=tmp_path, env=env)
    people = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>%n%cn <%ce>"],
        cwd=tmp_path / "my-ml-project",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # The project's author answer goes into LICENSE and pyproject.toml, not over the
    # identity of whoever runs the template.
    assert people == ["Grace Hopper <grace@example.com>"] * 2


def test_make_help_lists_every_target(bake):
    project = bake()
    targets = {
        line.split(":")[0]
        for line in (project / "Makefile").read_text().splitlines()
        if line and not line.startswith(("\t", " ", "#", ".")) and ":" in line and "=" not in line
    }
    listed = run("make", "help", cwd=project).stdout
    assert {"setup", "test", "lint", "format", "pipeline"} <= targets
    for target in targets:
        assert f"make {target}" in listed, target


def test_before_setup_mlprod_check_finds_only_the_per_clone_setup(baked):
    _, project = baked
    result = subprocess.run(
        [sys.executable, "-m", "mlprod", "check", str(project), "--format", "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    findings = json.loads(result.stdout)["findings"]
    assert {finding["code"] for finding in findings} == {"GIT002", "NB002", "NB003"}
    assert all(finding["fix"] == "run make setup" for finding in findings)
