import pytest

from mlprod.check.rules import CATALOGUE, PREFIXES, resolve
from mlprod.errors import UsageError


def test_prefixes_are_listed_once_in_catalogue_order() -> None:
    assert PREFIXES == ("GIT", "NB", "DATA", "SEC", "DOC", "CODE", "TPL")


@pytest.mark.parametrize(
    ("selectors", "codes"),
    [
        (("ALL",), set(CATALOGUE)),
        (("all",), set(CATALOGUE)),
        ((" nb ",), {"NB001", "NB002", "NB003", "NB004"}),
        (("DATA001", "sec00"), {"DATA001", "SEC001", "SEC002", "SEC003"}),
        (("TPL001", "TPL"), {"TPL001"}),
        ((), set()),
    ],
)
def test_selectors_resolve_to_codes_as_ruff_reads_them(selectors, codes) -> None:
    assert resolve(selectors, "--select") == codes


@pytest.mark.parametrize("selector", ["NB9", "", "  ", "XNB001"])
def test_an_unknown_selector_is_a_usage_error_naming_it(selector: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve(("NB", selector), "[tool.mlprod] ignore")
    assert str(raised.value) == (
        f"unknown rule code '{selector}' in [tool.mlprod] ignore; use ALL, a prefix "
        "(GIT, NB, DATA, SEC, DOC, CODE, TPL) or a code such as NB001"
    )
