import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from bakery import run_subprocess


def write(path, n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{seed}-{i}" for i in range(n)],
            "tenure_months": rng.exponential(20 * (1 + shift), n),
            "past_opens_30d": rng.poisson(3 + 3 * shift, n),
            "channel": rng.choice(
                ["newsletter", "promotion"], n, p=[0.6 - shift / 3, 0.4 + shift / 3]
            ),
        }
    )
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


def test_json_shape_and_exit_code_when_the_dataset_drifts(tmp_path, cli):
    reference = write(tmp_path / "train.csv", 3000, 0)
    current = write(tmp_path / "batch.parquet", 2000, 1, shift=1.0)
    code, out, err = cli("drift", reference, current, "--format", "json")
    result = json.loads(out)
    assert code == 1, err
    assert result["dataset_drift"] is True and result["share_drifted"] == 1
    assert [c["column"] for c in result["columns"] if c["drift"]] == [
        "tenure_months",
        "past_opens_30d",
        "channel",
    ]


def test_same_distribution_exits_zero_and_says_so(tmp_path, cli):
    code, out, _ = cli(
        "drift", write(tmp_path / "a.csv", 3000, 0), write(tmp_path / "b.csv", 3000, 1)
    )
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("No column changed")


def test_report_embeds_one_chart_per_drifted_column(tmp_path, cli):
    reference = write(tmp_path / "train.csv", 3000, 0)
    current = write(tmp_path / "batch.csv", 2000, 1, shift=1.0)
    report = tmp_path / "drift.html"
    code, _, _ = cli(
        "drift",
        reference,
        current,
        "--columns",
        "tenure_months",
        "channel",
        "--report",
        report,
        "--fail-on",
        "never",
    )
    assert code == 0
    html = report.read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(images) == 2
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
    assert "How to read this" in html and "2 of 2 columns changed" in html


@pytest.mark.parametrize(
    "files, extra",
    [
        (("missing.csv", "a.csv"), []),
        (("a.csv", "empty.csv"), []),
        (("a.csv", "header.csv"), []),
        (("a.csv", "a.txt"), []),
        (("a.csv", "a.csv"), ["--columns", "nope"]),
        (("a.csv", "a.csv"), ["--report", "no/dir/r.html"]),
        (("a.csv", "a.csv"), ["--share", "0"]),
        (("a.csv", "a.csv"), ["--share", "nan"]),
        (("a.csv", "a.csv"), ["--alpha", "nan"]),
        (("a.csv", "a.csv"), ["--psi-threshold", "nan"]),
        (("a.csv", "a.csv"), ["--wasserstein-threshold", "inf"]),
        (("a.csv", "a.csv"), ["--jensen-shannon-threshold", "nan"]),
        (("a.csv", "dup.csv"), []),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, monkeypatch, cli, files, extra):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.csv", 100, 0)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("tenure_months,channel\n")
    (tmp_path / "a.txt").write_text("x\n")
    (tmp_path / "dup.csv").write_text("channel,channel\na,b\n")
    code, out, err = cli("drift", *files, *extra)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_runs_as_a_command(tmp_path):
    reference = write(tmp_path / "a.csv", 500, 0)
    result = run_subprocess("drift", str(reference), str(reference), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["share_drifted"] == 0


@pytest.mark.parametrize(
    "flag, parameter",
    [
        ("--psi-threshold", "psi threshold"),
        ("--wasserstein-threshold", "wasserstein threshold"),
        ("--jensen-shannon-threshold", "jensen shannon threshold"),
        ("--share", "share threshold"),
    ],
)
def test_the_library_names_the_parameter_and_the_command_the_flag(tmp_path, cli, flag, parameter):
    from mlprod.drift import compare
    from mlprod.errors import InvalidParameter

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    keyword = flag.lstrip("-").replace("-", "_").replace("share", "share_threshold")
    with pytest.raises(InvalidParameter) as raised:
        compare(frame, frame, **{keyword: float("nan")})
    assert str(raised.value) == f"{parameter} must be a finite number, got nan"
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    code, _, err = cli("drift", path, path, flag, "nan")
    assert code == 2
    assert err == f"mlprod drift: error: {flag} must be a finite number, got nan\n"


def test_a_category_named_like_a_tex_macro_is_drawn_as_text(tmp_path, cli):
    reference = write(tmp_path / "train.csv", 3000, 0)
    current = write(tmp_path / "batch.csv", 2000, 1, shift=1.0)
    frame = pd.read_csv(current)
    frame.loc[: len(frame) // 2, "channel"] = r"$\undefinedmacro$"
    frame.to_csv(current, index=False)
    report = tmp_path / "drift.html"
    code, _, err = cli(
        "drift", reference, current, "--columns", "channel", "--report", report,
        "--fail-on", "never",
    )  # fmt: skip
    assert code == 0, err
    assert r"$\undefinedmacro$" in report.read_text()
    assert len(re.findall(r"data:image/png;base64,", report.read_text())) == 1


def small_pair(tmp_path):
    """A numeric shift, a categorical change below the threshold, a vanished column, a
    constant column half missing now, and a new column."""
    reference = pd.DataFrame(
        {"x": [1.0, 2, 3] * 20, "c": ["a", "b"] * 30, "gone": [1] * 60, "flat": [5.0] * 60}
    )
    current = pd.DataFrame(
        {
            "x": [4.0, 5, 6] * 20,
            "c": ["a", "b", "a"] * 20,
            "new": [1] * 60,
            "flat": [5.0] * 30 + [None] * 30,
        }
    )
    reference.to_csv(tmp_path / "ref.csv", index=False)
    current.to_csv(tmp_path / "cur.csv", index=False)
    return tmp_path / "ref.csv", tmp_path / "cur.csv"


TEXT = """\
DRIFT x: ks statistic 1, p = 2.07e-35, Wasserstein/sd 3.67, PSI 17.3; median 2 in the reference, 5 now
ok    c: chi-square statistic 3.429, p = 0.0641, Jensen-Shannon 0.12, PSI 0.116; largest change: 'b' from 50.0% of rows to 33.3%
DRIFT gone: schema; missing from the current data
ok    flat: ks statistic 0, p = 1, Wasserstein/sd 0, PSI 4.6; median 5 in the reference, 5 now
      note: constant in the reference (always 5)
      note: missing values: 0.0% in the reference, 50.0% now
note: column 'new' is new in the current data; not compared
2 of 4 columns changed (50%): x, gone. The data set as a whole has drifted.
"""  # noqa: E501


def test_text_output_line_by_line(tmp_path, cli):
    code, out, err = cli("drift", *small_pair(tmp_path))
    assert (code, err) == (1, "")
    assert out == TEXT


@pytest.mark.parametrize(
    "extra, code",
    [
        ([], 1),
        (["--fail-on", "dataset"], 1),
        (["--fail-on", "never"], 0),
        (["--share", "0.9"], 0),
        (["--share", "0.9", "--fail-on", "column"], 1),
        (["--share", "0.9", "--fail-on", "never"], 0),
        (["--columns", "c", "--fail-on", "column"], 0),
        (["--columns", "c", "x", "--fail-on", "column", "--share", "1"], 1),
    ],
)
def test_exit_code_follows_fail_on(tmp_path, cli, extra, code):
    assert cli("drift", *small_pair(tmp_path), *extra)[0] == code


def test_every_threshold_flag_reaches_the_comparison(tmp_path, cli):
    flags = ["--alpha", "0.1", "--wasserstein-threshold", "0.2"]
    flags += ["--jensen-shannon-threshold", "0.3", "--psi-threshold", "0.4"]
    flags += ["--share", "0.6", "--bins", "5", "--exclude", "flat", "--format", "json"]
    code, out, err = cli("drift", *small_pair(tmp_path), *flags)
    assert (code, err) == (1, "")
    result = json.loads(out)
    assert result["thresholds"] == {
        "alpha": 0.1,
        "wasserstein_threshold": 0.2,
        "jensen_shannon_threshold": 0.3,
        "psi_threshold": 0.4,
        "share_threshold": 0.6,
        "bins": 5,
        "alpha_per_column": 0.05,
    }
    assert [column["column"] for column in result["columns"]] == ["x", "c", "gone"]
    assert result["findings"] == ["column 'new' is new in the current data; not compared"]


def test_defaults_are_the_documented_thresholds(tmp_path, cli):
    code, out, _ = cli("drift", *small_pair(tmp_path), "--columns", "x", "c", "--format", "json")
    assert code == 1
    assert json.loads(out)["thresholds"] == {
        "alpha": 0.05,
        "wasserstein_threshold": 0.1,
        "jensen_shannon_threshold": 0.1,
        "psi_threshold": None,
        "share_threshold": 0.5,
        "bins": 10,
        "alpha_per_column": 0.025,
    }


def test_columns_reads_only_those_columns(tmp_path, cli):
    code, out, _ = cli("drift", *small_pair(tmp_path), "--columns", "c", "--format", "json")
    result = json.loads(out)
    assert code == 0
    assert [column["column"] for column in result["columns"]] == ["c"]
    assert result["findings"] == []
    assert result["summary"] == "No column changed materially (1 compared)."


def test_a_report_in_a_missing_directory_is_refused_before_reading(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("drift", "missing.csv", "missing.csv", "--report", "nodir/r.html")
    assert (code, out) == (2, "")
    assert err == "mlprod drift: error: directory nodir does not exist; create it first\n"
    assert not (tmp_path / "nodir").exists()


HELP = """\
usage: mlprod drift [-h] [--columns COLUMNS [COLUMNS ...]] [--exclude EXCLUDE [EXCLUDE ...]]
                    [--alpha ALPHA] [--wasserstein-threshold WASSERSTEIN_THRESHOLD]
                    [--jensen-shannon-threshold JENSEN_SHANNON_THRESHOLD]
                    [--psi-threshold PSI_THRESHOLD] [--share SHARE_THRESHOLD] [--bins BINS]
                    [--report PATH] [--fail-on {dataset,column,never}] [--format {text,json}]
                    REFERENCE CURRENT

drift between a reference and a current data set

positional arguments:
  REFERENCE             CSV or Parquet file, or Parquet folder
  CURRENT               CSV or Parquet file, or Parquet folder

options:
  -h, --help            show this help message and exit
  --columns COLUMNS [COLUMNS ...]
                        columns to compare (all)
  --exclude EXCLUDE [EXCLUDE ...]
                        columns to leave out
  --alpha ALPHA         family-wise level (0.05)
  --wasserstein-threshold WASSERSTEIN_THRESHOLD
                        smallest Wasserstein distance, in reference standard deviations, that
                        makes a numeric change material (0.1)
  --jensen-shannon-threshold JENSEN_SHANNON_THRESHOLD
                        smallest Jensen-Shannon distance that makes a categorical change material
                        (0.1)
  --psi-threshold PSI_THRESHOLD
                        also require this PSI (off: PSI reads higher on small batches)
  --share SHARE_THRESHOLD
                        share of drifted columns that makes the data set drift (0.5)
  --bins BINS           PSI quantile bins (10)
  --report PATH         write an HTML report
  --fail-on {dataset,column,never}
                        exit 1 when the data set drifts (default), when any column does, or never
  --format {text,json}
"""


def test_help(capsys, monkeypatch):
    from mlprod.cli import main

    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exit_:
        main(["drift", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == HELP


def test_columns_leaves_out_a_column_the_files_disagree_on(tmp_path, cli):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name in ("reference", "current"):
        (tmp_path / name).mkdir()
        pq.write_table(pa.table({"x": [1.0, 2.0, 3.0], "y": [1, 2, 3]}), tmp_path / name / "a.pq")
        pq.write_table(pa.table({"x": [1.0, 2.0, 3.0], "y": list("abc")}), tmp_path / name / "b.pq")
    paths = tmp_path / "reference", tmp_path / "current"
    code, out, err = cli("drift", *paths, "--columns", "x", "--format", "json")
    assert (code, err) == (0, "")
    assert [column["column"] for column in json.loads(out)["columns"]] == ["x"]
    code, out, err = cli("drift", *paths)
    assert (code, out) == (2, "")
    assert err == (
        f"mlprod drift: error: {paths[0]}: its Parquet files disagree on the type of column 'y'; "
        "write it with one type in all of them\n"
    )
