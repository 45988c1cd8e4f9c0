import pytest

from check.conftest import Repo
from mlprod.check.config import parse_size
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
