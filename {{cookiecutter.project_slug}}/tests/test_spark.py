"""Batch prediction and drift monitoring on a real local Spark (one session for the module),
against the pandas scorer and monitor on the same files: same predictions, same rejected
rows, same drift verdicts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.module_name }} import (
    data,
    model_io,
    monitoring,
    predict,
    schema,
    spark_monitor,
    spark_predict,
)
from {{ cookiecutter.module_name }}.config import PredictionLogParams
from {{ cookiecutter.module_name }}.errors import DataError, UsageError
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog, hash_value
from {{ cookiecutter.module_name }}.sample import make_sample


@pytest.fixture(scope="module")
def spark():
    session = spark_predict.session("tests")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def model_file(artifact, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.skops"
    model_io.save(artifact, path)
    return path


@pytest.fixture(scope="module")
def model_bytes(model_file) -> bytes:
    return model_file.read_bytes()


@pytest.fixture(scope="module")
def saved(model_file) -> model_io.ModelArtifact:
    """The model as both engines load it: its version is the hash of the file."""
    return model_io.load(model_file)


@pytest.fixture(scope="module")
def rows_with_bad_ones() -> pd.DataFrame:
    """20,000 rows, of which three break the schema in three ways."""
    rows = make_sample(20_000, seed=5).drop(columns=[schema.TARGET]).astype({"send_hour": object})
    rows.loc[3, "send_hour"] = None  # empty
    rows.loc[4000, "tenure_months"] = -5  # out of range
    rows.loc[15000, "weekday"] = "Funday"  # a category unseen in training
    return rows


def read_csv_folder(folder) -> pd.DataFrame:
    """Spark's CSV output: one file per partition, each with its header."""
    parts = sorted(folder.glob("part-*.csv"))
    return pd.concat([pd.read_csv(part, dtype=str) for part in parts], ignore_index=True)


def pandas_scores(source, tmp_path, artifact):
    output = tmp_path / "pandas.parquet"
    counts = predict.predict_file(source, output, artifact, 5000, skip_invalid=True)
    rejected = pd.read_csv(predict.rejected_path(output), dtype=str)
    return counts, pd.read_parquet(output), rejected


def spark_scores(spark, source, tmp_path, model_bytes):
    output = tmp_path / "spark.parquet"
    counts = spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes, True)
    rejected = read_csv_folder(Path(spark_predict.rejected_path(str(output))))
    return counts, pd.read_parquet(output), rejected


def assert_same(pandas_result, spark_result):
    (pandas_counts, pandas_scored, pandas_rejected) = pandas_result
    (spark_counts, spark_scored, spark_rejected) = spark_result
    assert spark_counts == pandas_counts
    by_id = spark_scored.set_index(schema.ID_COLUMN).loc[pandas_scored[schema.ID_COLUMN]]
    assert list(spark_scored.columns) == list(pandas_scored.columns)
    assert (by_id["prediction"].to_numpy() == pandas_scored["prediction"].to_numpy()).all()
    gap = abs(by_id["probability"].to_numpy() - pandas_scored["probability"].to_numpy())
    assert gap.max() <= 1e-12
    assert set(spark_scored["model_version"]) == set(pandas_scored["model_version"])
    reasons = ["customer_id", "error"]
    assert (
        spark_rejected[reasons].sort_values("customer_id").to_numpy().tolist()
        == pandas_rejected[reasons].sort_values("customer_id").to_numpy().tolist()
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_spark_writes_the_pandas_predictions_and_rejections(
    spark, model_bytes, saved, rows_with_bad_ones, tmp_path, suffix
):
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        rows_with_bad_ones.to_csv(source, index=False)
    else:
        rows_with_bad_ones.astype({"send_hour": "float64"}).to_parquet(source, index=False)
    pandas_result = pandas_scores(source, tmp_path, saved)
    assert pandas_result[0] == {"scored": 19_997, "rejected": 3}
    rejected = pandas_result[2].set_index("customer_id")["error"]
    assert "weekday: fails isin" in rejected[rows_with_bad_ones.loc[15000, "customer_id"]]
    assert_same(pandas_result, spark_scores(spark, source, tmp_path, model_bytes))


def test_a_bad_row_stops_the_run_naming_it_and_writes_nothing(
    spark, model_bytes, rows_with_bad_ones, tmp_path
):
    source = tmp_path / "in.csv"
    rows_with_bad_ones.to_csv(source, index=False)
    output = tmp_path / "out.parquet"
    with pytest.raises(DataError) as refused:
        spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes)
    first = rows_with_bad_ones.loc[3, "customer_id"]
    assert f"the row with customer_id '{first}'" in str(refused.value)
    assert "send_hour: fails not_nullable" in str(refused.value)
    assert "and 2 more rows" in str(refused.value)
    assert not output.exists()


def test_a_partitioned_parquet_folder_with_an_empty_part_is_scored_whole(
    spark, model_bytes, saved, tmp_path
):
    rows = make_sample(3000, seed=9).drop(columns=[schema.TARGET])
    folder = tmp_path / "batch"
    rows.to_parquet(folder, partition_cols=["channel"], index=False)
    # An empty part, as a writer leaves for a partition that got no rows: same columns.
    part_schema = pq.read_schema(next((folder / "channel=newsletter").iterdir()))
    pq.write_table(part_schema.empty_table(), folder / "channel=newsletter" / "empty.parquet")
    whole = tmp_path / "whole.parquet"
    rows.to_parquet(whole, index=False)
    pandas_counts = predict.predict_file(whole, tmp_path / "p.parquet", saved, 1000)
    counts = spark_predict.predict_on_spark(
        spark, str(folder), str(tmp_path / "s.parquet"), model_bytes
    )
    assert counts == pandas_counts == {"scored": 3000, "rejected": 0}
    expected = pd.read_parquet(tmp_path / "p.parquet").set_index(schema.ID_COLUMN)
    scored = pd.read_parquet(tmp_path / "s.parquet").set_index(schema.ID_COLUMN)
    gap = abs(scored["probability"] - expected.loc[scored.index, "probability"])
    assert gap.max() <= 1e-12


def test_a_missing_column_is_refused_before_any_work(spark, model_bytes, tmp_path):
    source = tmp_path / "in.csv"
    make_sample(50, seed=2).drop(columns=[schema.TARGET, "send_hour"]).to_csv(source, index=False)
    output = tmp_path / "out.csv"
    with pytest.raises(DataError, match=r"in.csv: column 'send_hour' is missing; fix the data"):
        spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes)
    assert not output.exists()


def test_outputs_are_guarded_as_on_the_pandas_engine(spark, model_bytes, tmp_path):
    rows = make_sample(40, seed=3).drop(columns=[schema.TARGET])
    rows[schema.ID_COLUMN] = rows[schema.ID_COLUMN].astype(str)
    rows.loc[0, schema.ID_COLUMN] = "=HYPERLINK(1)"
    rows.loc[1, schema.ID_COLUMN] = "-7"
    source = tmp_path / "in.csv"
    rows.to_csv(source, index=False)
    before = source.read_bytes()
    with pytest.raises(UsageError, match=r"in.csv is the input; give another output"):
        spark_predict.predict_on_spark(spark, str(source), str(source), model_bytes, force=True)
    assert source.read_bytes() == before
    output = tmp_path / "out.csv"
    spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes)
    ids = set(read_csv_folder(output)[schema.ID_COLUMN])
    assert {"'=HYPERLINK(1)", "-7"} <= ids
    assert "=HYPERLINK(1)" not in ids
    with pytest.raises(UsageError, match=r"out.csv exists; give FORCE=1 \(--force\) to replace"):
        spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes)
    again = spark_predict.predict_on_spark(spark, str(source), str(output), model_bytes, force=True)
    assert again == {"scored": 40, "rejected": 0}


def shifted(rows: pd.DataFrame) -> pd.DataFrame:
    """Longer tenures and more promotions: a material, significant change of two features."""
    rows = rows.copy()
    rows["tenure_months"] = (rows["tenure_months"] * 1.5).round().clip(0, 600)
    promoted = rows.index % 3 == 0
    rows.loc[promoted, "channel"] = "promotion"
    return rows


@pytest.mark.parametrize("change", ["none", "shift"])
def test_spark_monitor_gives_the_pandas_verdicts_from_counts(spark, sample, tmp_path, change):
    batch = make_sample(20_000, seed=21).drop(columns=[schema.TARGET])
    if change == "shift":
        batch = shifted(batch)
    source = tmp_path / "batch.parquet"
    batch.to_parquet(source, index=False)
    expected = monitoring.check_drift(sample, data.validate(batch, data.feature_schema()))
    result = spark_monitor.check_drift_on_spark(spark, sample, str(source))
    assert [c.column for c in result.drifted] == [c.column for c in expected.drifted]
    assert [c.column for c in expected.drifted] == (
        ["tenure_months", "channel"] if change == "shift" else []
    )
    assert result.summary == expected.summary
    for got, want in zip(result.columns, expected.columns, strict=True):
        assert got.statistic == pytest.approx(want.statistic, rel=1e-9)
        assert got.effect == pytest.approx(want.effect, rel=1e-9)


def test_spark_monitor_refuses_a_bad_row_in_one_line(spark, sample, tmp_path):
    batch = make_sample(500, seed=4).drop(columns=[schema.TARGET])
    batch.loc[10, "weekday"] = "Funday"
    source = tmp_path / "batch.csv"
    batch.to_csv(source, index=False)
    with pytest.raises(DataError, match=r"batch.csv: row 11, column 'weekday': value 'Funday'"):
        spark_monitor.check_drift_on_spark(spark, sample, str(source))


def log_settings(directory, **changes) -> PredictionLogParams:
    values = dict(enabled=True, directory=directory, queue_rows=10**6, roll_bytes=10**8,
                  roll_seconds=60.0, hash_salt="s")  # fmt: skip
    return PredictionLogParams(**{**values, **changes})


def test_spark_logs_the_scored_rows_as_the_pandas_engine_does(
    spark, model_bytes, saved, rows_with_bad_ones, tmp_path
):
    source = tmp_path / "in.csv"
    rows_with_bad_ones.to_csv(source, index=False)
    settings = log_settings(tmp_path / "spark-log", hashed=(schema.ID_COLUMN, "channel"))
    counts = spark_predict.predict_on_spark(
        spark, str(source), str(tmp_path / "s.parquet"), model_bytes, True, log=settings
    )
    pandas_log = PredictionLog(settings.model_copy(update={"directory": tmp_path / "p-log"}))
    predict.predict_file(source, tmp_path / "p.parquet", saved, 5000, True, log=pandas_log.start())
    pandas_log.close()

    files = sorted(path.name for path in (tmp_path / "spark-log").iterdir())
    assert files and all(not name.startswith(".") and name.endswith(".parquet") for name in files)
    spark_file = pq.read_schema(tmp_path / "spark-log" / files[0])
    (pandas_file,) = (tmp_path / "p-log").iterdir()
    assert spark_file.equals(pq.read_schema(pandas_file))  # names, order and types
    logged = pd.read_parquet(tmp_path / "spark-log").set_index(schema.ID_COLUMN).sort_index()
    expected = pd.read_parquet(pandas_file).set_index(schema.ID_COLUMN).sort_index()
    assert counts["scored"] == len(logged) == len(expected) == 19_997
    assert logged.index.tolist() == expected.index.tolist()  # hashed alike
    assert hash_value(rows_with_bad_ones.loc[0, "customer_id"], "s") in logged.index
    compared = ["send_hour", "weekday", "tenure_months", "past_opens_30d", "channel",
                "prediction", "model_version", "variant", "served"]  # fmt: skip
    assert logged[compared].equals(expected[compared])
    assert (logged["probability"] - expected["probability"]).abs().max() <= 1e-12
    assert logged["request_id"].nunique() == logged["timestamp"].nunique() == 1


def test_spark_monitor_checks_the_logs_new_rows_once(spark, sample, tmp_path, capsys):
    import time

    log = tmp_path / "log"
    writer = PredictionLog(log_settings(log)).start()
    batch = make_sample(4000, seed=23).drop(columns=[schema.TARGET])
    for shadow in (False, True):  # the shadow scores are not inputs: left out
        writer.record({name: batch[name].tolist() for name in schema.FEATURE_NAMES},
                      [0] * len(batch), [0.5] * len(batch), request_id="r",
                      model_version="v", variant="champion", served=not shadow)  # fmt: skip
    writer.close()
    time.sleep(2.1)  # past the rows a writer may still hold
    reference = tmp_path / "train.parquet"
    sample.to_parquet(reference)
    common = ["--log", str(log), "--reference", str(reference),
              "--report", str(tmp_path / "drift.json")]  # fmt: skip
    assert spark_monitor.main(common) == 0
    out = capsys.readouterr().out
    assert "monitor: 4000 logged rows from the start to " in out
    expected = monitoring.check_drift(sample, data.validate(batch, data.feature_schema()))
    assert f"monitor: {expected.summary} Drifted columns: none." in out
    assert spark_monitor.main(common) == 2  # nothing new since: the state was kept
    assert "monitor: no prediction log rows in " in capsys.readouterr().err
