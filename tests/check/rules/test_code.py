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


def test_no_tests_finding_says_where_tests_go(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.add("tests/conftest.py", "")
    repo.add("test_notes.txt", "")
    repo.add("src/churn/testing.py", "")
    assert [(f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "no test files are tracked (tests/test_*.py)",
            "add tests under tests/ (test_*.py) and run them in CI",
        )
    ]


def test_a_test_file_at_the_top_level_counts(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.add("test_churn.py", "def test_x():\n    assert True\n")
    assert repo.check().findings == []


def test_flat_package_fix_moves_the_first_package(repo: Repo) -> None:
    repo.remove("src/churn/__init__.py")
    repo.add("zeta/__init__.py", "")
    repo.add("alpha/__init__.py", "")
    repo.add("tests/__init__.py", "")
    repo.add("docs/__init__.py", "")
    assert [(f["path"], f["fix"]) for f in repo.check().findings] == [
        ("alpha/", "git mv alpha src/alpha and point the build configuration at src/")
    ]


def test_no_package_finding_says_what_to_create(repo: Repo) -> None:
    repo.remove("src/churn/__init__.py")
    repo.add("src/churn/models/__init__.py", "")
    repo.add("test/__init__.py", "")
    repo.add("tools/scripts/__init__.py", "")
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "src/",
            "no package under src/ (src/<package>/__init__.py)",
            "put the project's code in src/<package>/ with an __init__.py",
        )
    ]
