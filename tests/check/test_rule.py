from pathlib import Path

import pytest

from mlprod.check.report import rule_table
from mlprod.check.rule import ERROR, Rule
from mlprod.check.rules import CATALOGUE

README = Path(__file__).parents[2] / "README.md"


def test_readme_rule_table_is_the_catalogue() -> None:
    table = rule_table(CATALOGUE.values())
    assert table in README.read_text(encoding="utf-8"), (
        "README's rule table differs from the catalogue; paste the output of "
        "`python -c 'from mlprod.check.report import rule_table; from mlprod.check.rules "
        "import CATALOGUE; print(rule_table(CATALOGUE.values()))'`"
    )
    assert table.count("\n") == len(CATALOGUE) + 2


def test_every_rule_has_a_distinct_code_and_name() -> None:
    rules = list(CATALOGUE.values())
    assert len({rule.name for rule in rules}) == len(rules)
    assert all(rule.code == code for code, rule in CATALOGUE.items())
    assert all(rule.summary and rule.fix for rule in rules)


def test_a_rule_without_its_catalogue_entry_is_refused() -> None:
    with pytest.raises(TypeError, match="rule Incomplete lacks name, summary, fix"):

        class Incomplete(Rule):
            code = "X001"
            severity = ERROR


def test_a_rule_checks_nothing_until_it_says_how() -> None:
    class Quiet(Rule):
        code = "X002"
        name = "quiet"
        severity = ERROR
        summary = "never fires"
        fix = "nothing"

    quiet = Quiet()
    assert quiet.finding("a.py", "m", "f").as_dict() == {
        "code": "X002",
        "severity": "error",
        "path": "a.py",
        "line": None,
        "message": "m",
        "fix": "f",
    }
    assert quiet.reads(None) is False  # type: ignore[arg-type]


def test_the_default_checks_find_nothing() -> None:
    class Silent(Rule):
        code = "X003"
        name = "silent"
        severity = ERROR
        summary = "checks nothing"
        fix = "nothing"

    silent = Silent()
    assert list(silent.check(None)) == []  # type: ignore[arg-type]
    assert list(silent.check_entry(None, None)) == []  # type: ignore[arg-type]
    assert list(silent.check_content(None, None, b"x", True)) == []  # type: ignore[arg-type]
