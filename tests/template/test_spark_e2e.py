"""A project generated with batch_engine=spark scores on a real local Spark.

One bake and one install serve the module: `make install` (with its Java check), the
project's own Spark tests (one SparkSession for their module: equality with the pandas
scorer on 20,000 rows with bad rows, an empty part, a partitioned Parquet folder, a missing
column, an unseen category), `make predict ENGINE=spark` from the command line,
spark-submit of the scorer file, and the Java check refusing a machine without Java.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pandas as pd
import pytest
import yaml
from bakery import bake_project, generated_project_env, run

pytestmark = pytest.mark.slow

MODULE = "email_opens"


@pytest.fixture(scope="module")
def project(module_tmp, wheel_dir, pre_commit_home):
    root = module_tmp("spark")
    project = bake_project(
        root, project_name="Email Opens", deployment="batch", batch_engine="spark"
    )
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["sample"]["rows"], params["train"]["cv_folds"] = 2000, 2
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    env = generated_project_env(wheel_dir, pre_commit_home)
    run("make", "install", cwd=project, env=env, timeout=1200)
    for stage in ("sample", "prepare", "train"):
        run(project / ".venv/bin/python", "-m", f"{MODULE}.stages", stage, cwd=project, env=env)
    return project, env


def test_the_projects_spark_tests_pass_on_real_spark(project):
    project, env = project
    result = run(".venv/bin/pytest", "-q", "tests/test_spark.py", cwd=project, env=env)
    assert "11 passed" in result.stdout


def test_make_predict_engine_spark_matches_engine_pandas(project):
    project, env = project
    raw = pd.read_csv(project / "data/raw/emails.csv", dtype={"customer_id": str})
    raw.loc[7, "weekday"] = "Funday"
    raw.to_csv(project / "batch.csv", index=False)
    for engine in ("pandas", "spark"):
        output = f"OUTPUT={engine}.parquet"
        result = run("make", "predict", f"ENGINE={engine}", "INPUT=batch.csv", output,
                     "SKIP_INVALID=1", cwd=project, env=env)  # fmt: skip
        assert "1999 rows scored with model" in result.stdout
        assert f"1 rejected to {engine}.rejected.csv" in result.stdout
    assert " on Spark (local[*]) to spark.parquet," in result.stdout
    pandas_scored = pd.read_parquet(project / "pandas.parquet")
    spark_scored = pd.read_parquet(project / "spark.parquet").set_index("customer_id")
    spark_scored = spark_scored.loc[pandas_scored["customer_id"]]
    gap = abs(spark_scored["probability"].to_numpy() - pandas_scored["probability"].to_numpy())
    assert gap.max() <= 1e-12
    parts = sorted((project / "spark.rejected.csv").glob("part-*.csv"))
    rejected = pd.concat([pd.read_csv(part, dtype=str) for part in parts])
    assert rejected["customer_id"].tolist() == [raw.at[7, "customer_id"]]
    assert rejected["error"].str.startswith("weekday: fails isin").all()

    # Both engines logged their runs; the Spark monitor reads the log's new rows.
    logged = pd.read_parquet(project / "logs/predictions")
    assert sorted(logged.groupby("request_id").size().tolist()) == [1999, 1999]
    time.sleep(2.1)  # rows of the last 2 s wait for the next check
    result = run("make", "monitor", "ENGINE=spark", cwd=project, env=env)
    assert "monitor: 3998 logged rows from the start to " in result.stdout


def test_spark_submit_runs_the_scorer_on_the_master_it_is_given(project):
    """The README's spark-submit command, on a local master instead of YARN: the master
    spark-submit gives is the one the job runs on."""
    project, env = project
    python = str(project / ".venv/bin/python")
    result = run(".venv/bin/spark-submit", "--master", "local[1]",
                 f"src/{MODULE}/spark_predict.py", "data/raw/emails.csv", "submitted.parquet",
                 "--skip-invalid", cwd=project, env={**env, "PYSPARK_PYTHON": python})  # fmt: skip
    assert "predict: 2000 rows scored with model " in result.stdout
    assert " on Spark (local[1]) to submitted.parquet" in result.stdout
    assert len(pd.read_parquet(project / "submitted.parquet")) == 2000


def test_make_predict_refuses_an_unknown_engine(project):
    project, env = project
    result = subprocess.run(
        ["make", "predict", "ENGINE=dask", "INPUT=a.csv", "OUTPUT=b.csv"],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert "predict: ENGINE=dask is unknown; use ENGINE=pandas or ENGINE=spark" in result.stderr


def test_setup_names_the_missing_java_and_the_fix(project, tmp_path):
    project, env = project
    # A PATH with the tools make needs but no java, and no JAVA_HOME.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sed", "make"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    bare = {**env, "PATH": str(bin_dir)}
    bare.pop("JAVA_HOME", None)
    result = subprocess.run(
        [str(bin_dir / "make"), "setup"], cwd=project, env=bare, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "java: no Java runtime found (java); Spark needs Java 17+: install one "
        "(e.g. apt-get install openjdk-17-jre-headless, brew install openjdk@17) "
        "or set JAVA_HOME"
    )
    assert "java" not in {path.name for path in bin_dir.iterdir()}
    assert subprocess.run(["make", "java"], cwd=project, env=env).returncode == 0
