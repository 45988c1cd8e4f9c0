import json

import pytest

from check.conftest import CLEAN_NOTEBOOK, Repo
from mlprod.check.rules.data import is_data_format, readable, sizes


def test_data_file_over_100kb_is_reported(repo: Repo) -> None:
    repo.add("reports/scores.csv", "a,b\n" * 30_000)
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("DATA001", "reports/scores.csv")
    assert finding["message"] == "data file of 120 kB is tracked by git (limit 100 kB)"
    assert finding["fix"] == (
        "git rm --cached reports/scores.csv && dvc add reports/scores.csv && "
        "git add reports/scores.csv.dvc reports/.gitignore"
    )


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


def test_lock_files_of_any_size_pass_but_not_files_named_like_them(repo: Repo) -> None:
    big = "# resolved\n" + "x" * 1_200_000
    repo.add("uv.lock", big)
    repo.add("services/api/requirements.lock", big)
    repo.add("uv.lock.bak", big)
    repo.add("data/uv.lock.csv", "a\n" * 60_000)
    assert sorted(f["path"] for f in repo.check().of("DATA001")) == [
        "data/uv.lock.csv",
        "uv.lock.bak",
    ]


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


def test_data_file_at_the_top_level_adds_the_top_level_gitignore(repo: Repo) -> None:
    repo.add("scores.csv", "a,b\n" * 30_000)
    assert repo.check().of("DATA001")[0]["fix"] == (
        "git rm --cached scores.csv && dvc add scores.csv && git add scores.csv.dvc .gitignore"
    )


def test_large_image_is_told_to_shrink_even_with_dots_in_its_name(repo: Repo) -> None:
    repo.add("docs/img/figure.v2.PNG", b"\x89PNG" + b"x" * 1_200_000)
    [finding] = repo.check().of("DATA001")
    assert finding["message"] == "file of 1.20 MB is tracked by git (limit 1.00 MB)"
    assert finding["fix"] == (
        "shrink it below the limit (resize or compress it) and stage it again; if it must stay "
        'as it is, add "docs/img/figure.v2.PNG" = ["DATA001"] under '
        "[tool.mlprod.per-file-ignores] in pyproject.toml"
    )


def test_large_file_without_a_suffix_goes_to_dvc(repo: Repo) -> None:
    repo.add("assets/weights", b"x" * 1_200_000)
    [finding] = repo.check().of("DATA001")
    assert finding["fix"] == (
        "git rm --cached assets/weights && dvc add assets/weights && "
        "git add assets/weights.dvc assets/.gitignore"
    )


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
        ("data/x.tar.gz", True),
        ("x.csv.zip", True),
        ("x.npy.BZ2", True),
        ("logs/x.txt.gz", False),
        ("data.csv/readme", False),
        ("a.tsv.lz4", True),
        ("a.jsonl.zst", True),
        ("a.tfrecord.xz", True),
        ("scores.2024-01.csv.gz", True),
    ],
)
def test_data_formats_are_recognised_by_suffix(path: str, expected: bool) -> None:
    assert is_data_format(path) is expected


def test_dvc_not_initialised_is_reported(repo: Repo) -> None:
    repo.remove(".dvc/config")
    assert [(f["code"], f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            "DATA002",
            ".dvc/config",
            "DVC is not initialised (no .dvc/config tracked)",
            "dvc init && git add .dvc && git commit -m 'Initialise DVC'",
        )
    ]


def test_no_default_remote_is_reported(repo: Repo) -> None:
    repo.add(".dvc/config", "['remote \"storage\"']\n    url = /tmp/store\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["message"], finding["fix"]) == (
        "DATA003",
        ".dvc/config",
        "no default DVC remote ([core] remote is not set)",
        "dvc remote add --default NAME URL, then commit .dvc/config",
    )


@pytest.mark.parametrize(
    "remotes",
    [
        "",  # named, never defined
        "['remote \"other\"']\n    url = /tmp/other\n['remote \"storage\"']\n    region = eu\n",
    ],
)
def test_default_remote_without_url_is_reported(repo: Repo, remotes: str) -> None:
    repo.add(".dvc/config", "[core]\n    remote = storage\n" + remotes)
    assert [(f["path"], f["message"], f["fix"]) for f in repo.check().findings] == [
        (
            ".dvc/config",
            "the default remote 'storage' has no url in .dvc/config",
            "dvc remote add --force --default storage URL, then commit .dvc/config",
        )
    ]


MODELS_IGNORED = "/models/**\n!/models/**/\n!/models/**/*.dvc\n!/models/**/.gitignore\n"


def test_data_folder_not_ignored_is_reported(repo: Repo) -> None:
    repo.add(".gitignore", MODELS_IGNORED + ".env\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["message"]) == (
        "DATA004",
        ".gitignore",
        "new files in data/ are not ignored by git",
    )
    assert finding["fix"] == (
        "printf '%s\\n' '/data/**' '!/data/**/' '!/data/**/*.dvc' '!/data/**/.gitignore'"
        " >> .gitignore"
    )


def test_ignoring_the_whole_data_folder_is_reported_with_the_line(repo: Repo) -> None:
    repo.add(".gitignore", MODELS_IGNORED + ".env\n/data/\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"]) == ("DATA004", ".gitignore")
    assert finding["message"] == (
        "line 6 (`/data/`) ignores .dvc pointer files in data/, so "
        "`git add data/x.csv.dvc` fails after `dvc add data/x.csv`"
    )
    assert finding["fix"] == (
        "delete line 6 (`/data/`) from .gitignore, then printf '%s\\n' '/data/**' '!/data/**/'"
        " '!/data/**/*.dvc' '!/data/**/.gitignore' >> .gitignore"
    )
    assert finding["line"] == 6


def test_folders_are_checked_only_when_present(repo: Repo) -> None:
    repo.add(".gitignore", ".env\n")
    assert [f["message"] for f in repo.check().findings] == [
        "new files in data/ are not ignored by git",
        "new files in models/ are not ignored by git",
    ]
    for folder in ("data", "models"):
        repo.remove(f"{folder}/.gitkeep")
        (repo.root / folder / ".gitkeep").unlink()
        (repo.root / folder).rmdir()
    assert repo.check().findings == []


@pytest.mark.parametrize(
    ("size", "limit", "expected"),
    [
        (1_049_502, 1_000_000, ("1.05 MB", "1.00 MB")),
        (1_000_001, 1_000_000, ("1.000001 MB", "1.000000 MB")),
        (12_000_000, 1_000_000, ("12.0 MB", "1.00 MB")),
        (5_000_000, 100_000, ("5.00 MB", "100 kB")),
        (120_000, 100_000, ("120 kB", "100 kB")),
        (2_097_152, 2_097_151, ("2.097152 MB", "2.097151 MB")),
        (900, 500, ("900 bytes", "500 bytes")),
        # Apart by one byte in ten billion: no unit tells them apart, so exact bytes.
        (10_000_000_001, 10_000_000_000, ("10,000,000,001 bytes", "10,000,000,000 bytes")),
    ],
)
def test_sizes_are_printed_precisely_enough_to_differ_from_the_limit(
    size: int, limit: int, expected: tuple[str, str]
) -> None:
    assert sizes(size, limit) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (999, "999 bytes"),
        (1_000, "1.00 kB"),
        (10_000, "10.0 kB"),
        (10_500, "10.5 kB"),
        (99_949, "99.9 kB"),
        (100_000, "100 kB"),
        (2_500_000_000, "2.50 GB"),
    ],
)
def test_readable_gives_three_significant_digits(size: int, expected: str) -> None:
    assert readable(size) == expected


def test_a_tracked_folder_left_out_of_the_work_tree_is_still_checked(repo: Repo) -> None:
    # As a sparse checkout leaves it: in the index, not on disk.
    repo.add(".gitignore", MODELS_IGNORED + ".env\n")
    (repo.root / "data/.gitkeep").unlink()
    (repo.root / "data").rmdir()
    assert [f["message"] for f in repo.check().of("DATA004")] == [
        "new files in data/ are not ignored by git"
    ]


def test_dvc_pointers_ignored_by_a_nested_gitignore_are_reported_there(repo: Repo) -> None:
    repo.add("models/.gitignore", "# DVC outputs\n*.dvc\n")
    [finding] = repo.check().findings
    assert (finding["code"], finding["path"], finding["line"]) == (
        "DATA004",
        "models/.gitignore",
        2,
    )
    assert finding["message"] == (
        "line 2 (`*.dvc`) ignores .dvc pointer files in models/, so "
        "`git add models/x.csv.dvc` fails after `dvc add models/x.csv`"
    )


@pytest.mark.parametrize(("size", "reported"), [(1_000_000, False), (1_000_001, True)])
def test_notebook_exactly_at_the_limit_passes(repo: Repo, size: int, reported: bool) -> None:
    text = json.dumps(CLEAN_NOTEBOOK)
    repo.add("notebooks/explore.ipynb", text + " " * (size - len(text)))
    assert [f["message"] for f in repo.check().of("DATA001")] == (
        ["file of 1.000001 MB is tracked by git (limit 1.000000 MB)"] if reported else []
    )
