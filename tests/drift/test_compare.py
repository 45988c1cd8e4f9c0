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


def test_missing_values_have_their_own_psi_bin():
    values = np.arange(100.0)
    reference = pd.DataFrame({"x": np.r_[values, [np.nan] * 10]})
    current = pd.DataFrame({"x": np.r_[values, [np.nan] * 30]})
    (column,) = compare(reference, current).columns
    # Ten reference deciles of ten values each on both sides, then the bin of missing values.
    expected = np.r_[[10] * 10, 10] / 110
    actual = np.r_[[10] * 10, 30] / 130
    assert column.psi == pytest.approx(np.sum((actual - expected) * np.log(actual / expected)))
    assert (column.missing_reference, column.missing_current) == pytest.approx((1 / 11, 3 / 13))
    assert column.findings == ["missing values: 9.1% in the reference, 23.1% now"]


@pytest.mark.parametrize(
    "reference, current, summary",
    [
        ([1.0, 2, 3, 10], [1.0, 2, 3], "median 2.5 in the reference, 2 now"),
        ([4.0, 1, 7], [8.0, 1, 5, 2, 9, 3], "median 4 in the reference, 4 now"),
        ([1.0, 2], [1.0, 2, 3, 4, 5, 100], "median 1.5 in the reference, 3.5 now"),
    ],
)
def test_numeric_summary_gives_the_medians(reference, current, summary):
    (column,) = compare(pd.DataFrame({"x": reference}), pd.DataFrame({"x": current})).columns
    assert column.summary == summary
    assert summary == (
        f"median {np.median(reference):.4g} in the reference, {np.median(current):.4g} now"
    )


@pytest.mark.parametrize(
    "reference, findings",
    [
        ([5.0] * 10, ["constant in the reference (always 5)"]),
        ([5.0], ["constant in the reference (always 5)"]),
        ([1.0] + [5.0] * 9, []),
        ([1.0] * 9 + [5.0], []),
    ],
)
def test_only_a_constant_reference_is_called_constant(reference, findings):
    current = pd.DataFrame({"x": [5.0] * len(reference)})
    (column,) = compare(pd.DataFrame({"x": reference}), current).columns
    assert column.findings == findings


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", [None, "UTC"])
def test_booleans_are_categories_and_datetimes_are_numbers(unit, tz):
    days = pd.date_range("2024-01-01", periods=100, freq="D", unit=unit, tz=tz)
    reference = pd.DataFrame({"flag": [True, False] * 50, "day": days})
    current = pd.DataFrame({"flag": [True] * 100, "day": days + pd.Timedelta(days=50)})
    columns = by_name(compare(reference, current))
    assert (columns["flag"].kind, columns["flag"].test) == ("categorical", "chi-square")
    # Two categories change by as much; the first in order is named.
    assert columns["flag"].summary == "largest change: 'False' from 50.0% of rows to 0.0%"
    assert (columns["day"].kind, columns["day"].test) == ("numeric", "ks")
    assert columns["day"].statistic == 0.5
    # Medians in seconds since 1970: 2024-02-19 12:00 and 50 days later.
    middle = pd.Timestamp("2024-02-19 12:00", tz=tz).timestamp()
    assert middle == pytest.approx(1.708e9, rel=1e-3)
    assert columns["day"].summary == (
        f"median {middle:.4g} in the reference, {middle + 50 * 86400:.4g} now"
    )
    assert columns["day"].effect == pytest.approx(50 / np.std(np.arange(100)))


def test_skipped_columns_say_why_in_their_findings():
    reference = pd.DataFrame({"gone": [1.0, 2.0], "kind": [1.0, 2.0], "x": [1.0, 2.0]})
    current = pd.DataFrame({"kind": ["a", "b"], "x": [1.0, 2.0]})
    gone, kind, _ = compare(reference, current).to_dict()["columns"]
    assert (gone["kind"], gone["findings"]) == ("?", ["missing from the current data"])
    assert (kind["kind"], kind["test"]) == ("numeric", "schema")
    assert kind["findings"] == ["type changed: numeric in the reference, categorical now"]
    assert (kind["statistic"], kind["p_value"], kind["psi"], kind["effect"]) == (None,) * 4


@pytest.mark.parametrize(
    "new, finding",
    [
        ("pqrst", "categories not in the reference: p, q, r, s, t"),
        ("pqrstu", "categories not in the reference: p, q, r, s, t and 1 more"),
        ("pqrstuvw", "categories not in the reference: p, q, r, s, t and 3 more"),
    ],
)
def test_new_categories_are_listed_up_to_five(new, finding):
    reference = pd.DataFrame({"c": list("ab") * 20})
    current = pd.DataFrame({"c": list("ab") * 20 + list(new)})
    (column,) = compare(reference, current).columns
    assert column.findings == [finding]


def test_missing_categories_are_a_category_of_their_own():
    reference = pd.DataFrame({"c": ["a", "b"] * 20})
    current = pd.DataFrame({"c": ["a", "b"] * 10 + [None] * 20})
    (column,) = compare(reference, current).columns
    assert column.summary == "largest change: '(missing)' from 0.0% of rows to 50.0%"
    assert column.findings == [
        "categories not in the reference: (missing)",
        "missing values: 0.0% in the reference, 50.0% now",
    ]
    assert column.psi == pytest.approx(
        (0.25 - 0.5) * np.log(0.5) * 2 + (0.5 - 1e-4) * np.log(0.5 / 1e-4)
    )


def test_a_category_constant_on_both_sides_is_no_change():
    frame = pd.DataFrame({"c": ["a"] * 10})
    (column,) = compare(frame, frame).to_dict()["columns"]
    assert column["findings"] == ["constant in both (always 'a')"]
    assert (column["statistic"], column["p_value"], column["drift"]) == (0.0, 1.0, False)


def test_two_categories_get_the_chi_square_without_continuity_correction():
    from scipy.stats import chi2_contingency

    reference = pd.DataFrame({"c": ["a"] * 30 + ["b"] * 20})
    current = pd.DataFrame({"c": ["a"] * 20 + ["b"] * 30})
    (column,) = compare(reference, current).columns
    # Pearson's statistic on [[30, 20], [20, 30]]: every expected count is 25.
    assert column.statistic == pytest.approx(4 * 25 / 25)
    expected = chi2_contingency([[30, 20], [20, 30]], correction=False)
    assert column.p_value == pytest.approx(expected.pvalue)
    assert column.summary == "largest change: 'a' from 60.0% of rows to 40.0%"


def test_one_column_is_tested_at_the_full_alpha():
    result = compare(pd.DataFrame({"x": [1, 2, 3]}), pd.DataFrame({"x": [4, 5, 6]}))
    assert result.thresholds["alpha_per_column"] == 0.05


def shifted():
    values = np.arange(40.0)
    return pd.DataFrame({"x": values}), pd.DataFrame({"x": values + 20})


def test_a_p_value_at_the_level_is_not_significant():
    reference, current = shifted()
    (column,) = compare(reference, current).columns
    p = column.p_value
    assert 0 < p < 0.05 and column.drift
    assert compare(reference, current, alpha=p).columns[0].drift is False
    assert compare(reference, current, alpha=np.nextafter(p, 1)).columns[0].drift is True


def test_an_effect_or_psi_at_its_threshold_is_material():
    reference, current = shifted()
    (column,) = compare(reference, current).columns
    effect, psi = column.effect, column.psi
    assert compare(reference, current, wasserstein_threshold=effect).columns[0].drift is True
    above = np.nextafter(effect, 10)
    assert compare(reference, current, wasserstein_threshold=above).columns[0].drift is False
    assert compare(reference, current, psi_threshold=psi).columns[0].drift is True
    assert compare(reference, current, psi_threshold=0).columns[0].drift is True
    assert compare(reference, current, psi_threshold=np.nextafter(psi, 10)).drifted == []


def test_a_column_empty_in_the_reference_is_not_counted():
    reference = pd.DataFrame({"empty": [np.nan] * 4, "x": [1.0, 2, 3, 4]})
    current = pd.DataFrame({"empty": [1.0] * 4, "x": [1.0, 2, 3, 4]})
    result = compare(reference, current)
    empty = result.to_dict()["columns"][0]
    summary = "no values in the reference; nothing to compare against"
    assert (empty["column"], empty["test"], empty["kind"]) == ("empty", "none", "numeric")
    assert (empty["drift"], empty["summary"], empty["findings"]) == (False, summary, [summary])
    assert result.summary == "No column changed materially (1 compared)."


def test_nothing_comparable_is_refused():
    from mlprod.errors import InvalidData

    ids = pd.DataFrame({"id": [f"c{i}" for i in range(60)]})
    with pytest.raises(InvalidData) as raised:
        compare(ids, ids)
    assert str(raised.value) == "no column could be compared; check that the data sets match"


def test_summary_names_the_changed_columns_without_a_verdict_below_the_share():
    reference, current = shifted()
    reference["y"], current["y"] = reference.x, current.x
    reference["z"] = current["z"] = 1.0
    result = compare(reference, current, share_threshold=0.7)
    assert result.summary == "2 of 3 columns changed (67%): x, y."


def test_the_package_compare_passes_columns_and_thresholds_on():
    from mlprod.drift import compare as package_compare

    reference, current = shifted()
    reference["y"], current["y"] = reference.x, current.x
    result = package_compare(reference, current, ["x"], alpha=0.01, share_threshold=1.0)
    assert [column.column for column in result.columns] == ["x"]
    assert (result.thresholds["alpha"], result.thresholds["share_threshold"]) == (0.01, 1.0)


ONE = pd.DataFrame({"x": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": 0}, "alpha must be between 0 and 1, got 0"),
        ({"alpha": 1}, "alpha must be between 0 and 1, got 1"),
        ({"alpha": float("inf")}, "alpha must be a finite number, got inf"),
        ({"wasserstein_threshold": -0.1}, "wasserstein threshold must be non-negative, got -0.1"),
        ({"jensen_shannon_threshold": -1}, "jensen shannon threshold must be non-negative, got -1"),
        ({"psi_threshold": -0.5}, "psi threshold must be non-negative, got -0.5"),
        ({"share_threshold": 0}, "share threshold must be in (0, 1], got 0"),
        ({"share_threshold": 1.01}, "share threshold must be in (0, 1], got 1.01"),
        ({"bins": 1}, "bins must be a whole number of at least 2, got 1"),
        ({"bins": 2.5}, "bins must be a whole number of at least 2, got 2.5"),
        ({"bins": float("nan")}, "bins must be a finite number, got nan"),
    ],
)
def test_thresholds_out_of_range_are_refused_by_name(kwargs, message):
    from mlprod.errors import InvalidParameter

    with pytest.raises(InvalidParameter) as raised:
        compare(ONE, ONE, **kwargs)
    assert str(raised.value) == message
    assert raised.value.name == next(iter(kwargs))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.999},
        {"wasserstein_threshold": 0, "jensen_shannon_threshold": 0, "psi_threshold": 0},
        {"share_threshold": 1},
        {"bins": 2},
        {"bins": 3},
        {"bins": 4.0},
    ],
)
def test_thresholds_at_the_edge_of_their_range_are_accepted(kwargs):
    thresholds = compare(ONE, ONE, **kwargs).thresholds
    assert {name: thresholds[name] for name in kwargs} == kwargs
    assert isinstance(thresholds["bins"], int)


def test_an_all_missing_current_column_drifts_and_says_so():
    reference = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0)})
    current = pd.DataFrame({"a": [np.nan] * 10, "b": np.arange(10.0)})
    result = compare(reference, current)
    a, b = result.to_dict()["columns"]
    assert a == {
        "column": "a",
        "test": "none",
        "statistic": None,
        "p_value": None,
        "psi": None,
        "drift": True,
        "kind": "numeric",
        "summary": "no values in the current data",
        "findings": ["no values in the current data"],
        "n_reference": 0,
        "n_current": 0,
        "missing_reference": 0.0,
        "missing_current": 0.0,
        "effect": None,
        "effect_measure": None,
    }
    assert (b["column"], b["test"], b["drift"]) == ("b", "ks", False)
    assert result.summary == "1 of 2 columns changed (50%): a. The data set as a whole has drifted."


def test_one_current_value_is_enough_to_compare():
    (column,) = compare(pd.DataFrame({"x": np.arange(10.0)}), pd.DataFrame({"x": [4.0]})).columns
    assert (column.test, column.n_current, column.statistic) == ("ks", 1, 0.5)


@pytest.mark.parametrize("rows, test", [(50, "skipped"), (49, "chi-square")])
def test_distinct_text_from_fifty_rows_is_an_identifier(rows, test):
    reference = pd.DataFrame({"id": [f"c{i}" for i in range(rows)], "x": np.arange(rows * 1.0)})
    current = pd.DataFrame({"id": [f"c{i}" for i in range(rows)], "x": np.arange(rows * 1.0)})
    result = compare(reference, current)
    ident, x = result.to_dict()["columns"]
    assert (ident["column"], ident["test"], x["column"], x["test"]) == ("id", test, "x", "ks")
    if test == "skipped":
        summary = "every value is distinct, so it looks like an identifier; not compared"
        assert (ident["kind"], ident["drift"], ident["summary"]) == ("categorical", False, summary)
        assert ident["findings"] == [summary]
        assert result.summary == "No column changed materially (1 compared)."


def test_distinct_numbers_are_compared_not_skipped():
    (column,) = compare(pd.DataFrame({"x": np.arange(60.0)}), pd.DataFrame({"x": [1.0]})).columns
    assert column.test == "ks"


def test_repeated_text_is_compared_even_when_long():
    reference = pd.DataFrame({"c": [f"v{i % 59}" for i in range(60)]})
    (column,) = compare(reference, reference).columns
    assert column.test == "chi-square"


def test_unknown_columns_are_named_with_the_columns_there_are():
    from mlprod.errors import InvalidParameter

    reference = pd.DataFrame({"a": [1.0], "b": [1.0]})
    with pytest.raises(InvalidParameter) as raised:
        compare(reference, reference, ["a", "z", "y"])
    assert raised.value.name == "columns"
    assert str(raised.value) == (
        "columns names z, y, which neither data set has; columns are: a, b"
    )
    with pytest.raises(InvalidParameter) as raised:
        compare(reference, reference, exclude=["a", "b"])
    assert raised.value.name == "exclude"
    assert str(raised.value) == "exclude leaves no columns to compare; check it and columns"


def test_a_column_named_that_one_side_lacks_is_a_schema_change():
    reference = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]})
    result = compare(reference, reference[["a"]], ["b", "a"])
    assert [(c.column, c.test, c.drift) for c in result.columns] == [
        ("b", "schema", True),
        ("a", "ks", False),
    ]


@pytest.mark.parametrize("dtype", ["int8", "uint8", "Int8", "UInt8"])
def test_small_integer_types_do_not_overflow(dtype):
    # Parquet keeps narrow integer types; 100 + 120 does not fit in 8 bits.
    reference = pd.DataFrame({"x": pd.array([100, 120] * 10, dtype=dtype)})
    current = pd.DataFrame({"x": pd.array([120, 120] * 10, dtype=dtype)})
    (column,) = compare(reference, current).columns
    assert column.summary == "median 110 in the reference, 120 now"


def test_a_new_column_named_first_does_not_stop_the_others():
    reference = pd.DataFrame({"a": [1.0, 2.0]})
    current = pd.DataFrame({"a": [1.0, 2.0], "new": [1, 2]})
    result = compare(reference, current, ["new", "a"])
    assert [column.column for column in result.columns] == ["a"]
    assert result.findings == ["column 'new' is new in the current data; not compared"]


def test_as_many_missing_values_on_both_sides_is_no_finding():
    values = np.r_[np.arange(90.0), [np.nan] * 10]
    (column,) = compare(pd.DataFrame({"x": values}), pd.DataFrame({"x": values})).columns
    assert (column.missing_reference, column.missing_current) == pytest.approx((0.1, 0.1))
    assert column.findings == []
