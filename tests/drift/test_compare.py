import json

import numpy as np
import pandas as pd
import pytest

from mlprod.drift import compare
from mlprod.errors import UsageError


def emails(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "send_hour": rng.integers(0, 24, n),
            "weekday": rng.choice(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], n),
            "tenure_months": rng.exponential(20 * (1 + shift), n),
            "past_opens_30d": rng.poisson(3, n),
            "channel": rng.choice(
                ["newsletter", "promotion", "transactional"],
                n,
                p=[0.5 - shift / 3, 0.3, 0.2 + shift / 3],
            ),
            "score": rng.normal(shift, 1, n),
            "opened": rng.random(n) < 0.2,
        }
    )


def by_name(result):
    return {column.column: column for column in result.columns}


def test_known_answer_ks():
    result = compare(pd.DataFrame({"x": [1, 2, 3]}), pd.DataFrame({"x": [4, 5, 6]}))
    (column,) = result.columns
    assert column.test == "ks"
    assert column.statistic == 1.0
    assert column.p_value == pytest.approx(0.1)


@pytest.mark.parametrize("n_ref, n_cur", [(200, 150), (5000, 3000), (50_000, 20_000)])
def test_no_false_alarms_on_one_distribution(n_ref, n_cur):
    for seed in range(8):
        result = compare(emails(n_ref, seed), emails(n_cur, seed + 100))
        assert result.drifted == [], [(c.column, c.p_value, c.psi) for c in result.drifted]
        assert not result.dataset_drift


def test_shifted_columns_are_flagged_and_the_dataset_drifts():
    result = compare(emails(5000, 0), emails(3000, 1, shift=1.0))
    flagged = {column.column for column in result.drifted}
    assert flagged == {"tenure_months", "channel", "score"}
    assert result.share_drifted == pytest.approx(3 / 7)
    assert result.dataset_drift is False
    assert compare(emails(5000, 0), emails(3000, 1, shift=1.0), share_threshold=0.4).dataset_drift


def test_thresholds_are_configurable():
    reference, current = emails(5000, 0), emails(5000, 1, shift=0.15)
    default = {c.column for c in compare(reference, current).drifted}
    strict = {
        c.column
        for c in compare(
            reference, current, wasserstein_threshold=0.01, jensen_shannon_threshold=0.01
        ).drifted
    }
    assert default < strict
    with_psi = compare(reference, current, psi_threshold=10).drifted
    assert with_psi == []


def test_unseen_categories_and_missing_values_are_findings():
    reference = emails(2000, 0)
    current = emails(2000, 1)
    current.loc[:399, "score"] = np.nan
    current.loc[:9, "channel"] = "sms"
    columns = by_name(compare(reference, current))
    assert any("sms" in finding for finding in columns["channel"].findings)
    assert any("missing values" in finding for finding in columns["score"].findings)
    assert columns["score"].missing_current == pytest.approx(0.2)


def test_constant_columns_compare_without_error():
    reference = pd.DataFrame({"flag": [1.0] * 100, "kind": ["a"] * 100})
    same = compare(reference, reference.copy())
    assert same.drifted == []
    changed = compare(
        reference, pd.DataFrame({"flag": [1.0] * 50 + [2.0] * 50, "kind": ["a"] * 100})
    )
    assert [c.column for c in changed.drifted] == ["flag"]
    assert any("constant" in f for f in by_name(changed)["flag"].findings)


def test_schema_changes_are_reported():
    reference = pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100.0), "c": ["x"] * 100})
    current = pd.DataFrame({"a": np.arange(100.0), "c": np.arange(100.0), "d": [1] * 100})
    result = compare(reference, current)
    columns = by_name(result)
    assert columns["b"].drift and columns["b"].test == "schema"
    assert columns["c"].drift and "type changed" in columns["c"].summary
    assert any("'d' is new" in finding for finding in result.findings)


def test_all_missing_current_column_drifts():
    reference = pd.DataFrame({"a": np.arange(100.0)})
    result = compare(reference, pd.DataFrame({"a": [np.nan] * 100}))
    assert result.columns[0].drift


def test_identifier_columns_are_skipped_not_counted():
    reference = pd.DataFrame({"id": [f"c{i}" for i in range(100)], "x": np.arange(100.0)})
    current = pd.DataFrame({"id": [f"d{i}" for i in range(100)], "x": np.arange(100.0)})
    result = compare(reference, current)
    assert by_name(result)["id"].test == "skipped"
    assert result.share_drifted == 0


@pytest.mark.parametrize(
    "reference, current, kwargs, message",
    [
        (pd.DataFrame({"a": []}), pd.DataFrame({"a": [1]}), {}, "reference data has no rows"),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": []}), {}, "current data has no rows"),
        (
            pd.DataFrame({"a": [1]}),
            pd.DataFrame({"a": [1]}),
            {"columns": ["z"]},
            "columns names z, which neither",
        ),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), {"exclude": ["a", "b"]}, "no columns"),
        (
            pd.DataFrame({"a": [1]}),
            pd.DataFrame({"a": [1]}),
            {"alpha": 2},
            "alpha must be between 0 and 1, got 2",
        ),
    ],
)
def test_unusable_inputs_are_refused(reference, current, kwargs, message):
    with pytest.raises(UsageError, match=message):
        compare(reference, current, **kwargs)


def test_to_dict_carries_every_column_and_the_verdict():
    reference = pd.DataFrame({"a": [1.0, 2.0, 3.0] * 100, "b": ["x", "y"] * 150})
    current = pd.DataFrame({"a": [11.0, 12.0, 13.0] * 100, "b": ["x", "y"] * 150})
    result = compare(reference, current).to_dict()
    assert json.loads(json.dumps(result)) == result
    assert [column["column"] for column in result["columns"]] == ["a", "b"]
    a, b = result["columns"]
    assert (a["test"], a["kind"], a["drift"], a["statistic"]) == ("ks", "numeric", True, 1.0)
    assert a["effect_measure"] == "wasserstein_norm"
    assert a["effect"] == pytest.approx(10 / np.std([1.0, 2.0, 3.0]))
    assert (a["n_reference"], a["n_current"]) == (300, 300)
    assert (b["test"], b["drift"], b["statistic"], b["p_value"]) == ("chi-square", False, 0.0, 1.0)
    assert result["share_drifted"] == 0.5 and result["dataset_drift"] is True
    assert result["thresholds"] == {
        "alpha": 0.05,
        "wasserstein_threshold": 0.1,
        "jensen_shannon_threshold": 0.1,
        "psi_threshold": None,
        "share_threshold": 0.5,
        "bins": 10,
        "alpha_per_column": 0.025,
    }
    assert result["findings"] == []
    assert (
        result["summary"] == "1 of 2 columns changed (50%): a. The data set as a whole has drifted."
    )


def test_data_set_drifts_at_exactly_the_share_threshold():
    reference, current = emails(5000, 0), emails(3000, 1, shift=1.0)
    assert compare(reference, current).share_drifted == 3 / 7
    assert compare(reference, current, share_threshold=3 / 7).dataset_drift is True
    assert compare(reference, current, share_threshold=3 / 7 + 1e-9).dataset_drift is False


def test_compare_stays_the_function_once_the_module_is_loaded():
    import mlprod.drift.comparison  # noqa: F401
    from mlprod.drift import compare as package_compare

    result = package_compare(pd.DataFrame({"a": [1.0, 2.0]}), pd.DataFrame({"a": [1.0, 2.0]}))
    assert result.drifted == []


@pytest.mark.parametrize("sizes", [(50, 50), (300, 170), (2000, 999)])
def test_effect_sizes_match_scipy(sizes):
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(sizes[0])
    reference = pd.DataFrame(
        {"x": rng.gamma(2, 3, sizes[0]), "c": rng.choice(["a", "b", "c"], sizes[0])}
    )
    current = pd.DataFrame(
        {"x": rng.poisson(6, sizes[1]), "c": rng.choice(["a", "b", "d"], sizes[1])}
    )
    columns = by_name(compare(reference, current))
    expected = wasserstein_distance(reference.x, current.x) / reference.x.std(ddof=0)
    assert columns["x"].effect == pytest.approx(expected, rel=1e-9)
    assert columns["x"].effect_measure == "wasserstein_norm"
    shares = pd.concat([reference.c.value_counts(), current.c.value_counts()], axis=1).fillna(0)
    expected = jensenshannon(shares.iloc[:, 0], shares.iloc[:, 1])
    assert columns["c"].effect == pytest.approx(expected, rel=1e-12)
    assert columns["c"].effect_measure == "jensen_shannon"


def test_a_shift_of_a_quarter_sd_is_a_quarter():
    rng = np.random.default_rng(3)
    values = rng.normal(10, 2, 20_000)
    reference = pd.DataFrame({"x": values})
    result = compare(reference, pd.DataFrame({"x": values + 0.25 * values.std()}))
    assert result.columns[0].effect == pytest.approx(0.25, rel=1e-9)
    assert result.columns[0].drift
