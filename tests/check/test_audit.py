from check.conftest import AWS_ID, Repo


def test_only_what_git_tracks_is_audited(repo: Repo) -> None:
    repo.write("data/raw.csv", "a,b\n" * 100_000)
    repo.write(".env", "AWS_KEY=" + AWS_ID + "\n")
    repo.write("scratch/untracked.ipynb", "{broken")
    assert repo.check().findings == []


def test_findings_are_sorted_by_path_then_code(repo: Repo) -> None:
    repo.add("b.ipynb", "{")
    repo.add("a.csv", "x" * 200_000)
    repo.remove("tests/test_churn.py")
    assert [(f["path"], f["code"]) for f in repo.check().findings] == [
        ("a.csv", "DATA001"),
        ("b.ipynb", "NB004"),
        ("tests/", "CODE001"),
    ]


def test_per_file_ignores_match_paths_of_any_rule(repo: Repo) -> None:
    repo.add("legacy/old.ipynb", "{")
    repo.add("legacy/dump.csv", "x" * 200_000)
    repo.add("pyproject.toml", '[tool.mlprod.per-file-ignores]\n"legacy/*" = ["NB004"]\n')
    assert repo.check().codes == {"DATA001"}
