import json

import pytest

from check.conftest import Repo
from mlprod import __version__
from mlprod.check.rules.template import release


def record(version: str) -> str:
    context = {"project_name": "Churn", "_mlprod_version": version}
    return json.dumps(
        {"template": "t", "commit": f"v{version}", "context": {"cookiecutter": context}}
    )


def test_a_project_from_an_older_template_is_told_to_update(repo: Repo) -> None:
    repo.add(".cruft.json", record("0.0.9"))
    [finding] = repo.check().of("TPL001")
    assert finding["severity"] == "warning"
    assert finding["path"] == ".cruft.json"
    assert finding["message"] == (
        f"generated from mlprod-template 0.0.9; the installed mlprod is {__version__}"
    )
    assert finding["fix"].startswith("on a branch, run mlprod update")


@pytest.mark.parametrize("version", [__version__.split("+")[0], f"{__version__}+local", "99.0"])
def test_a_project_from_this_or_a_newer_template_has_no_finding(repo: Repo, version) -> None:
    repo.add(".cruft.json", record(version))
    assert repo.check().of("TPL001") == []


def test_a_project_without_a_record_or_with_a_broken_one_has_no_finding(repo: Repo) -> None:
    assert repo.check().of("TPL001") == []
    repo.add(".cruft.json", "{not json")
    assert repo.check().of("TPL001") == []


def test_release_compares_numbers_not_strings() -> None:
    assert release("0.10.0") > release("0.9.1")
    assert release("0.2.0+t123") == (0, 2, 0)
    assert release("dev") is None


def test_a_record_without_a_release_number_has_no_finding(repo: Repo) -> None:
    repo.add(".cruft.json", record("main"))
    checked = repo.check()
    assert (checked.code, checked.of("TPL001")) == (0, [])


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"context": {"cookiecutter": {"project_name": "Churn"}}}),
        json.dumps({"context": []}),
        json.dumps({"template": "t"}),
        json.dumps([1]),
    ],
)
def test_a_record_without_a_template_version_has_no_finding(repo: Repo, text: str) -> None:
    repo.add(".cruft.json", text)
    assert repo.check().findings == []


def test_an_untracked_record_is_not_read(repo: Repo) -> None:
    repo.write(".cruft.json", record("0.0.9"))
    assert repo.check().findings == []


def test_a_version_written_as_a_number_is_compared(repo: Repo) -> None:
    context = {"cookiecutter": {"_mlprod_version": 0.0}}
    repo.add(".cruft.json", json.dumps({"context": context}))
    assert [f["message"] for f in repo.check().findings] == [
        f"generated from mlprod-template 0.0; the installed mlprod is {__version__}"
    ]
