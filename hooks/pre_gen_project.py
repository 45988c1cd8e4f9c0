"""Refuse bad template answers before anything is written.

Runs in whatever interpreter runs cookiecutter, so it uses the standard library alone.
Each refusal is one line naming the field and the fix; the non-zero exit makes
cookiecutter remove the project directory it had started.
"""

import json
import keyword
import re
import sys

# The answers arrive as JSON so that quotes and backslashes in them cannot break this file.
ANSWERS = json.loads(r"""{{ cookiecutter|tojson }}""")
SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
# A remote's URL is the team's own: a bucket name made up here (say <slug>-dvc) is global,
# guessable, and could be registered by someone else first, who would then receive the data.
REMOTE_SCHEMES = {"s3": "s3://", "gcs": "gs://", "azure": "azure://", "ssh": "ssh://"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
GIT_URL = re.compile(r"^(https?://|ssh://|git://|file://|/|[\w.-]+@[\w.-]+:)[^\s'\"]+$")
# Import names of what a generated project installs: a module of the same name would
# shadow them, and `import pandas` would import the project instead.
DEPENDENCY_MODULES = {
    "dvc",
    "fastapi",
    "joblib",
    "matplotlib",
    "mlprod",
    "nbdime",
    "nbformat",
    "nbstripout",
    "numpy",
    "pandas",
    "pandera",
    "pre_commit",
    "pyarrow",
    "pydantic",
    "pytest",
    "ruff",
    "scipy",
    "sklearn",
    "skops",
    "starlette",
    "tqdm",
    "uvicorn",
    "yaml",
}


def module_problems(module):
    suggestion = "e.g. module_name=churn_model"
    if not module.isidentifier():
        yield f"module_name '{module}' is not a valid Python identifier; {suggestion}"
    elif keyword.iskeyword(module) or keyword.issoftkeyword(module):
        yield f"module_name '{module}' is a Python keyword; {suggestion}"
    elif module in sys.stdlib_module_names:
        yield f"module_name '{module}' shadows the standard-library module '{module}'; {suggestion}"
    elif module in DEPENDENCY_MODULES:
        yield f"module_name '{module}' shadows the package '{module}' it uses; {suggestion}"


def remote_problems(remote, url):
    scheme = REMOTE_SCHEMES.get(remote)
    if scheme is None:  # local: a directory, ~/.dvc-storage/<slug> unless given
        return
    example = f"dvc_remote_url={scheme}<{'host' if remote == 'ssh' else 'bucket'}>/<path>"
    if not url:
        yield (
            f"dvc_remote '{remote}' needs dvc_remote_url, a location your team owns (no "
            f"default: a guessed name could belong to someone else); e.g. {example}"
        )
    elif not url.startswith(scheme) or len(url) == len(scheme) or any(c.isspace() for c in url):
        yield f"dvc_remote_url '{url}' is not a {remote} URL; e.g. {example}"


def problems(answers):
    """Yield one message per bad answer, each naming the field and the fix."""
    if not answers["project_name"].strip():
        yield "project_name is empty; give the project a name, e.g. project_name='Churn Model'"
    slug = answers["project_slug"]
    if not SLUG.match(slug):
        yield (
            f"project_slug '{slug}' may hold only lowercase letters, digits, '-' and '_' and "
            "must start with a letter or digit; e.g. project_slug=churn-model"
        )
    module = answers["module_name"]
    # A module name derived from a bad slug is fixed by fixing the slug: report that once.
    if SLUG.match(slug) or module != slug.replace("-", "_"):
        yield from module_problems(module)
    if not EMAIL.match(answers["author_email"]):
        yield (
            f"author_email '{answers['author_email']}' is not an email address; "
            "e.g. author_email=team@example.com"
        )
    if answers["python_version"] not in SUPPORTED_PYTHONS:
        yield (
            f"python_version '{answers['python_version']}' is not supported; "
            f"choose one of {', '.join(SUPPORTED_PYTHONS)}"
        )
    hooks_repository = answers.get("mlprod_hooks_repository", "")
    if hooks_repository and not GIT_URL.match(hooks_repository):
        yield (
            f"mlprod_hooks_repository '{hooks_repository}' is not a git URL; e.g. "
            "mlprod_hooks_repository=https://github.com/<org>/mlprod-template, or leave it empty"
        )
    yield from remote_problems(answers["dvc_remote"], answers.get("dvc_remote_url", ""))
    if answers["batch_engine"] == "spark" and answers["deployment"] == "realtime":
        yield (
            "batch_engine 'spark' scores batches, which deployment 'realtime' does not generate; "
            "choose deployment=batch or deployment=both, or leave batch_engine=pandas"
        )


def main():
    found = list(problems(ANSWERS))
    for message in found:
        print(f"error: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
