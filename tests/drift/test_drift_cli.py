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
