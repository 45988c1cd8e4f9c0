import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from mlprod.ab.srm import srm_check
from mlprod.errors import UsageError


def test_known_answer_600_400_is_a_mismatch():
    result = srm_check([600, 400])
    assert result["p_value"] == pytest.approx(2.54e-10, rel=1e-2)
    assert result["srm"] is True


def test_balanced_split_is_not_a_mismatch():
    assert srm_check([5012, 4988])["srm"] is False


def test_weights_set_the_designed_split():
    assert srm_check([900, 100], [90, 10])["srm"] is False
    assert srm_check([900, 100])["srm"] is True


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 10**6), min_size=2, max_size=6))
def test_matches_scipy_chisquare(counts):
    expected = chisquare(counts)
    result = srm_check(counts)
    assert result["statistic"] == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    assert result["p_value"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    "counts, weights, message",
    [
        ([10], None, "counts needs at least two values, one per variant"),
        ([0, 0], None, "counts are all 0; there is nothing to check"),
        ([5, 5], [1], "weights has 1 values for 2 counts; give one per count"),
        ([5, -1], None, "counts must be whole numbers of units, got [5, -1]"),
        ([5, 2.5], None, "counts must be whole numbers of units, got [5, 2.5]"),
        ([5, 5], [1, 0], "weights must be positive numbers, got [1, 0]"),
    ],
)
def test_bad_input_is_refused(counts, weights, message):
    with pytest.raises(UsageError) as error:
        srm_check(counts, weights)
    assert str(error.value) == message


def test_an_arm_with_no_units_is_a_mismatch_not_an_error():
    result = srm_check([0, 100])
    assert result["srm"] is True and result["statistic"] == 100.0


def test_cli_json_shape_and_exit_code(cli, cli_json):
    assert set(cli_json("ab", "srm", "--counts", "600", "400")) >= {"statistic", "p_value", "srm"}
    assert cli("ab", "srm", "--counts", "600", "400")[0] == 1
    assert cli("ab", "srm", "--counts", "500", "500")[0] == 0


def test_threshold_sets_the_alarm():
    # 1000 against 1100: chi-square 4.762, p = 0.0291.
    result = srm_check([1000, 1100])
    assert result["p_value"] == pytest.approx(0.029096, rel=1e-4)
    assert result["srm"] is False and result["threshold"] == 0.001
    loose = srm_check([1000, 1100], threshold=0.05)
    assert loose["srm"] is True and loose["threshold"] == 0.05
    # The alarm is p < threshold: a threshold exactly at p does not raise it.
    assert srm_check([1000, 1100], threshold=result["p_value"])["srm"] is False
    assert srm_check([1000, 1100], threshold=result["p_value"] * (1 + 1e-9))["srm"] is True


def test_cli_threshold_reaches_the_check(cli):
    code, out, _ = cli("ab", "srm", "--counts", "1000", "1100", "--threshold", "0.05")
    assert code == 1
    assert out == "SAMPLE RATIO MISMATCH: chi-square 4.762, p = 0.0291 (alarm below 0.05)\n"
    code, out, _ = cli("ab", "srm", "--counts", "1000", "1100")
    assert code == 0
    assert out == "no mismatch: chi-square 4.762, p = 0.0291 (alarm below 0.001)\n"


@pytest.mark.parametrize("threshold", [0, 1, -0.1])
def test_threshold_outside_zero_one_is_refused(threshold):
    with pytest.raises(UsageError, match=f"threshold must be between 0 and 1, got {threshold}"):
        srm_check([5, 5], threshold=threshold)


def test_expected_counts_follow_the_weights():
    result = srm_check([900, 100], [3, 1])
    assert result["expected"] == [750.0, 250.0]
    assert result["observed"] == [900.0, 100.0]
    assert result["statistic"] == pytest.approx(150**2 / 750 + 150**2 / 250)
