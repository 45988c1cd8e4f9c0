from pathlib import Path

import pytest

from check.conftest import Repo
from mlprod.check.config import Settings, load, parse_size
from mlprod.errors import UsageError


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1MB", 1_000_000),
        ("100kB", 100_000),
        ("2 MiB", 2 * 1024**2),
        ("1.5GB", 1_500_000_000),
        (4096, 4096),
        (1, 1),
        ("512", 512),
        (" 10 b ", 10),
        ("2KiB", 2048),
        ("1GiB", 1024**3),
        ("3kb", 3000),
    ],
)
def test_sizes_are_read_with_their_units(text: object, size: int) -> None:
    assert parse_size(text, "max-file-size") == size


@pytest.mark.parametrize("text", ["", "MB", "-1MB", "0MB", "0", "1 parsec", 0, True, [1]])
def test_bad_sizes_are_refused(text: object) -> None:
    with pytest.raises(UsageError) as error:
        parse_size(text, "max-file-size")
    assert str(error.value) == (
        f'[tool.mlprod] max-file-size = {text!r} is not a size; write e.g. max-file-size = "1MB"'
    )


def pyproject(repo: Repo, table: str) -> None:
    repo.write("pyproject.toml", f'[project]\nname = "churn"\n\n[tool.mlprod]\n{table}\n')


def test_select_and_ignore_come_from_pyproject(repo: Repo) -> None:
    repo.remove("tests/test_churn.py")
    repo.remove(".github/CODEOWNERS")
    pyproject(repo, 'select = ["CODE", "GIT"]\nignore = ["GIT004"]')
    assert repo.check().codes == {"CODE001"}
    assert repo.check("--select", "GIT").codes == set()
    assert repo.check("--ignore", "CODE").code == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("colour = true", "unknown key 'colour' in [tool.mlprod]; valid keys: select, ignore"),
        ('select = "NB"', "[tool.mlprod] select must be a list of rule codes; write e.g."),
        ('ignore = ["NB9"]', "unknown rule code 'NB9' in [tool.mlprod] ignore"),
        ('max-data-file-size = "big"', "[tool.mlprod] max-data-file-size = 'big' is not a size"),
        ('per-file-ignores = ["x"]', "[tool.mlprod] per-file-ignores must be a table"),
        ('per-file-ignores = {"a/*" = ["ZZ"]}', "unknown rule code 'ZZ' in [tool.mlprod] per-file"),
        ("select = [", "pyproject.toml: Invalid value (at end of document); fix the file"),
    ],
)
def test_invalid_configuration_is_one_line_and_exit_2(repo: Repo, table: str, message: str) -> None:
    pyproject(repo, table)
    checked = repo.check()
    assert checked.code == 2
    assert checked.stdout == ""
    assert checked.stderr.count("\n") == 1
    assert message in checked.stderr


def test_tool_mlprod_that_is_not_a_table_is_refused(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool]\nmlprod = "on"\n')
    assert "must be a table" in repo.check().stderr


def write_pyproject(root: Path, text: str) -> None:
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "text", [None, '[project]\nname = "x"\n', "[tool.ruff]\nline-length = 100\n", "tool = 3\n"]
)
def test_without_a_tool_mlprod_table_the_defaults_apply(tmp_path: Path, text: str | None) -> None:
    if text is not None:
        write_pyproject(tmp_path, text)
    assert load(tmp_path) == Settings(
        select=("ALL",),
        ignore=(),
        per_file_ignores={},
        max_file_size=1_000_000,
        max_data_file_size=100_000,
        max_scan_size=10_000_000,
    )


def test_every_key_of_tool_mlprod_is_read(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        "[tool.mlprod]\n"
        'select = ["NB", "SEC"]\n'
        'ignore = ["NB004"]\n'
        'per-file-ignores = {"tests/*" = ["SEC001"], "data/**" = []}\n'
        'max-file-size = "2MB"\n'
        'max-data-file-size = "10kB"\n'
        "max-scan-size = 4096\n",
    )
    assert load(tmp_path) == Settings(
        select=("NB", "SEC"),
        ignore=("NB004",),
        per_file_ignores={"tests/*": ("SEC001",), "data/**": ()},
        max_file_size=2_000_000,
        max_data_file_size=10_000,
        max_scan_size=4096,
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "colour = true\nbeta = 1",
            "unknown key 'beta' in [tool.mlprod]; valid keys: select, ignore, per-file-ignores, "
            "max-file-size, max-data-file-size, max-scan-size",
        ),
        (
            'ignore = ["NB", 4]',
            "[tool.mlprod] ignore must be a list of rule codes; "
            'write e.g. ignore = ["NB", "GIT004"]',
        ),
        (
            'per-file-ignores = ["x"]',
            '[tool.mlprod] per-file-ignores must be a table; write "glob" = ["SEC001"]',
        ),
        (
            'per-file-ignores = {"a/*" = "SEC001"}',
            '[tool.mlprod] per-file-ignores."a/*" must be a list of rule codes; '
            'write e.g. per-file-ignores."a/*" = ["NB", "GIT004"]',
        ),
        (
            "max-scan-size = 0",
            '[tool.mlprod] max-scan-size = 0 is not a size; write e.g. max-scan-size = "1MB"',
        ),
    ],
)
def test_a_bad_tool_mlprod_table_is_refused_with_the_fix(
    tmp_path: Path, table: str, message: str
) -> None:
    write_pyproject(tmp_path, f"[tool.mlprod]\n{table}\n")
    with pytest.raises(UsageError) as error:
        load(tmp_path)
    assert str(error.value) == message


def test_tool_mlprod_must_be_a_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool]\nmlprod = "on"\n')
    with pytest.raises(UsageError) as error:
        load(tmp_path)
    assert str(error.value) == (
        "[tool.mlprod] in pyproject.toml must be a table; write [tool.mlprod]"
    )


def test_an_unreadable_pyproject_is_refused_with_the_reason(tmp_path: Path) -> None:
    pyproject_path = tmp_path / "pyproject.toml"
    pyproject_path.write_bytes(b'[tool.mlprod]\nselect = ["caf\xe9"]\n')
    with pytest.raises(UsageError) as error:
        load(tmp_path)
    assert str(error.value).startswith(f"cannot read {pyproject_path}: 'utf-8' codec can't decode")
    assert str(error.value).endswith("; fix the file")
    pyproject_path.unlink()
    pyproject_path.mkdir()
    with pytest.raises(UsageError) as error:
        load(tmp_path)
    assert str(error.value) == (
        f"cannot read {pyproject_path}: [Errno 21] Is a directory: '{pyproject_path}'; fix the file"
    )
