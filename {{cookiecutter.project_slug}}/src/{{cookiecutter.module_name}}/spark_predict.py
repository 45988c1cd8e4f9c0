"""Batch prediction on Apache Spark: the same model, checks and output as predict.py, on a cluster.

    python -m {{ cookiecutter.module_name }}.spark_predict INPUT OUTPUT [--skip-invalid] [--force]
        [--model PATH|URI]

INPUT is a CSV or Parquet file, or a directory of them (a partitioned data set); OUTPUT is
written as Spark writes: a directory of part files in INPUT's format family (.csv or
.parquet, from OUTPUT's name), which pandas and Spark both read back as one table. Rejected
rows go to the sibling `<name>.rejected.csv` directory with their reasons.

Each Python worker loads the model once, from bytes broadcast once per executor, and scores
Arrow batches with predict.split_valid and predict.predictions: the validation and encoding
are the pandas scorer's own, so both engines give the same predictions and rejections.
Without --skip-invalid a bad row stops the run before anything is written, naming the row.
As with predict.py, OUTPUT is replaced only with --force and never when it names INPUT, and
text cells of CSV outputs that a spreadsheet would run as formulas get a leading '.
The session is local[*] unless SPARK_REMOTE (Spark Connect) or spark-submit's master says
otherwise.

With the prediction log on, the scored rows also go to prediction_log.directory, in the
columns and types the pandas engine's log has (hashed columns hashed by the same function,
in the workers), written by Spark under a hidden name and then moved into the log's flat
layout as `<UTC time>-<pid>-<random>-<part>.parquet`. The executors write it, so on a
cluster that folder must be one they and the driver share.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from {{ cookiecutter.module_name }} import data, model_io, predict, prediction_log, tables
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, PredictionLogParams, load_params
from {{ cookiecutter.module_name }}.errors import (
    DataError,
    ModelError,
    ProjectError,
    UsageError,
)
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN

ROW = "_row"  # the input order, so that "the first bad row" means the first in the files
SOURCE = "_source_file"
OUTPUT_COLUMNS = [ID_COLUMN, "prediction", "probability", "model_version"]
SCORE_COLUMNS = ("model_version", "prediction", "probability")
LOGGED = "_logged_"  # prefix of the other prediction log columns, made by the workers
# One model per Python worker process, keyed by its bytes' identity.
_LOADED: dict[str, model_io.ModelArtifact] = {}


def session(app_name: str = "{{ cookiecutter.module_name }}"):
    """The active session, or a new one: Spark Connect where SPARK_REMOTE is set, the master
    given by spark-submit where there is one, else local[*] on this machine."""
    from pyspark.sql import SparkSession

    # Python workers run this interpreter (where the package is installed) unless told
    # otherwise, not whatever `python3` comes first on PATH. Set before the JVM starts.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if not os.environ.get("SPARK_REMOTE"):
        # spark-submit starts the JVM and hands Python its port: its --master stands, and a
        # master set here would override it (the whole job would run on the driver).
        if "PYSPARK_GATEWAY_PORT" not in os.environ:
            builder = builder.config("spark.master", os.environ.get("SPARK_MASTER", "local[*]"))
        # Partition folders such as send_hour=9 stay text, as in a CSV: the schema checks type.
        builder = builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    return builder.getOrCreate()


def where(spark) -> str:
    """Where the session runs: its master, or the Spark Connect server (without a token)."""
    remote = os.environ.get("SPARK_REMOTE")
    return remote.split(";")[0].rstrip("/") if remote else spark.sparkContext.master


def read_input(spark, source: str):
    """The input as a DataFrame of text columns, whatever its format."""
    from pyspark.sql import functions as F

    name = source.rstrip("/")
    if name.lower().endswith(".csv") or _holds(source, ".csv"):
        frame = spark.read.option("header", True).option("inferSchema", False).csv(source)
    else:
        frame = spark.read.parquet(source)
    # As text, every value reaches the workers as the file wrote it; typed_like_pandas then
    # types each batch as pandas would have read it, so the checks see the same values.
    return frame.select([F.col(column).cast("string") for column in frame.columns])


def _holds(source: str, suffix: str) -> bool:
    path = Path(source)
    return path.is_dir() and any(path.rglob(f"*{suffix}"))


def typed_like_pandas(batch: pd.DataFrame) -> pd.DataFrame:
    """Type text columns as pandas' CSV reader does: numbers where every value is one,
    true/false as booleans, text otherwise (which the schema then refuses or coerces)."""
    for column in batch.columns:
        if column in tables.TEXT_COLUMNS or column in (ROW, SOURCE):
            continue
        text = batch[column]
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().sum() == text.notna().sum():
            batch[column] = numbers
        elif text.dropna().str.lower().isin(["true", "false"]).all():
            batch[column] = text.str.lower().map({"true": True, "false": False})
    return batch


def _artifact(model_bytes) -> model_io.ModelArtifact:
    """Load the model once per worker process, through model_io.load and its checks."""
    key = str(getattr(model_bytes, "id", id(model_bytes)))
    if key not in _LOADED:
        content = model_bytes.value if hasattr(model_bytes, "value") else model_bytes
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.skops"
            path.write_bytes(content)
            _LOADED[key] = model_io.load(path)
    return _LOADED[key]


class LoggedRun(NamedTuple):
    """A run's prediction log: its settings, and the request_id and time of the run's rows
    (one of each per run, as the pandas engine gives one request_id per run)."""

    settings: PredictionLogParams
    request_id: str
    at: datetime


def logged_fields(run: LoggedRun | None) -> list:
    """The prediction log's fields the workers fill: all but the scores, which the output
    columns hold already."""
    if run is None:
        return []
    return [f for f in prediction_log.log_schema(run.settings) if f.name not in SCORE_COLUMNS]


def logged_values(valid: pd.DataFrame, name: str, run: LoggedRun):
    """A log column for a scored batch: the run's constants, or an input column typed, or
    hashed as the pandas engine hashes it (None where the value, or the column, is missing).
    Made here, not as Spark literals, so that every column is nullable as in the pandas
    engine's files (Spark marks literals required)."""
    constants = {"request_id": run.request_id, "timestamp": run.at, "variant": "champion",
                 "served": True, "experiment": None}  # fmt: skip
    if name in constants:
        return [constants[name]] * len(valid)
    if name not in valid:
        return None
    if name not in run.settings.hashed:
        return valid[name].to_numpy()
    column = valid[name].astype(object).where(valid[name].notna(), None)
    return [prediction_log.hash_value(value, run.settings.hash_salt) for value in column]


def scorer(model_bytes, input_columns: list[str], log: LoggedRun | None = None):
    """The mapInPandas function: validate and score each Arrow batch, yielding scored rows
    and rejected rows (with `error`) in the columns of result_schema; with `log`, the scored
    rows carry their inputs as the prediction log stores them, too."""
    fields = result_schema(input_columns, log).fields
    names = [field.name for field in fields]
    text = [field.name for field in fields if field.dataType.typeName() == "string"]

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        artifact = _artifact(model_bytes)
        schema = data.feature_schema()
        for batch in batches:
            if batch.empty:
                continue
            original = batch.copy()
            batch = typed_like_pandas(batch).reset_index(drop=True)
            original.index = batch.index
            valid, rejected = predict.split_valid(batch, schema, skip_invalid=True)
            scored = predict.predictions(valid, artifact)
            scored[ROW] = valid[ROW].to_numpy()
            for field in logged_fields(log):
                scored[LOGGED + field.name] = logged_values(valid, field.name, log)
            yield _as_arrow_accepts(scored.reindex(columns=names), text)
            if len(rejected):
                out = original.loc[rejected.index, input_columns + [ROW, SOURCE]]
                out["error"] = rejected["error"].to_numpy()
                out = out.reindex(columns=names)
                if log is not None:  # no time, typed as one: Arrow casts no NaN to a time
                    out[LOGGED + "timestamp"] = pd.Series(pd.NaT, out.index, "datetime64[us, UTC]")
                yield _as_arrow_accepts(out, text)

    return score


def _as_arrow_accepts(frame: pd.DataFrame, text: list[str]) -> pd.DataFrame:
    # Text columns as plain objects with None: pandas' "string" columns and columns of NaN
    # (absent from this half) convert to chunked Arrow arrays, which Spark's writer refuses.
    for column in text:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def result_schema(input_columns: list[str], log: LoggedRun | None = None):
    from pyspark.sql import types as T
    from pyspark.sql.pandas.types import from_arrow_type

    text = [c for c in input_columns if c != ID_COLUMN]
    fields = [
        T.StructField(ID_COLUMN, T.StringType()),
        T.StructField("prediction", T.LongType()),
        T.StructField("probability", T.DoubleType()),
        T.StructField("model_version", T.StringType()),
        *[T.StructField(c, T.StringType()) for c in text],
        T.StructField(ROW, T.LongType()),
        T.StructField(SOURCE, T.StringType()),
        T.StructField("error", T.StringType()),
        *[T.StructField(LOGGED + f.name, from_arrow_type(f.type)) for f in logged_fields(log)],
    ]
    return T.StructType(fields)


def read_model_bytes(spark, model: str) -> bytes:
    """The model file's bytes, from a local path or any URI Spark can read (s3a://, dbfs:/)."""
    if "://" not in model and not model.startswith("dbfs:"):
        path = Path(model)
        if not path.is_file():
            raise ModelError(f"model file {path} not found; run the pipeline first (make pipeline)")
        model_io.load(path)  # refuse a foreign or stale model before starting any work
        return path.read_bytes()
    rows = spark.read.format("binaryFile").load(model).select("content").collect()
    if len(rows) != 1:
        raise ModelError(f"{model} names {len(rows)} files; give the URI of one model file")
    return bytes(rows[0]["content"])


def collect(frame, source: str) -> list:
    """Run `frame` and bring its (few, aggregated) rows to the driver; a DataError raised in a
    worker (a problem no skipping fixes, such as a column of the wrong type) comes back as
    itself, one line, instead of a Java stack trace."""
    from pyspark.errors import PythonException

    try:
        return frame.collect()
    except PythonException as error:
        lines = [line for line in str(error).splitlines() if "DataError: " in line]
        if not lines:
            raise
        raise DataError(f"{source}: {lines[-1].split('DataError: ', 1)[1]}") from None


def neutralise_formulas(frame):
    """tables.neutralise_formulas in Spark's terms, for CSV outputs: a text cell a spreadsheet
    would run as a formula gets a leading ', unless it is a plain number."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    columns = []
    for field in frame.schema.fields:
        column = F.col(f"`{field.name}`")
        if isinstance(field.dataType, StringType):
            risky = column.rlike(tables.FORMULA_START) & ~column.rlike(tables.PLAIN_NUMBER)
            column = F.when(risky, F.concat(F.lit("'"), column)).otherwise(column)
        columns.append(column.alias(field.name))
    return frame.select(columns)


def _same_place(a: str, b: str) -> bool:
    if "://" in a or "://" in b or a.startswith("dbfs:") or b.startswith("dbfs:"):
        return a.rstrip("/") == b.rstrip("/")
    return Path(a).resolve() == Path(b).resolve()


def check_outputs(source: str, outputs: list[str], force: bool) -> None:
    """As the pandas engine: never write over the input (Spark's overwrite would delete it
    before reading it), nor over an existing output without force. Local paths are checked
    before any work; a URI that exists is refused by Spark itself when writing."""
    for output in outputs:
        if _same_place(source, output):
            raise UsageError(f"{output} is the input; give another output")
        if "://" not in output and Path(output).exists() and not force:
            raise UsageError(f"{output} exists; give FORCE=1 (--force) to replace it")


def _write(frame, path: str, force: bool) -> None:
    from pyspark.errors import AnalysisException

    csv = tables.file_format(Path(path)) == "csv"
    writer = (neutralise_formulas(frame) if csv else frame).write
    writer = writer.mode("overwrite" if force else "errorifexists")
    try:
        if csv:
            # Quotes inside a value doubled (RFC 4180, as pandas and Arrow write and read
            # them), not backslash-escaped as Spark does by default.
            writer.option("header", True).option("escape", '"').csv(path)
        else:
            writer.parquet(path)
    except AnalysisException as error:
        if "PATH_ALREADY_EXISTS" not in str(error) and "already exists" not in str(error):
            raise
        raise UsageError(f"{path} exists; give FORCE=1 (--force) to replace it") from None


def rejected_path(output: str) -> str:
    return str(predict.rejected_path(Path(output)))


def write_log(spark, scored, run: LoggedRun, rows: int) -> int:
    """Append scored rows (of result_schema, with the logged columns) to the prediction log,
    in its columns and types, as files of its flat layout.

    Returns:
        the number of files written.
    """
    from pyspark.sql import functions as F

    columns = [
        F.col(name if name in SCORE_COLUMNS else LOGGED + name).alias(name)
        for name in prediction_log.log_schema(run.settings).names
    ]
    directory = Path(run.settings.directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = prediction_log.file_name()
    staging = directory / f".{name}.tmp"  # a writer's open file, to readers and the monitor
    key = "spark.sql.parquet.outputTimestampType"
    before = spark.conf.get(key)
    spark.conf.set(key, "TIMESTAMP_MICROS")  # Arrow's timestamp, where Spark writes INT96
    try:
        scored.select(columns).write.parquet(str(staging.resolve()))
        parts = sorted(staging.glob("part-*.parquet"))
        if rows and not parts:
            raise OSError(
                "the executors wrote it where this machine cannot see it: on a cluster, "
                "prediction_log.directory must be a folder the driver and executors share"
            )
        stem = name.removesuffix(".parquet")
        for number, part in enumerate(parts):
            part.replace(directory / f"{stem}-{number:05d}.parquet")
    finally:
        spark.conf.set(key, before)
        shutil.rmtree(staging, ignore_errors=True)
    return len(parts)


def predict_on_spark(
    spark,
    source: str,
    output: str,
    model_bytes: bytes,
    skip_invalid: bool = False,
    force: bool = False,
    log: PredictionLogParams | None = None,
) -> dict[str, int]:
    """Score every row of `source` into `output` on Spark, and into the prediction log when
    `log` is given.

    Returns:
        {"scored": rows written, "rejected": rows written aside}.

    Raises:
        DataError: a column is missing, the input has no rows, or (without skip_invalid) a
            row breaks the schema, named by file, id and reason.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    tables.file_format(Path(output))
    check_outputs(source, [output, rejected_path(output)] if skip_invalid else [output], force)
    frame = read_input(spark, source)
    missing = [name for name in FEATURE_NAMES if name not in frame.columns]
    if missing:
        raise DataError(f"{source}: column '{missing[0]}' is missing; fix the data")
    input_columns = list(frame.columns)
    frame = frame.withColumn(ROW, F.monotonically_increasing_id()).withColumn(
        SOURCE, F.input_file_name()
    )
    try:  # classic Spark: ship the model once per executor
        shipped = spark.sparkContext.broadcast(model_bytes)
    except Exception:  # Spark Connect has no SparkContext: the bytes travel with the plan
        shipped = model_bytes
    # Scored once, read three times (counts, output, rejected rows): kept on the executors'
    # disks, not in memory, where a partition of millions of rows read back from disk as
    # one buffer overflowed a 1 GB heap (10,000,000 rows in one file on local[1]).
    now = datetime.now(timezone.utc)  # noqa: UP017
    run = None if log is None else LoggedRun(log, uuid.uuid4().hex, now)
    results = frame.mapInPandas(
        scorer(shipped, input_columns, run), result_schema(input_columns, run)
    ).persist(StorageLevel.DISK_ONLY)
    try:
        outcomes = results.groupBy(F.col("error").isNotNull().alias("bad")).count()
        counts = {row["bad"]: row["count"] for row in collect(outcomes, source)}
        scored, rejected = counts.get(False, 0), counts.get(True, 0)
        if scored + rejected == 0:
            raise DataError(f"{source} holds no rows; give files with a header and rows")
        bad = results.where(F.col("error").isNotNull())
        if rejected and not skip_invalid:
            first = bad.orderBy(ROW).first()
            raise DataError(
                f"{source}: the row with {ID_COLUMN} {first[ID_COLUMN]!r} in {first[SOURCE]} "
                f"breaks the schema ({first['error']}) and {rejected - 1} more rows; "
                "fix the data or pass --skip-invalid (SKIP_INVALID=1)"
            )
        ordered = results.where(F.col("error").isNull()).sortWithinPartitions(ROW)
        # As the pandas engine: the id column when the input has one.
        columns = [c for c in OUTPUT_COLUMNS if c != ID_COLUMN or ID_COLUMN in input_columns]
        _write(ordered.select(columns), output, force)
        if rejected:
            rejected_columns = [*input_columns, "error"]
            bad = bad.sortWithinPartitions(ROW).select(rejected_columns)
            _write(bad, rejected_path(output), force)
        if run is not None:
            try:
                write_log(spark, ordered, run, scored)
            except Exception as error:  # the scores are written: the run stands, as on pandas
                print(
                    f"predict: {scored} scored rows could not be logged to {log.directory} "
                    f"({str(error).splitlines()[0]}); set prediction_log in params.yaml",
                    file=sys.stderr,
                )
    finally:
        results.unpersist()
    return {"scored": scored, "rejected": rejected}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.spark_predict",
        description="Score CSV or Parquet files (or folders of them) on Spark.",
    )
    parser.add_argument("input", help="CSV or Parquet file or folder, path or URI")
    parser.add_argument("output", help="folder to write, named .csv or .parquet")
    parser.add_argument("--model", help="path or URI (default: paths.model in params.yaml)")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write invalid rows to <output>.rejected.csv instead of stopping",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUTPUT if it exists (never INPUT)"
    )
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        model = args.model or str(params.paths.model)
        log = params.prediction_log
        log = log if log is not None and log.enabled else None
        spark = session()
        master = where(spark)
        model_bytes = read_model_bytes(spark, model)
        version = _artifact(model_bytes).version
        counts = predict_on_spark(
            spark, args.input, args.output, model_bytes, args.skip_invalid, args.force, log
        )
    except ProjectError as error:
        print(f"predict: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1
    print(predict.summary(counts, version, args.output, f" on Spark ({master})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
