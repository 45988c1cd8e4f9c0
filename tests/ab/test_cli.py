"""`mlprod ab` refuses what would give a confident wrong answer: one line, naming the row
or the flag, exit 2."""

import json

import pytest

TOTALS = {
    "blank conversions": (
        "variant,n,conversions\nc,1000,50\nt,1000,\n",
        "data row 2 (variant 't'): 'conversions' is blank",
    ),
    "blank n in one of two rows of a variant": (
        "variant,n,conversions\nc,1000,50\nt,500,40\nt,,40\n",
        "data row 3 (variant 't'): 'n' is blank",
    ),
    "blank sum_squares": (
        "variant,n,sum,sum_squares\nc,1000,5000,30000\nt,1000,5200,\n",
        "data row 2 (variant 't'): 'sum_squares' is blank",
    ),
    "blank variant": (
        "variant,n,conversions\nc,1000,50\n,1000,60\n",
        "data row 2 (no variant): the variant column 'variant' is blank",
    ),
    "sum_squares below sum**2 / n": (
        "variant,n,sum,sum_squares\nc,1000,5000,30000\nt,1000,5200,100\n",
        "data row 2 (variant 't'): 'sum_squares' is below sum**2 / n",
    ),
    "fractional n": (
        "variant,n,conversions\nc,1000.5,50\nt,1000,60\n",
        "data row 1 (variant 'c'): 'n' is not a whole number",
    ),
    "fractional conversions": (
        "variant,n,conversions\nc,1000,50\nt,1000,60.5\n",
        "data row 2 (variant 't'): 'conversions' is not a whole number",
    ),
    "infinite sum": (
        "variant,n,sum,sum_squares\nc,1000,inf,30000\nt,1000,5200,30000\n",
        "data row 1 (variant 'c'): 'sum' is not a finite number",
    ),
    "negative n": (
        "variant,n,conversions\nc,-1000,50\nt,1000,60\n",
        "data row 1 (variant 'c'): 'n' is negative",
    ),
    "duplicate column names": (
        "variant,n,conversions,n\nc,1000,50,3\nt,1000,60,4\n",
        "names column 'n' more than once",
    ),
    "infinite unit-level metric": (
        "variant,y\nc,1\nc,2\nt,inf\nt,2\n",
        "data row 3: metric 'y' is inf",
    ),
}


@pytest.mark.parametrize("text, message", TOTALS.values(), ids=TOTALS.keys())
def test_unusable_results_file_is_refused_naming_the_row(tmp_path, cli, text, message):
    path = tmp_path / "results.csv"
    path.write_text(text)
    code, out, err = cli("ab", "analyze", path, "--variant-col", "variant", "--control", "c")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err, err


OPTIONS = [
    (["sample-size", "--std", "nan", "--mde", "1"], "--std must be a finite number"),
    (["sample-size", "--std", "2", "--mde", "inf"], "--mde must be a finite number"),
    (["sample-size", "--baseline-rate", "nan", "--mde", "0.01"], "--baseline-rate must be"),
    (["sample-size", "--baseline-rate", "0.1", "--mde", "inf"], "--mde must be a finite"),
    (["sample-size", "--baseline-rate", "0.1", "--mde", "0.01", "--ratio", "nan"], "--ratio"),
    (["sample-size", "--baseline-rate", "0.1", "--mde", "0.01", "--alpha", "nan"], "--alpha"),
    (["sample-size", "--baseline-rate", "0.1", "--mde", "0.01", "--power", "inf"], "--power"),
    (
        ["sample-size", "--std", "2", "--mde", "0.1", "--relative", "--baseline-mean", "nan"],
        "--baseline-mean must be a finite number",
    ),
    (
        ["sample-size", "--baseline-rate", "0.1", "--mde", "0.01", "--daily-units", "nan"],
        "--daily-units must be a finite number",
    ),
    (["srm", "--counts", "nan", "100"], "--counts must be whole numbers"),
    (["srm", "--counts", "100", "inf"], "--counts must be whole numbers"),
    (["srm", "--counts", "100.5", "100"], "--counts must be whole numbers"),
    (["srm", "--counts", "100", "100", "--weights", "nan", "1"], "--weights must be positive"),
    (["srm", "--counts", "100", "100", "--weights", "inf", "1"], "--weights must be positive"),
    (["srm", "--counts", "100", "100", "--threshold", "nan"], "--threshold must be a finite"),
    (["adjust", "0.01", "nan"], "P must lie in [0, 1]"),
    (["assign", "u1", "--salt", "s", "--weights", "nan", "1"], "--weights ['nan', '1'] are not"),
]


@pytest.mark.parametrize("args, message", OPTIONS, ids=[" ".join(a) for a, _ in OPTIONS])
def test_non_finite_options_are_refused_naming_the_flag(cli, args, message):
    code, out, err = cli("ab", *args)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err, err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--weights", "c=nan", "t=1"], "--weights must be positive numbers"),
        (["--alpha", "nan"], "--alpha must be a finite number"),
        (["--srm-threshold", "inf"], "--srm-threshold must be a finite number"),
        (["--control", "z"], "--control 'z' is not a variant of the data: c, t"),
        (["--variant-col", "arm"], "--variant-col 'arm' is not a column of"),
    ],
)
def test_analyze_options_are_refused_naming_the_flag(tmp_path, cli, extra, message):
    path = tmp_path / "results.csv"
    path.write_text("variant,n,conversions\nc,1000,30\nt,1000,0\n")
    args = ["--variant-col", "variant", "--control", "c"]
    code, out, err = cli("ab", "analyze", path, *args, *extra)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err, err


def analyze(tmp_path, cli, text, *extra):
    path = tmp_path / "results.csv"
    path.write_text(text)
    return cli("ab", "analyze", path, "--variant-col", "variant", "--control", "c", *extra)


def test_no_conversions_in_the_treatment_keeps_a_relative_interval(tmp_path, cli):
    code, out, _ = analyze(tmp_path, cli, "variant,n,conversions\nc,1000,30\nt,1000,0\n")
    assert code == 0
    assert "relative -100% [95% CI -100%, -87.2%]" in out
    assert "lift = -0.03 [95% CI -0.0425, -0.02109]" in out


def test_zero_control_rate_says_the_relative_lift_is_undefined(tmp_path, cli):
    text = "variant,n,conversions\nc,1000,0\nt,1000,5\n"
    code, out, _ = analyze(tmp_path, cli, text)
    assert code == 0
    assert "relative lift undefined (control mean 0)" in out and "n/a%" not in out
    assert out.strip().splitlines()[-1] == (
        "Ship 't': it moves the metric from 0 to 0.005 (p = 0.025), "
        "a significant improvement over 'c'."
    )
    row = json.loads(analyze(tmp_path, cli, text, "--format", "json")[1])["variants"][0]
    assert row["lift_rel"] is None and row["ci_rel_low"] is None


def test_output_names_the_test_and_the_interval_method(tmp_path, cli):
    text = "variant,n,conversions\nc,83,5\nt,99,12\n"
    _, out, _ = analyze(tmp_path, cli, text)
    assert "note: pooled two-proportion z-test; intervals: score interval inverting" in out
    row = json.loads(analyze(tmp_path, cli, text, "--format", "json")[1])["variants"][0]
    assert row["test"] == "pooled two-proportion z-test"
    assert row["interval"].startswith("score interval inverting the z-test")
    # The known answer (statsmodels' proportions_ztest docstring) is the p-value shown.
    assert row["p_value"] == pytest.approx(0.159, abs=5e-4)
    assert row["ci_low"] < 0 < row["ci_high"] and row["ci_rel_low"] < 0 < row["ci_rel_high"]


def test_readme_worked_example_is_what_analyze_prints(tmp_path, cli):
    from bakery import REPO_ROOT

    text = "variant,n,conversions\nc,83,5\nt,99,12\n"
    row = json.loads(analyze(tmp_path, cli, text, "--format", "json")[1])["variants"][0]
    sentence = (
        f"z = {row['statistic']:.3f}, p = {row['p_value']:.3f}, a difference of "
        f"{row['lift_abs']:+.3f} [95% CI {row['ci_low']:+.3f}, {row['ci_high']:+.3f}] and a "
        f"relative lift\nof {row['lift_rel']:+.0%} [{row['ci_rel_low']:+.0%}, "
        f"{row['ci_rel_high']:+.0%}]"
    )
    assert sentence in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
