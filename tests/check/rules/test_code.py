from check.conftest import Repo


def test_no_tests_is_reported(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("CODE001", "tests/")


def test_tests_next_to_the_code_count(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.add("src/churn/features_test.py", "def test_x():\n    assert True\n")
    assert repo.check().findings == []


def test_flat_package_is_reported(repo: Repo) -> None:
    repo.remove("src/churn/__init__.py")
    repo.add("churn/__init__.py", "")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("CODE002", "churn/")
    assert finding["message"] == "the package 'churn' sits at the top level, not under src/"


def test_no_package_at_all_is_reported(repo: Repo) -> None:
    repo.remove("src/churn/__init__.py")
    assert repo.check().of("CODE002")[0]["path"] == "src/"
