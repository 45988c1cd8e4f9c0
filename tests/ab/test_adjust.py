import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from mlprod.ab.adjust import adjust
from mlprod.errors import UsageError

P_VALUES = [0.01, 0.04, 0.03, 0.005, 0.55, 0.6]


def test_known_answer_holm():
    assert adjust(P_VALUES, "holm") == pytest.approx([0.05, 0.12, 0.12, 0.03, 1, 1])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=30),
    st.sampled_from(["holm", "fdr_bh"]),
)
def test_matches_statsmodels(p_values, method):
    expected = multipletests(p_values, method=method)[1]
    assert adjust(p_values, method) == pytest.approx(list(expected), abs=1e-12)


@pytest.mark.parametrize("p_values, method", [([0.1, 1.2], "holm"), ([0.1], "bonferroni")])
def test_bad_input_is_refused(p_values, method):
    with pytest.raises(UsageError):
        adjust(p_values, method)


def test_cli_returns_input_order(cli_json):
    result = cli_json("ab", "adjust", "--method", "holm", *map(str, P_VALUES))
    assert result["adjusted"] == pytest.approx([0.05, 0.12, 0.12, 0.03, 1, 1])


def test_holm_is_the_default_method():
    assert adjust(P_VALUES) == pytest.approx([0.05, 0.12, 0.12, 0.03, 1, 1])


def test_an_unknown_method_lists_the_known_ones():
    with pytest.raises(UsageError) as error:
        adjust([0.1], "bonferroni")
    assert str(error.value) == "method 'bonferroni' is not one of: holm, fdr_bh"


def test_a_missing_p_value_is_refused_with_the_list():
    with pytest.raises(UsageError) as error:
        adjust([0.1, None])
    assert str(error.value) == "p values must lie in [0, 1], got [0.1, None]"
