"""The answers of a project generated before the record existed (mlprod-template 0.1.0).

Each answer is read back from the file the template rendered it into. An answer that no
file shows is left out, and the caller names it so the user can give it with `--set`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

Reader = Callable[[str], "str | None"]

LICENSES = {"LicenseRef-Proprietary": "Proprietary"}
HEADING = re.compile(r"^# (.+)$", re.MULTILINE)
REQUIRES = re.compile(r"^>=\s*(\d+\.\d+)$")
DVC_REMOTE = re.compile(r"^\s*remote\s*=\s*(\S+)", re.MULTILINE)


def infer_answers(read: Reader) -> dict[str, str]:
    """Answers found in a project's files; `read(path)` returns a file's text or None."""
    answers: dict[str, str] = {}
    pyproject = tomllib.loads(read("pyproject.toml") or "")
    project = pyproject.get("project", {})
    put(answers, "project_slug", project.get("name"))
    put(answers, "description", project.get("description"))
    authors = project.get("authors") or [{}]
    put(answers, "author_name", authors[0].get("name"))
    put(answers, "author_email", authors[0].get("email"))
    requires = REQUIRES.match(project.get("requires-python", ""))
    put(answers, "python_version", requires and requires.group(1))
    license_id = project.get("license")
    if isinstance(license_id, str):  # not PEP 621's `license = {text = ...}` table
        put(answers, "license", LICENSES.get(license_id, license_id))
    packages = pyproject.get("tool", {}).get("hatch", {}).get("build", {})
    packages = packages.get("targets", {}).get("wheel", {}).get("packages", [])
    module = packages[0].removeprefix("src/") if packages else None
    put(answers, "module_name", module)
    readme = HEADING.search(read("README.md") or "")
    put(answers, "project_name", readme and readme.group(1).strip())
    makefile = read("Makefile")
    if makefile is not None:
        # 0.1.0 made .venv with `uv venv`; later versions with `uv sync`.
        uv = "uv venv" in makefile or "uv sync" in makefile
        answers["env_manager"] = "uv" if uv else "pip"
    if module:
        batch = read(f"src/{module}/predict.py") is not None
        realtime = read(f"src/{module}/serve.py") is not None
        deployment = {(True, False): "batch", (False, True): "realtime", (True, True): "both"}
        put(answers, "deployment", deployment.get((batch, realtime)))
        spark = read(f"src/{module}/spark_predict.py") is not None
        answers["batch_engine"] = "spark" if spark else "pandas"
    dvc_config = read(".dvc/config") or ""
    remote = DVC_REMOTE.search(dvc_config)
    put(answers, "dvc_remote", remote and remote.group(1))
    if remote:
        answers.update(remote_url(dvc_config, remote.group(1), answers.get("project_slug", "")))
    if read(".github/workflows/ci.yml") is not None:
        answers["ci"] = "github"
    elif read(".gitlab-ci.yml") is not None:
        answers["ci"] = "gitlab"
    elif read(".github/pull_request_template.md") is not None:
        answers["ci"] = "none"
    precommit = read(".pre-commit-config.yaml")
    if precommit is not None:
        answers.update(hook_sources(precommit))
    answers["notebook_format"] = "jupytext" if read("jupytext.toml") is not None else "ipynb"
    return answers


def remote_url(dvc_config: str, remote: str, slug: str) -> dict[str, str]:
    """dvc_remote_url: the default remote's url, "" where it is the local default."""
    section = re.escape(f"['remote \"{remote}\"']")
    url = re.search(rf"^{section}\n\s*url\s*=\s*(\S+)", dvc_config, re.MULTILINE)
    if url is None:
        return {}
    local_default = remote == "local" and url.group(1) == f"~/.dvc-storage/{slug}"
    return {"dvc_remote_url": "" if local_default else url.group(1)}


# 0.1.0 pointed the mlprod hooks here, an account nobody checked: never carry it forward.
UNCHECKED_HOOKS_REPOSITORY = "https://github.com/mlprod/mlprod-template"
REPO_LINE = re.compile(r"^  - repo: (\S+)", re.MULTILINE)


def hook_sources(precommit: str) -> dict[str, str]:
    """precommit_source and mlprod_hooks_repository, from the repos the hooks come from."""
    blocks = REPO_LINE.split(precommit)[1:]
    repos = list(zip(blocks[::2], blocks[1::2], strict=True))
    mlprod = next((repo for repo, hooks in repos if "id: mlprod-check" in hooks), "")
    remote = [repo for repo, _ in repos if repo not in ("local", "meta", mlprod)]
    hooks_repository = "" if mlprod in ("local", UNCHECKED_HOOKS_REPOSITORY) else mlprod
    return {
        "precommit_source": "github" if remote else "pypi",
        "mlprod_hooks_repository": hooks_repository,
    }


def with_new_options(
    answers: dict[str, str], options: dict[str, object], read: Reader
) -> dict[str, str]:
    """The recorded answers, plus those of options the record predates (a later template
    added them), read back from the project's files where they show them: a default could
    contradict the project (a remote's URL, say), and some have none."""
    absent = [key for key in options if key not in answers]
    found = infer_answers(read) if absent else {}
    return {**{key: found[key] for key in absent if key in found}, **answers}


def put(answers: dict[str, str], key: str, value: object) -> None:
    if isinstance(value, str) and value:
        answers[key] = value
