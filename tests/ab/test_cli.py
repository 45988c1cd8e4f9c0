"""`mlprod ab` on the command line: what each sub-command prints, its help, and its refusal
of what would give a confident wrong answer (one line naming the row or the flag, exit 2)."""

import io
import json
import math

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


def refused_by_argparse(capsys, *args):
    """`mlprod ab ARGS` stopped by argparse: its exit code and its stderr."""
    from mlprod.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["ab", *map(str, args)])
    out, err = capsys.readouterr()
    assert out == ""
    return stop.value.code, err


# Each sub-command's help: every option with its metavar and a help text naming the default.
HELP = {
    "sample-size": [
        "--baseline-rate BASELINE_RATE control conversion rate, e.g. 0.05",
        "--std STD standard deviation of a continuous metric",
        "--baseline-mean BASELINE_MEAN control mean (with --std --relative)",
        "--mde MDE minimum detectable effect",
        "--relative --mde is relative to baseline",
        "--alpha ALPHA significance level (0.05)",
        "--power POWER statistical power (0.8)",
        "--ratio RATIO treatment/control units (1)",
        "--daily-units DAILY_UNITS units per day, to estimate duration",
    ],
    "assign": [
        "ID unit ids (or use --input)",
        "--input INPUT file with one unit id per line ('-': stdin)",
        "--salt SALT experiment name, unique per experiment",
        "--variants VARIANTS [VARIANTS ...] variant names",
        "--weights WEIGHTS [WEIGHTS ...] relative weights, e.g. 50 50 (equal)",
    ],
    "srm": [
        "--counts COUNTS [COUNTS ...] units per variant",
        "--weights WEIGHTS [WEIGHTS ...] designed split (equal)",
        "--threshold THRESHOLD alarm when p < (0.001)",
    ],
    "adjust": ["[--format {text,json}] P [P ...]", "P p-values", "--method {holm,fdr_bh} (holm)"],
    "analyze": [
        "[--format {text,json}] FILE",
        "FILE unit-level or aggregated rows",
        "--variant-col VARIANT_COL column naming the variant",
        "--control CONTROL name of the control variant",
        "--metric-col METRIC_COL metric column of unit-level rows",
        "--alpha ALPHA significance level (0.05)",
        "--weights NAME=W [NAME=W ...] designed split, e.g. control=50 B=50",
        "--srm-threshold SRM_THRESHOLD (0.001)",
        "--plot PATH write a PNG of the lifts",
    ],
}


SUMMARIES = {
    "sample-size": "units per variant to detect an effect",
    "assign": "deterministic variant for each unit id",
    "srm": "sample ratio mismatch check (chi-square)",
    "adjust": "adjust p-values for multiple testing",
    "analyze": "analyse experiment results (CSV/Parquet)",
}


@pytest.mark.parametrize("command", HELP)
def test_help_names_each_option_its_value_and_its_default(capsys, command):
    from mlprod.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["ab", command, "--help"])
    assert stop.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(f"usage: mlprod ab {command} [-h]")
    # The description repeats the summary of `mlprod ab --help`, before the arguments.
    assert (
        out.split(" positional arguments: ")[0]
        .split(" options: ")[0]
        .endswith(f" {SUMMARIES[command]}")
    )
    for entry in [*HELP[command], "--format {text,json} output format (text)"]:
        assert entry in out, entry


def test_help_lists_the_subcommands(capsys):
    from mlprod.cli import main

    with pytest.raises(SystemExit):
        main(["ab", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("usage: mlprod ab [-h] SUBCOMMAND ...")
    listing = " ".join(f"{command} {summary}" for command, summary in SUMMARIES.items())
    assert f"SUBCOMMAND {listing} options:" in out


def test_no_subcommand_prints_the_help_to_stderr_and_exits_2(cli):
    code, out, err = cli("ab")
    assert (code, out) == (2, "")
    assert err.startswith("usage: mlprod ab [-h] SUBCOMMAND ...")


@pytest.mark.parametrize(
    "args, flags",
    [
        (["sample-size", "--baseline-rate", "0.1"], "--mde"),
        (["assign", "u1"], "--salt"),
        (["srm"], "--counts"),
        (["analyze", "results.csv", "--control", "c"], "--variant-col"),
        (["analyze", "results.csv", "--variant-col", "variant"], "--control"),
    ],
)
def test_a_missing_required_option_is_a_usage_error(capsys, args, flags):
    code, err = refused_by_argparse(capsys, *args)
    assert code == 2
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(f"error: the following arguments are required: {flags}")
    )


@pytest.mark.parametrize(
    "args, choice",
    [
        (
            ["adjust", "0.1", "--method", "bonferroni"],
            "'bonferroni' (choose from 'holm', 'fdr_bh')",
        ),
        (["srm", "--counts", "5", "5", "--format", "xml"], "'xml' (choose from 'text', 'json')"),
    ],
)
def test_a_choice_outside_the_list_is_a_usage_error(capsys, args, choice):
    code, err = refused_by_argparse(capsys, *args)
    assert code == 2 and err.strip().endswith(f"invalid choice: {choice}")


def sample_size_text(cli, *args):
    code, out, err = cli("ab", "sample-size", *args)
    assert code == 0, err
    return out


def binomial_n(baseline, target, alpha=0.05, power=0.8, ratio=1.0):
    """Control units of the two-proportion test, from statsmodels."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    effect = proportion_effectsize(target, baseline)
    return math.ceil(NormalIndPower().solve_power(effect, alpha=alpha, power=power, ratio=ratio))


def test_sample_size_defaults_to_alpha_5_percent_power_80_percent_equal_split(cli):
    n = binomial_n(0.1, 0.12)
    assert (n, sample_size_text(cli, "--baseline-rate", "0.1", "--mde", "0.02")) == (
        3835,
        f"{n} units per variant, {2 * n} in total\n"
        "to detect an absolute effect of 0.02 with alpha 0.05 and power 0.8 (binomial metric).\n",
    )


def test_sample_size_of_an_unequal_split_counts_each_arm_and_the_days(cli):
    n = binomial_n(0.1, 0.12, ratio=2.0)
    args = ["--baseline-rate", "0.1", "--mde", "0.02", "--ratio", "2", "--daily-units", "1500"]
    assert sample_size_text(cli, *args) == (
        f"{n} control and {2 * n} treatment units, {3 * n} in total "
        f"({math.ceil(3 * n / 1500)} days at 1500 units/day)\n"
        "to detect an absolute effect of 0.02 with alpha 0.05 and power 0.8 (binomial metric).\n"
    )


def test_sample_size_reads_a_relative_mde_and_the_given_alpha_and_power(cli):
    n = binomial_n(0.1, 0.12, alpha=0.01, power=0.9)
    args = ["--baseline-rate", "0.1", "--mde", "0.2", "--relative", "--alpha", "0.01"]
    assert sample_size_text(cli, *args, "--power", "0.9") == (
        f"{n} units per variant, {2 * n} in total\n"
        "to detect an absolute effect of 0.02 with alpha 0.01 and power 0.9 (binomial metric).\n"
    )


def test_sample_size_json_is_the_result(cli):
    n = binomial_n(0.1, 0.12)
    out = sample_size_text(cli, "--baseline-rate", "0.1", "--mde", "0.02", "--format", "json")
    result = json.loads(out)
    assert (result["n_control"], result["n_treatment"], result["n_total"]) == (n, n, 2 * n)
    assert (result["alpha"], result["power"], result["ratio"], result["days"]) == (
        0.05,
        0.8,
        1,
        None,
    )


IDS = [f"u{index}" for index in range(1, 9)]


def test_assign_prints_a_tab_separated_line_per_id(cli):
    from mlprod.ab.assignment import Assigner

    code, out, err = cli("ab", "assign", "--salt", "s", *IDS)
    assert (code, err) == (0, "")
    expected = Assigner("s", ["control", "treatment"]).assign_many(IDS)
    assert out == "".join(f"{unit}\t{variant}\n" for unit, variant in expected)
    assert {variant for _, variant in expected} == {"control", "treatment"}


def test_assign_reads_ids_from_a_file_with_named_variants_and_weights(
    tmp_path, cli_json, monkeypatch
):
    from mlprod.ab.assignment import Assigner

    # The file is read as UTF-8 whatever the locale. Stand-in for an ASCII locale (LC_ALL=C
    # with UTF-8 mode off), in this process: a file opened without an encoding gets ASCII.
    text_encoding = io.text_encoding
    monkeypatch.setattr(io, "text_encoding", lambda enc, *a: text_encoding(enc or "ascii", *a))
    path = tmp_path / "ids.txt"
    path.write_text("  u1  \n\nu2\nü3\n", encoding="utf-8")
    args = ["--variants", "a", "b", "c", "--weights", "1", "2", "3", "--input", path]
    result = cli_json("ab", "assign", "--salt", "exp", "u0", *args)
    expected = Assigner("exp", ["a", "b", "c"], ["1", "2", "3"]).assign_many(
        ["u0", "u1", "u2", "ü3"]
    )
    assert result == {
        "salt": "exp",
        "assignments": [{"unit_id": unit, "variant": variant} for unit, variant in expected],
    }


def test_assign_reads_ids_from_stdin_given_as_dash(monkeypatch, cli):
    monkeypatch.setattr("sys.stdin", io.StringIO("u1\n u2\n\n"))
    code, out, _ = cli("ab", "assign", "--salt", "s", "--input", "-")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["u1", "u2"]


def test_assign_refuses_a_missing_input_file_and_no_ids(tmp_path, cli):
    code, out, err = cli("ab", "assign", "--salt", "s", "--input", tmp_path / "ids.txt")
    assert (code, out) == (2, "")
    assert err == (
        f"mlprod ab: error: {tmp_path / 'ids.txt'} does not exist; give a file of unit ids\n"
    )
    (tmp_path / "blank.txt").write_text("\n  \n")
    code, out, err = cli("ab", "assign", "--salt", "s", "--input", tmp_path / "blank.txt")
    assert (code, out) == (2, "")
    assert err == "mlprod ab: error: no unit ids; give them as arguments or with --input FILE\n"


def test_adjust_prints_each_p_value_beside_its_adjusted_value(cli):
    from statsmodels.stats.multitest import multipletests

    p_values = [0.01, 0.04, 0.03, 0.2]
    for method in ("holm", "fdr_bh"):
        code, out, _ = cli("ab", "adjust", *map(str, p_values), "--method", method)
        adjusted = multipletests(p_values, method=method)[1]
        assert code == 0
        assert out == "".join(f"{p:g}\t{a:.6g}\n" for p, a in zip(p_values, adjusted, strict=True))
    assert out.splitlines()[1] == "0.04\t0.0533333"


def test_adjust_json_names_the_method(cli_json):
    assert cli_json("ab", "adjust", "0.01", "0.04", "0.03", "0.2") == {
        "method": "holm",
        "adjusted": pytest.approx([0.04, 0.09, 0.09, 0.2]),
    }
    assert cli_json("ab", "adjust", "0.01", "0.04", "--method", "fdr_bh")["method"] == "fdr_bh"


THREE_ARMS = "variant,n,conversions\nc,1000,50\nt,1200,80\nu,1000,41\n"


def test_analyze_text_shows_each_arm_the_srm_check_the_notes_and_the_decision(tmp_path, cli):
    from scipy.stats import chisquare
    from statsmodels.stats.proportion import proportions_ztest

    code, out, err = analyze(tmp_path, cli, THREE_ARMS)
    assert (code, err) == (0, "")
    p_t = proportions_ztest([80, 50], [1200, 1000])[1]
    p_u = proportions_ztest([41, 50], [1000, 1000])[1]
    p_srm = chisquare([1000, 1200, 1000]).pvalue
    assert (f"{p_t:.3g}", f"{2 * p_t:.3g}", f"{p_u:.3g}", f"{p_srm:.3g}") == (
        "0.0988",
        "0.198",
        "0.334",
        "3.73e-06",
    )
    assert out.splitlines() == [
        "metric: binomial; control 'c': n = 1000, mean = 0.05",
        "  t: n = 1200, mean = 0.06667, lift = 0.01667 [95% CI -0.003205, 0.03632], "
        "relative +33.3% [95% CI -5.19%, +87.7%], p = 0.0988, adjusted p = 0.198",
        "  u: n = 1000, mean = 0.041, lift = -0.009 [95% CI -0.02771, 0.009431], "
        "relative -18% [95% CI -45.1%, +22.4%], p = 0.334, adjusted p = 0.334",
        "SRM check: p = 3.73e-06 (MISMATCH)",
        "note: pooled two-proportion z-test; intervals: score interval inverting the z-test "
        "(Mee for the difference, Miettinen-Nurminen for the ratio), so each interval "
        "excludes 0 exactly when p < alpha.",
        "note: 2 treatments: p-values are Holm-adjusted in p_value_adjusted; intervals are per "
        "comparison.",
        "Do not act on this result: the split of units between variants is not the designed "
        "one (sample ratio mismatch, p = 3.7e-06); find the cause in assignment or logging "
        "first.",
    ]


def test_analyze_weights_and_alpha_reach_the_analysis(tmp_path, cli):
    extra = ["--weights", "c=1", "t=1.2", "u=1", "--alpha", "0.1"]
    code, out, _ = analyze(tmp_path, cli, THREE_ARMS, *extra)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  t: n = 1200, mean = 0.06667, lift = 0.01667 [90% CI ")
    # The designed split is now the observed one.
    assert lines[3] == "SRM check: p = 1"


def test_analyze_weight_names_may_contain_an_equals_sign(tmp_path, cli):
    from scipy.stats import chisquare

    text = "variant,n,conversions\nc,1000,50\nt=2,1000,60\n"
    code, out, err = analyze(tmp_path, cli, text, "--weights", "c=1", "t=2=3")
    assert (code, err) == (0, "")
    p_srm = chisquare([1000, 1000], [500, 1500]).pvalue
    assert f"SRM check: p = {p_srm:.3g} (MISMATCH)" in out.splitlines()


@pytest.mark.parametrize("weight", ["=1", "c=x", "c50"])
def test_analyze_refuses_a_weight_that_is_not_name_equals_number(tmp_path, cli, weight):
    text = "variant,n,conversions\nc,1000,50\nt,1000,60\n"
    code, out, err = analyze(tmp_path, cli, text, "--weights", weight, "t=1")
    assert (code, out) == (2, "")
    assert err == f"mlprod ab: error: weight '{weight}' is not NAME=WEIGHT; write e.g. control=50\n"


UNITS = "variant,opened,revenue\nc,1,2.5\nc,0,0\nc,1,4\nc,0,1\nt,1,9\nt,1,3\nt,0,5\nt,1,7\n"


def test_analyze_reads_the_metric_column_it_is_given(tmp_path, cli):
    code, out, _ = analyze(tmp_path, cli, UNITS, "--metric-col", "revenue")
    assert code == 0
    assert out.splitlines()[:2] == [
        "metric: continuous; control 'c': n = 4, mean = 1.875",
        "  t: n = 4, mean = 6, lift = 4.125 [95% CI 0.1782, 8.072], relative +220% [no 95% CI], "
        "p = 0.0433, adjusted p = 0.0433",
    ]
    code, out, err = analyze(tmp_path, cli, UNITS)
    assert (code, out) == (2, "")
    assert (
        err
        == "mlprod ab: error: --metric-col is needed to tell the metric among: opened, revenue\n"
    )


@pytest.mark.parametrize(
    ("n_c", "n_t", "conversions"),
    [
        ("123456", "123457", ("6000", "6100")),
        ("1234567890123", "1234567890124", ("60000000000", "61000000000")),
    ],
)
def test_analyze_prints_counts_in_full(tmp_path, cli, n_c, n_t, conversions):
    text = f"variant,n,conversions\nc,{n_c},{conversions[0]}\nt,{n_t},{conversions[1]}\n"
    code, out, _ = analyze(tmp_path, cli, text)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"metric: binomial; control 'c': n = {n_c}, mean = 0.0486"
    assert lines[1].startswith(f"  t: n = {n_t}, mean = 0.04941, lift = ")


def test_analyze_with_a_zero_control_rate_prints_the_undefined_relative_lift(tmp_path, cli):
    code, out, _ = analyze(tmp_path, cli, "variant,n,conversions\nc,1000,0\nt,1000,5\n")
    assert code == 0
    assert out.splitlines()[1] == (
        "  t: n = 1000, mean = 0.005, lift = 0.005 [95% CI 0.001164, 0.01165], "
        "relative lift undefined (control mean 0), p = 0.0252, adjusted p = 0.0252"
    )


def test_analyze_refuses_a_plot_in_a_missing_directory_before_reading_the_file(tmp_path, cli):
    plot = tmp_path / "no" / "lifts.png"
    code, out, err = cli("ab", "analyze", tmp_path / "absent.csv", "--variant-col", "v",
                         "--control", "c", "--plot", plot)  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"mlprod ab: error: directory {tmp_path / 'no'} does not exist; create it or fix --plot\n"
    )


def test_a_plot_directory_removed_during_the_analysis_is_named_by_its_flag(
    tmp_path, monkeypatch, cli
):
    from mlprod.ab import analyze as analysis

    folder = tmp_path / "plots"
    folder.mkdir()
    real = analysis.analyze_file

    def analyze_then_remove_the_folder(*args, **kwargs):
        result = real(*args, **kwargs)
        folder.rmdir()
        return result

    monkeypatch.setattr(analysis, "analyze_file", analyze_then_remove_the_folder)
    code, out, err = analyze(tmp_path, cli, THREE_ARMS, "--plot", folder / "lifts.png")
    assert (code, out) == (2, "")
    assert err == f"mlprod ab: error: --plot is in {folder}, which does not exist; create it\n"
