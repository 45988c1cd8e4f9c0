import pytest

from check.conftest import Repo
from mlprod.check.rules.data import is_data_format


def test_data_file_over_100kb_is_reported(repo: Repo) -> None:
    repo.add("reports/scores.csv", "a,b\n" * 30_000)
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("DATA001", "reports/scores.csv")
    assert finding["message"] == "data file of 120.0 kB is tracked by git (limit 100.0 kB)"
    assert finding["fix"] == "git rm --cached reports/scores.csv && dvc add reports/scores.csv"


def test_data_file_exactly_at_the_limit_passes(repo: Repo) -> None:
    repo.add("reports/at.csv", b"x" * 100_000)
    repo.add("reports/over.csv", b"x" * 100_001)
    repo.add("assets/at.bin", b"x" * 1_000_000)
    repo.add("assets/over.bin", b"x" * 1_000_001)
    assert sorted(f["path"] for f in repo.check().of("DATA001")) == [
        "assets/over.bin",
        "reports/over.csv",
    ]


def test_small_data_file_and_dvc_pointer_pass(repo: Repo) -> None:
    repo.add("reports/metrics.csv", "a,b\n1,2\n")
    repo.add("data/raw.dvc", "outs:\n- md5: abc\n  path: raw\n" + "#" * 2_000_000)
    assert repo.check().findings == []


def test_any_file_over_1mb_is_reported(repo: Repo) -> None:
    repo.add("assets/figure.svg", "<svg/>" + " " * 1_100_000)
    repo.add("assets/small.svg", "<svg/>" + " " * 900_000)
    assert [f["path"] for f in repo.check().findings] == ["assets/figure.svg"]


def test_size_limits_come_from_the_configuration(repo: Repo) -> None:
    repo.add("pyproject.toml", '[tool.mlprod]\nmax-data-file-size = "10kB"\nmax-file-size = 500\n')
    repo.add("reports/a.csv.gz", b"x" * 20_000)
    repo.add("src/churn/big.py", "#" * 600)
    assert {f["path"] for f in repo.check().of("DATA001")} == {
        "reports/a.csv.gz",
        "src/churn/big.py",
    }


def test_file_name_needing_quotes_gets_a_quoted_fix(repo: Repo) -> None:
    repo.add("reports/it's big.parquet", b"PAR1" * 30_000)
    fix = repo.check().of("DATA001")[0]["fix"]
    assert fix.startswith("git rm --cached 'reports/it'\"'\"'s big.parquet'")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("x.CSV", True),
        ("x.csv.gz", True),
        ("x.parquet", True),
        ("model.onnx", True),
        ("archive.zip", True),
        ("notes.gz", False),
        ("README.md", False),
        ("csv", False),
    ],
)
def test_data_formats_are_recognised_by_suffix(path: str, expected: bool) -> None:
    assert is_data_format(path) is expected


def test_dvc_not_initialised_is_reported(repo: Repo) -> None:
    repo.remove(".dvc/config")
    assert repo.check().codes == {"DATA002"}


def test_no_default_remote_is_reported(repo: Repo) -> None:
    repo.add(".dvc/config", "['remote \"storage\"']\n    url = /tmp/store\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["message"]) == (
        "DATA003",
        "no default DVC remote ([core] remote is not set)",
    )


def test_default_remote_without_url_is_reported(repo: Repo) -> None:
    repo.add(".dvc/config", "[core]\n    remote = storage\n")
    assert "has no url" in repo.check().of("DATA003")[0]["message"]


def test_data_folder_not_ignored_is_reported(repo: Repo) -> None:
    repo.add(".gitignore", "/models/*\n.env\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["message"]) == (
        "DATA004",
        "new files in data/ are not ignored by git",
    )


def test_models_folder_checked_only_when_present(repo: Repo) -> None:
    repo.add(".gitignore", "/data/\n.env\n")
    assert repo.check().codes == {"DATA004"}
    repo.remove("models/.gitkeep")
    (repo.root / "models/.gitkeep").unlink()
    (repo.root / "models").rmdir()
    assert repo.check().findings == []
