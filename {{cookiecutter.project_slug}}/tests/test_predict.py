"""Batch prediction, run through its command-line entry point on real files."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }} import data, model_io, predict, schema, tables
from {{ cookiecutter.module_name }}.config import PredictionLogParams
from {{ cookiecutter.module_name }}.errors import UsageError
from {{ cookiecutter.module_name }}.predict import main, predict_file
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
from {{ cookiecutter.module_name }}.sample import make_sample
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES


@pytest.fixture(autouse=True)
def log_folder(project_root, tmp_path_factory, monkeypatch):
    """The project's params.yaml, with the prediction log in a folder of the test's own."""
    folder = tmp_path_factory.mktemp("prediction-log")
    params = yaml.safe_load((project_root / "params.yaml").read_text(encoding="utf-8"))
    params["prediction_log"]["directory"] = str(folder / "log")
    (folder / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    monkeypatch.setattr(predict, "PARAMS_FILE", folder / "params.yaml")
    return folder / "log"


@pytest.fixture
def model_file(artifact, tmp_path):
    path = tmp_path / "model.skops"
    model_io.save(artifact, path)
    return path


@pytest.fixture
def new_rows() -> pd.DataFrame:
    return make_sample(250, seed=31).drop(columns=[schema.TARGET])


def run(model_file, *args: str) -> int:
    return main([*map(str, args), "--model", str(model_file), "--chunk-rows", "100"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_row_is_scored_in_order_with_the_model_version(
    model_file, new_rows, tmp_path, suffix, artifact
):
    source, output = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    if suffix == ".csv":
        new_rows.to_csv(source, index=False)
    else:
        new_rows.to_parquet(source, index=False)
    assert run(model_file, source, output) == 0
    scored = tables.read_table(output)
    assert scored[schema.ID_COLUMN].tolist() == new_rows[schema.ID_COLUMN].tolist()
    assert list(scored.columns) == [schema.ID_COLUMN, "prediction", "probability", "model_version"]
    assert set(scored["model_version"]) == {model_io.load(model_file).version}
    expected = artifact.score(new_rows)[1]
    assert scored["probability"].to_numpy() == pytest.approx(expected)


def test_chunking_does_not_change_the_result(model_file, new_rows, tmp_path):
    source = tmp_path / "in.csv"
    new_rows.head(40).to_csv(source, index=False)  # 5 chunks of 7 and a last one of 5
    assert (
        main(
            [str(source), str(tmp_path / "a.csv"), "--model", str(model_file), "--chunk-rows", "7"]
        )
        == 0
    )
    assert (
        main(
            [
                str(source),
                str(tmp_path / "b.csv"),
                "--model",
                str(model_file),
                "--chunk-rows",
                "1000",
            ]
        )
        == 0
    )
    chunked = pd.read_csv(tmp_path / "a.csv")
    assert len(chunked) == 40
    pd.testing.assert_frame_equal(chunked, pd.read_csv(tmp_path / "b.csv"))


def test_csv_output_quotes_text_and_reads_back(model_file, new_rows, tmp_path):
    rows = new_rows.head(3).assign(customer_id=["C1", 'say "hi", then go', "C3"])
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    rows.to_csv(source, index=False)
    assert main([str(source), str(output), "--model", str(model_file), "--chunk-rows", "1"]) == 0
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"customer_id","prediction","probability","model_version"'
    assert lines[1].startswith('"C1",') and lines[3].startswith('"C3",')
    assert pd.read_csv(output)["customer_id"].tolist() == rows["customer_id"].tolist()


def write_with_bad_rows(new_rows, path):
    bad = new_rows.astype(object)
    bad.loc[150, "send_hour"] = 24
    bad.loc[160, "channel"] = "fax"
    bad.to_csv(path, index=False)


def test_bad_row_stops_the_run_naming_row_and_column_and_leaves_no_output(
    model_file, new_rows, tmp_path, capsys
):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    write_with_bad_rows(new_rows, source)
    assert run(model_file, source, output) == 1
    error = capsys.readouterr().err
    assert "row 151, column 'send_hour': value 24" in error
    assert error.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "model.skops"]


def test_skip_invalid_writes_bad_rows_aside_with_the_reason(model_file, new_rows, tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    write_with_bad_rows(new_rows, source)
    assert run(model_file, source, output, "--skip-invalid") == 0
    scored = pd.read_csv(output)
    rejected = pd.read_csv(tmp_path / "out.rejected.csv")
    assert len(scored) == len(new_rows) - 2
    assert (
        rejected[schema.ID_COLUMN].tolist() == new_rows[schema.ID_COLUMN].iloc[[150, 160]].tolist()
    )
    assert "send_hour" in rejected["error"].iloc[0] and "channel" in rejected["error"].iloc[1]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_chunk_of_only_bad_rows_is_set_aside_and_the_rest_scored(
    model_file, new_rows, tmp_path, suffix
):
    source, output = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    bad = new_rows.astype(object)
    bad.loc[:109, "send_hour"] = 99  # the whole first chunk of 100 rows, and 10 of the next
    bad.to_csv(source, index=False)
    assert run(model_file, source, output, "--skip-invalid") == 0
    scored = tables.read_table(output)
    rejected = pd.read_csv(tmp_path / "out.rejected.csv")
    assert scored[schema.ID_COLUMN].tolist() == new_rows[schema.ID_COLUMN].iloc[110:].tolist()
    assert scored["probability"].between(0, 1).all()
    assert rejected[schema.ID_COLUMN].tolist() == new_rows[schema.ID_COLUMN].iloc[:110].tolist()


def test_a_row_is_set_aside_once_with_every_reason(new_rows):
    chunk = new_rows.head(3).astype({"channel": object})
    chunk.loc[1, ["send_hour", "channel"]] = [25, "fax"]
    valid, rejected = predict.split_valid(chunk, data.feature_schema(), skip_invalid=True)
    assert valid.index.tolist() == [0, 2]
    assert rejected["error"].tolist() == [
        "send_hour: fails in_range(0, 23); "
        "channel: fails isin(('newsletter', 'promotion', 'transactional'))"
    ]


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_valid_chunk_sets_nothing_aside(new_rows, skip_invalid):
    chunk = new_rows.head(3)
    valid, rejected = predict.split_valid(chunk, data.feature_schema(), skip_invalid)
    assert valid.index.tolist() == [0, 1, 2] and rejected.empty


def test_text_in_a_number_column_is_set_aside_like_any_bad_value(new_rows):
    chunk = new_rows.head(4).astype({"past_opens_30d": object})
    chunk.loc[2, "past_opens_30d"] = "many"
    valid, rejected = predict.split_valid(chunk, data.feature_schema(), skip_invalid=True)
    assert valid.index.tolist() == [0, 1, 3]
    assert rejected.index.tolist() == [2]
    assert rejected["error"].tolist() == ["past_opens_30d: fails coerce_dtype('float64')"]


def test_missing_column_cannot_be_skipped(model_file, new_rows, tmp_path, capsys):
    source = tmp_path / "in.csv"
    new_rows.drop(columns=["weekday"]).to_csv(source, index=False)
    assert run(model_file, source, tmp_path / "out.csv", "--skip-invalid") == 1
    assert "column 'weekday' is missing" in capsys.readouterr().err


def test_input_without_ids_or_with_shuffled_columns_is_scored(model_file, new_rows, tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    features = new_rows[list(reversed(schema.FEATURE_NAMES))]
    features.to_csv(source, index=False)
    assert run(model_file, source, output) == 0
    assert list(pd.read_csv(output).columns) == ["prediction", "probability", "model_version"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.txt", "x", "unknown file type '.txt'"),
        ("empty.csv", ",".join(schema.FEATURE_NAMES) + "\n", "holds no rows"),
    ],
)
def test_unusable_input_is_refused(model_file, tmp_path, capsys, name, content, message):
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    assert run(model_file, source, tmp_path / "out.csv") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_missing_model_is_reported(tmp_path, new_rows, capsys):
    source = tmp_path / "in.csv"
    new_rows.to_csv(source, index=False)
    assert (
        main([str(source), str(tmp_path / "out.csv"), "--model", str(tmp_path / "none.skops")]) == 1
    )
    assert "run the pipeline first" in capsys.readouterr().err


def test_formula_leading_text_is_neutralised_in_csv_outputs(model_file, new_rows, tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = new_rows.head(6).astype(object)
    rows[schema.ID_COLUMN] = ["=1+1", "+SUM(A1)", "-2+cmd|' /C calc'!A0", "@x", "\tTAB", "-42"]
    rows.loc[5, "channel"] = "=HYPERLINK(0)"  # a bad row: it goes to .rejected.csv
    rows.to_csv(source, index=False)
    assert run(model_file, source, output, "--skip-invalid") == 0
    scored = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert scored[schema.ID_COLUMN].tolist() == ["'=1+1", "'+SUM(A1)", "'-2+cmd|' /C calc'!A0",
                                                "'@x", "'\tTAB"]  # fmt: skip
    rejected = pd.read_csv(tmp_path / "out.rejected.csv", dtype=str)
    assert rejected[schema.ID_COLUMN].tolist() == ["-42"]  # a plain number stays as it is
    assert rejected["channel"].tolist() == ["'=HYPERLINK(0)"]


def test_an_existing_output_is_replaced_only_with_force_and_the_input_never(
    model_file, new_rows, tmp_path, capsys
):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    new_rows.to_csv(source, index=False)
    output.write_text("keep me")
    assert run(model_file, source, output) == 2
    refusal = f"predict: {output} exists; give FORCE=1 (--force) to replace it\n"
    assert capsys.readouterr().err == refusal
    assert output.read_text() == "keep me"
    assert run(model_file, source, output, "--force") == 0
    assert output.read_text().startswith('"customer_id"')
    before = source.read_bytes()
    assert run(model_file, source, tmp_path / "." / "in.csv", "--force") == 2
    assert "is the input file" in capsys.readouterr().err
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "model.skops", "out.csv"]


def test_a_header_wider_than_max_columns_is_refused_unread(artifact, tmp_path):
    source = tmp_path / "wide.csv"
    source.write_text(",".join(f"c{i}" for i in range(50)) + "\n" + "1," * 49 + "1\n")
    with pytest.raises(UsageError, match=r"has 50 columns, over predict.max_columns \(10\)"):
        predict_file(source, tmp_path / "o.csv", artifact, 100, max_columns=10)
    source.write_text("x" * 5000)  # one line, no end: refused after 10 * 256 bytes
    with pytest.raises(UsageError, match="header line longer than 2560 bytes"):
        predict_file(source, tmp_path / "o.csv", artifact, 100, max_columns=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.csv"]


def test_batch_scoring_logs_every_row_even_through_a_small_queue(tmp_path, artifact):
    rows = make_sample(300, seed=11)[list(FEATURE_NAMES)]
    source = tmp_path / "in.csv"
    rows.assign(customer_id=[f"C{i}" for i in range(len(rows))]).to_csv(source, index=False)
    params = PredictionLogParams(
        enabled=True, directory=tmp_path / "log", queue_rows=50, roll_bytes=10**8,
        roll_seconds=60.0, hash_salt="s",
    )  # fmt: skip
    log = PredictionLog(params).start()
    predict_file(source, tmp_path / "out.csv", artifact, chunk_rows=40, progress=False, log=log)
    log.close()
    logged = pd.read_parquet(tmp_path / "log")
    logged = logged.sort_values("customer_id", key=lambda ids: ids.str[1:].astype(int))
    scored = pd.read_csv(tmp_path / "out.csv")
    assert log.dropped == 0 and len(logged) == len(rows) == 300
    assert logged["probability"].tolist() == pytest.approx(scored["probability"].tolist())
    assert len(set(logged["request_id"])) == 1 and set(logged["variant"]) == {"champion"}


def test_make_predict_logs_the_run(model_file, new_rows, tmp_path, log_folder):
    new_rows.to_csv(tmp_path / "in.csv", index=False)
    assert run(model_file, tmp_path / "in.csv", tmp_path / "out.parquet") == 0
    logged = pd.read_parquet(log_folder)
    assert len(logged) == len(new_rows)
    assert logged["customer_id"].tolist() == new_rows["customer_id"].astype(str).tolist()


def test_a_batch_run_queues_one_chunk_for_the_log_at_most(
    model_file, new_rows, tmp_path, monkeypatch
):
    """A batch run waits for the writer, so a queue deeper than one chunk only holds memory."""
    queues = []

    class Recording(PredictionLog):
        def __init__(self, params, **kwargs):
            queues.append(params.queue_rows)
            super().__init__(params, **kwargs)

    monkeypatch.setattr(predict, "PredictionLog", Recording)
    new_rows.to_csv(tmp_path / "in.csv", index=False)
    for chunk_rows in ("60", "1000000"):
        out = tmp_path / f"out-{chunk_rows}.csv"
        assert main([str(tmp_path / "in.csv"), str(out), "--model", str(model_file),
                     "--chunk-rows", chunk_rows]) == 0  # fmt: skip
    assert queues == [60, 100_000]  # the chunk, or params' queue_rows when that is smaller
