import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare, ttest_ind
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from mlprod import tables
from mlprod.ab.analyze import analyze_arms, analyze_file
from mlprod.ab.sufficient import ArmStats
from mlprod.errors import UsageError


def conversions(seed=0, n=6000, rates=None):
    rates = rates or {"control": 0.10, "B": 0.13, "C": 0.10}
    rng = np.random.default_rng(seed)
    variant = rng.choice(list(rates), n)
    p = np.array([rates[v] for v in variant])
    return pd.DataFrame({"variant": variant, "opened": (rng.random(n) < p).astype(int)})


def revenue(seed=1, n=4000):
    rng = np.random.default_rng(seed)
    variant = rng.choice(["0", "1"], n)
    return pd.DataFrame({"arm": variant, "revenue": rng.gamma(2, 5, n) + (variant == "1") * 0.8})


def test_unit_level_binary_matches_direct_computation(tmp_path):
    frame = conversions()
    frame.to_csv(tmp_path / "units.csv", index=False)
    result = analyze_file(tmp_path / "units.csv", "variant", "control").to_dict()
    assert result["metric_type"] == "binomial"
    sums = frame.groupby("variant")["opened"].agg(["sum", "count"])
    raw = []
    for row in result["variants"]:
        name = row["name"]
        _, p = proportions_ztest(
            [sums.at[name, "sum"], sums.at["control", "sum"]],
            [sums.at[name, "count"], sums.at["control", "count"]],
        )
        raw.append(p)
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
        assert row["n"] == sums.at[name, "count"]
        assert row["ci_low"] < row["lift_abs"] < row["ci_high"]
    expected = multipletests(raw, method="holm")[1]
    assert [row["p_value_adjusted"] for row in result["variants"]] == pytest.approx(expected)
    assert "Ship 'B'" in result["decision"]


def test_continuous_parquet_with_numeric_labels_matches_welch(tmp_path):
    frame = revenue()
    frame["arm"] = frame["arm"].astype(int)
    frame.to_parquet(tmp_path / "units.parquet")
    result = analyze_file(tmp_path / "units.parquet", "arm", "0").to_dict()
    assert result["metric_type"] == "continuous"
    (row,) = result["variants"]
    expected = ttest_ind(
        frame.loc[frame.arm == 1, "revenue"], frame.loc[frame.arm == 0, "revenue"], equal_var=False
    )
    assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-8)
    assert row["p_value_adjusted"] == row["p_value"]


def test_many_small_batches_give_the_same_statistics(tmp_path, monkeypatch):
    frame = revenue(n=20_000)
    frame.to_csv(tmp_path / "units.csv", index=False)
    frame.to_parquet(tmp_path / "units.parquet", row_group_size=1000)
    whole = analyze_file(tmp_path / "units.csv", "arm", "0").to_dict()
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", 4096)
    monkeypatch.setattr(tables, "BATCH_ROWS", 777)
    for name in ("units.csv", "units.parquet"):
        pieces = analyze_file(tmp_path / name, "arm", "0").to_dict()
        assert pieces["variants"][0]["std"] == pytest.approx(whole["variants"][0]["std"], 1e-10)
        assert pieces["variants"][0]["p_value"] == pytest.approx(whole["variants"][0]["p_value"])


def test_aggregated_binomial_rows_equal_unit_level(tmp_path):
    frame = conversions(rates={"control": 0.1, "B": 0.12})
    frame.to_csv(tmp_path / "units.csv", index=False)
    daily = frame.assign(day=np.arange(len(frame)) % 3).groupby(["variant", "day"])["opened"]
    daily.agg(n="count", conversions="sum").reset_index().to_csv(tmp_path / "agg.csv")
    units = analyze_file(tmp_path / "units.csv", "variant", "control").to_dict()
    agg = analyze_file(tmp_path / "agg.csv", "variant", "control").to_dict()
    assert agg["variants"][0]["p_value"] == pytest.approx(units["variants"][0]["p_value"])
    assert agg["variants"][0]["n"] == units["variants"][0]["n"]


def test_aggregated_continuous_rows_equal_unit_level(tmp_path):
    frame = revenue()
    frame.to_csv(tmp_path / "units.csv", index=False)
    stats = frame.groupby("arm")["revenue"].agg(
        n="count", sum="sum", sum_squares=lambda v: (v**2).sum()
    )
    stats.reset_index().to_parquet(tmp_path / "agg.parquet")
    units = analyze_file(tmp_path / "units.csv", "arm", "0").to_dict()
    agg = analyze_file(tmp_path / "agg.parquet", "arm", "0").to_dict()
    assert agg["metric_type"] == "continuous"
    assert agg["variants"][0]["p_value"] == pytest.approx(units["variants"][0]["p_value"], 1e-6)


def test_broken_split_overrides_the_decision(tmp_path):
    frame = conversions(rates={"control": 0.1, "B": 0.2}, n=4000)
    frame = pd.concat([frame, frame[frame.variant == "control"].iloc[:600]])
    frame.to_csv(tmp_path / "units.csv", index=False)
    result = analyze_file(tmp_path / "units.csv", "variant", "control").to_dict()
    assert result["srm"]["srm"] is True
    assert result["decision"].startswith("Do not act")


def test_rows_without_metric_are_left_out_and_reported(tmp_path):
    (tmp_path / "units.csv").write_text("v,y\nA,1\nA,0\nB,1\nB,\n,1\nB,0\nA,1\nB,1\n")
    result = analyze_file(tmp_path / "units.csv", "v", "A").to_dict()
    assert result["variants"][0]["n"] == 3
    assert result["notes"][0] == "2 of 8 rows had no variant or no metric value and were left out."


@pytest.mark.parametrize(
    "text, kwargs, message",
    [
        (
            "v,y\nA,1\nB,0\n",
            {"variant_col": "arm"},
            "variant col 'arm' is not a column of {path}: v, y",
        ),
        ("v,y\nA,1\nB,0\n", {"control": "Z"}, "control 'Z' is not a variant of the data: A, B"),
        ("v,y\nA,1\nA,0\n", {}, "only the control 'A' is in the data; nothing to compare"),
        ("v,y\nA,x\nB,y\n", {}, "metric column 'y' holds string values; it must be numeric or 0/1"),
        ("v,y,z\nA,1,1\nB,0,1\n", {}, "metric col is needed to tell the metric among: y, z"),
        ("v\nA\nB\n", {}, "metric col is needed to tell the metric among: none"),
        ("v,y\nA,1\nB,0\n", {"metric_col": "z"}, "metric col 'z' is not a column of {path}: v, y"),
        ("v,y\n", {}, "{path} has no rows; give a file with one row per unit"),
        (
            "v,n,conversions\nA,10,11\nB,10,1\n",
            {},
            "{path}, data row 1 (variant 'A'): more conversions than units (n); fix the file",
        ),
        # A variant column named like a statistic's column still selects that layout.
        (
            "n,conversions\nA,1\nB,0\n",
            {"variant_col": "n"},
            "column 'n' must be numeric in {path}; fix the file",
        ),
        (
            "n,sum,sum_squares\nA,1,1\nB,2,3\n",
            {"variant_col": "n"},
            "column 'n' must be numeric in {path}; fix the file",
        ),
    ],
)
def test_bad_files_get_one_line_errors(tmp_path, text, kwargs, message):
    path = tmp_path / "f.csv"
    path.write_text(text)
    args = {"variant_col": "v", "control": "A", **kwargs}
    with pytest.raises(UsageError) as error:
        analyze_file(path, args.pop("variant_col"), args.pop("control"), **args)
    assert str(error.value) == message.format(path=path)


def test_cli_json_shape_and_plot(tmp_path, cli):
    conversions().to_parquet(tmp_path / "units.parquet")
    plot = tmp_path / "lifts.png"
    code, out, err = cli(
        "ab",
        "analyze",
        tmp_path / "units.parquet",
        "--variant-col",
        "variant",
        "--control",
        "control",
        "--metric-col",
        "opened",
        "--plot",
        plot,
        "--format",
        "json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert {"variants", "srm", "decision"} <= set(result)
    keys = {"name", "n", "mean", "lift_abs", "lift_rel", "ci_low", "ci_high", "p_value"}
    assert all(keys <= set(row) for row in result["variants"])
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_cli_text_ends_with_the_decision(tmp_path, cli):
    conversions().to_csv(tmp_path / "units.csv", index=False)
    code, out, _ = cli(
        "ab", "analyze", tmp_path / "units.csv", "--variant-col", "variant", "--control", "control"
    )
    assert code == 0 and out.strip().splitlines()[-1].startswith("Ship 'B'")


@pytest.mark.parametrize(
    "args",
    [
        ["missing.csv", "--variant-col", "v", "--control", "A"],
        ["data.txt", "--variant-col", "v", "--control", "A"],
        ["data.csv", "--variant-col", "v", "--control", "A", "--plot", "no/such/dir/p.png"],
        ["data.csv", "--variant-col", "v", "--control", "A", "--weights", "A50"],
    ],
)
def test_cli_bad_input_is_one_line_without_traceback(tmp_path, monkeypatch, cli, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("v,y\nA,1\nA,0\nB,1\nB,0\n")
    (tmp_path / "data.txt").write_text("v,y\n")
    code, out, err = cli("ab", "analyze", *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_variant_named_like_a_tex_macro_is_plotted_as_text(tmp_path, cli):
    units = conversions()
    units["variant"] = units["variant"].replace("B", r"$\undefinedmacro$")
    units.to_csv(tmp_path / "units.csv", index=False)
    plot = tmp_path / "lifts.png"
    code, _, err = cli(
        "ab", "analyze", tmp_path / "units.csv", "--variant-col", "variant",
        "--control", "control", "--plot", plot,
    )  # fmt: skip
    assert code == 0, err
    assert plot.read_bytes().startswith(b"\x89PNG")


def rates(counts, n=10_000):
    """Binomial arms of `n` units each, from conversions per variant."""
    return {name: ArmStats.from_sums(n, x, x, binary=True) for name, x in counts.items()}


def holm_p(counts, n=10_000, control="control"):
    """Holm-adjusted pooled z-test p-values (statsmodels), treatments in name order."""
    names = sorted(name for name in counts if name != control)
    raw = [proportions_ztest([counts[v], counts[control]], [n, n])[1] for v in names]
    adjusted = multipletests(raw, method="holm")[1] if len(raw) > 1 else raw
    return dict(zip(names, adjusted, strict=True))


def test_the_largest_significant_improvement_is_shipped():
    # Both treatments win; 'C' wins by more and is named last, so neither order nor the
    # first winner can pick it by accident.
    counts = {"control": 1000, "B": 1150, "C": 1300}
    result = analyze_arms(rates(counts), "control")
    p = holm_p(counts)["C"]
    assert p < 0.05 and holm_p(counts)["B"] < 0.05
    assert result.decision == (
        f"Ship 'C': it moves the metric from 0.1 to 0.13 (+30.0% relative, p = {p:.2g}), "
        "a significant improvement over 'control'."
    )


def test_only_significant_losers_are_named_and_a_non_significant_gain_is_not_shipped():
    counts = {"control": 1300, "B": 1000, "C": 1250, "D": 1310, "E": 900}
    p = holm_p(counts)
    assert p["B"] < 0.05 and p["E"] < 0.05 and p["C"] > 0.05 and p["D"] > 0.05
    result = analyze_arms(rates(counts), "control")
    assert result.decision == (
        "Keep 'control': 'B', 'E' significantly lowered the metric, and no treatment improved it."
    )
    assert [row["significant"] for row in result.variants] == [True, False, False, True]


def test_no_significant_difference_keeps_the_control_for_now():
    counts = {"control": 1000, "B": 960, "C": 1040}
    assert min(holm_p(counts).values()) > 0.05
    result = analyze_arms(rates(counts), "control")
    assert result.decision == (
        "Keep 'control' for now: no treatment differs significantly from it; the effect "
        "may be smaller than this sample can detect, so run longer if a smaller effect matters."
    )


def test_a_sample_ratio_mismatch_decision_gives_its_p_value():
    arms = rates({"control": 600, "B": 900}, n=6000)
    arms["B"] = ArmStats.from_sums(4000, 900, 900, binary=True)
    result = analyze_arms(arms, "control")
    p = chisquare([6000, 4000]).pvalue
    assert result.srm["p_value"] == pytest.approx(p, rel=1e-9)
    assert result.decision == (
        "Do not act on this result: the split of units between variants is not the "
        f"designed one (sample ratio mismatch, p = {p:.2g}); find the cause "
        "in assignment or logging first."
    )


def test_default_alpha_is_five_percent():
    # 'B' has p = 0.0455: significant at the default 0.05 only.
    counts = {"control": 1000, "B": 1085}
    p = holm_p(counts)["B"]
    assert 0.04 < p < 0.05
    result = analyze_arms(rates(counts), "control")
    assert result.alpha == 0.05 and result.variants[0]["significant"] is True
    assert analyze_arms(rates(counts), "control", alpha=0.04).variants[0]["significant"] is False


def test_a_p_value_equal_to_alpha_is_not_significant():
    arms = rates({"control": 1000, "B": 1085})
    p = analyze_arms(arms, "control").variants[0]["p_value"]
    assert analyze_arms(arms, "control", alpha=p).variants[0]["significant"] is False
    at_a_hair_above = analyze_arms(arms, "control", alpha=p * (1 + 1e-9))
    assert at_a_hair_above.variants[0]["significant"] is True


def test_alpha_sets_the_level_of_both_intervals():
    counts = {"control": 1000, "B": 1100}
    row = analyze_arms(rates(counts), "control", alpha=0.1).variants[0]
    low, high = confint_proportions_2indep(
        1100, 10_000, 1000, 10_000, compare="ratio", method="score", correction=False, alpha=0.1
    )
    assert (row["ci_rel_low"], row["ci_rel_high"]) == pytest.approx((low - 1, high - 1), rel=1e-9)

    rng = np.random.default_rng(3)
    c, t = rng.normal(10, 2, 40), rng.normal(11, 3, 60)
    arms = {
        "c": ArmStats.from_sums(40, c.sum(), (c**2).sum(), binary=False),
        "t": ArmStats.from_sums(60, t.sum(), (t**2).sum(), binary=False),
    }
    row = analyze_arms(arms, "c", alpha=0.1).variants[0]
    expected = CompareMeans(DescrStatsW(t), DescrStatsW(c)).tconfint_diff(
        alpha=0.1, usevar="unequal"
    )
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.1])
def test_alpha_outside_zero_one_is_refused(alpha):
    with pytest.raises(UsageError) as error:
        analyze_arms(rates({"control": 10, "B": 20}), "control", alpha=alpha)
    assert str(error.value) == f"alpha must be between 0 and 1, got {alpha}"


@pytest.mark.parametrize("threshold", [0, 1, 1.5, -0.1])
def test_srm_threshold_outside_zero_one_is_refused(threshold):
    with pytest.raises(UsageError) as error:
        analyze_arms(rates({"control": 10, "B": 20}), "control", srm_threshold=threshold)
    assert str(error.value) == f"srm threshold must be between 0 and 1, got {threshold}"


def test_srm_threshold_and_weights_reach_the_check():
    # 10000 against 11000 units: chi-square 47.6, p = 5.2e-12; against a 10:11 design, 0.
    arms = rates({"control": 1000, "B": 1000})
    arms["B"] = ArmStats.from_sums(11_000, 1100, 1100, binary=True)
    assert analyze_arms(arms, "control").srm["srm"] is True
    designed = analyze_arms(arms, "control", weights={"control": 10, "B": 11}).srm
    assert designed["srm"] is False and designed["statistic"] == pytest.approx(0, abs=1e-9)
    assert designed["expected"] == pytest.approx([10_000, 11_000])
    assert designed["variants"] == ["control", "B"]
    # 1000 against 1100: p = 0.0291, an alarm only with a threshold above it.
    arms = {
        "control": ArmStats.from_sums(1000, 100, 100, binary=True),
        "B": ArmStats.from_sums(1100, 110, 110, binary=True),
    }
    assert analyze_arms(arms, "control").srm["srm"] is False
    loose = analyze_arms(arms, "control", srm_threshold=0.05).srm
    assert loose["srm"] is True and loose["threshold"] == 0.05


@pytest.mark.parametrize(
    "weights, message",
    [
        (
            {"control": 1, "B": 1, "Z": 1},
            "weights must name every variant once (control, B, C); unknown: ['Z'], missing: ['C']",
        ),
        (
            {"control": 1, "B": 1, "C": 1, "Z": 1},
            "weights must name every variant once (control, B, C); unknown: ['Z'], missing: none",
        ),
        (
            {"control": 1, "B": 1},
            "weights must name every variant once (control, B, C); unknown: none, missing: ['C']",
        ),
    ],
)
def test_weights_must_name_every_variant(weights, message):
    with pytest.raises(UsageError) as error:
        analyze_arms(rates({"control": 10, "C": 10, "B": 10}), "control", weights=weights)
    assert str(error.value) == message


def test_an_unknown_control_lists_the_variants_or_none():
    with pytest.raises(UsageError) as error:
        analyze_arms(rates({"b": 10, "a": 10}), "c")
    assert str(error.value) == "control 'c' is not a variant of the data: a, b"
    with pytest.raises(UsageError) as error:
        analyze_arms({}, "c")
    assert str(error.value) == "control 'c' is not a variant of the data: none"


def test_each_variant_needs_two_units():
    arms = rates({"control": 1, "B": 1}, n=2)
    assert analyze_arms(arms, "control").variants[0]["n"] == 2
    arms["B"] = ArmStats.from_sums(1, 1, 1, binary=True)
    with pytest.raises(UsageError) as error:
        analyze_arms(arms, "control")
    assert str(error.value) == "variant 'B' has 1 units; each needs at least 2"


def test_notes_name_the_method_and_the_holm_adjustment():
    one = analyze_arms(rates({"control": 1000, "B": 1100}), "control")
    method = (
        "pooled two-proportion z-test; intervals: score interval inverting the z-test (Mee "
        "for the difference, Miettinen-Nurminen for the ratio), so each interval excludes 0 "
        "exactly when p < alpha."
    )
    assert one.notes == [method]
    two = analyze_arms(rates({"control": 1000, "B": 1100, "C": 1000}), "control")
    assert two.notes == [
        method,
        "2 treatments: p-values are Holm-adjusted in p_value_adjusted; "
        "intervals are per comparison.",
    ]


def test_a_control_mean_near_zero_is_noted_as_giving_no_relative_interval():
    arms = {
        "c": ArmStats.from_sums(100, 0.5, 30.0, binary=False),
        "t": ArmStats.from_sums(100, 20.0, 50.0, binary=False),
    }
    result = analyze_arms(arms, "c")
    assert math.isnan(result.variants[0]["ci_rel_low"])
    assert result.notes[1:] == [
        "no interval for the relative lift where the control mean (0.005) cannot be told "
        "from 0: the ratio to it is unbounded."
    ]


def test_a_comparison_without_a_p_value_does_not_stop_the_others():
    # No conversion in 'control' nor 'B': their z-test is undefined (NaN), not an error.
    arms = rates({"control": 0, "B": 0, "C": 30}, n=1000)
    result = analyze_arms(arms, "control")
    b, c = result.variants
    assert math.isnan(b["p_value"]) and b["significant"] is False
    assert c["p_value"] == pytest.approx(proportions_ztest([30, 0], [1000, 1000])[1], rel=1e-9)
    alone = analyze_arms(rates({"control": 0, "B": 0}, n=1000), "control").variants[0]
    assert math.isnan(alone["p_value_adjusted"]) and alone["significant"] is False


def test_control_row_gives_its_spread():
    units = np.array([3.0, 5.0, 10.0, 2.0])
    arms = {
        "c": ArmStats.from_sums(4, units.sum(), (units**2).sum(), binary=False),
        "t": ArmStats.from_sums(3, 9.0, 29.0, binary=False),
    }
    control = analyze_arms(arms, "c").to_dict()["control"]
    assert control == {"name": "c", "n": 4, "mean": 5.0, "std": pytest.approx(units.std(ddof=1))}


def test_comparisons_with_a_p_value_are_holm_adjusted_when_another_has_none():
    # 'B' and 'control' have no conversion: that z-test is undefined. 'C' and 'D' remain two
    # tests, and a family of two is what Holm must correct for; shipping on their raw
    # p-values would double the chance of a false win.
    counts = {"control": 0, "B": 0, "C": 4, "D": 4}
    raw = [proportions_ztest([counts[v], 0], [1000, 1000])[1] for v in ("C", "D")]
    expected = multipletests(raw, method="holm")[1]
    assert min(raw) < 0.05 < min(expected)
    result = analyze_arms(rates(counts, n=1000), "control")
    b, c, d = result.variants
    assert math.isnan(b["p_value_adjusted"])
    assert [c["p_value_adjusted"], d["p_value_adjusted"]] == pytest.approx(expected, rel=1e-9)
    assert result.decision.startswith("Keep 'control' for now")
