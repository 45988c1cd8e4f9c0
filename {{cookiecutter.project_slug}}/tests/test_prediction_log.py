"""The prediction log's writer thread, queue, rolling and hashing, on real Parquet files."""

from __future__ import annotations

import os
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.module_name }}.config import PredictionLogParams
from {{ cookiecutter.module_name }}.prediction_log import (
    PredictionLog,
    file_name,
    hash_value,
    settled_until,
)
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, ID_COLUMN


def settings(directory, **changes) -> PredictionLogParams:
    values = {
        "enabled": True,
        "directory": directory,
        "queue_rows": 10_000,
        "roll_bytes": 64_000_000,
        "roll_seconds": 60.0,
        "exclude": (),
        "hashed": (),
        "hash_salt": "s",
    }
    return PredictionLogParams(**{**values, **changes})


def columns(rows: pd.DataFrame) -> dict:
    return {name: rows[name].tolist() for name in FEATURE_NAMES}


def record(log: PredictionLog, rows: pd.DataFrame, request_id: str = "r1", **kwargs) -> bool:
    n = len(rows)
    return log.record(
        columns(rows),
        [1] * n,
        [0.75] * n,
        request_id=request_id,
        model_version="abc",
        variant="champion",
        unit_ids=[f"C{i}" for i in range(n)],
        **kwargs,
    )


def read_log(directory) -> pd.DataFrame:
    return pd.read_parquet(directory)


def test_rows_are_written_with_every_column_and_the_file_renamed_at_close(tmp_path, rows):
    log = PredictionLog(settings(tmp_path / "log")).start()
    assert record(log, rows.head(3), "first") and record(log, rows.iloc[3:5], "second")
    log.close()
    files = sorted(path.name for path in (tmp_path / "log").iterdir())
    assert len(files) == 1 and files[0].endswith(".parquet") and not files[0].startswith(".")
    logged = read_log(tmp_path / "log")
    assert list(logged.columns[:7]) == [
        "request_id", "timestamp", "model_version", "variant", "served", "experiment", ID_COLUMN
    ]  # fmt: skip
    assert logged["experiment"].isna().all()  # no split experiment routed these rows
    assert list(logged.columns[-2:]) == ["prediction", "probability"]
    assert logged["request_id"].tolist() == ["first"] * 3 + ["second"] * 2
    assert logged[ID_COLUMN].tolist() == ["C0", "C1", "C2", "C0", "C1"]
    assert logged["send_hour"].tolist() == rows["send_hour"].head(5).tolist()
    assert logged["probability"].tolist() == [0.75] * 5
    assert str(logged["timestamp"].dt.tz) == "UTC"
    assert log.written == 5 and log.dropped == 0


def test_an_open_file_is_hidden_until_it_is_closed(tmp_path, rows):
    log = PredictionLog(settings(tmp_path)).start()
    record(log, rows.head(2))
    deadline = time.monotonic() + 10
    while log.written < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].startswith(".") and names[0].endswith(".parquet.tmp")
    log.close()
    assert [path.suffix for path in tmp_path.iterdir()] == [".parquet"]


def test_files_roll_by_age(tmp_path, rows):
    log = PredictionLog(settings(tmp_path, roll_seconds=0.2)).start()
    record(log, rows.head(2))
    time.sleep(1.5)  # the writer closes the file when it is roll_seconds old, rows or not
    assert len(list(tmp_path.glob("*.parquet"))) == 1
    record(log, rows.head(3))
    log.close()
    assert len(list(tmp_path.glob("*.parquet"))) == 2
    assert len(read_log(tmp_path)) == 5


def test_files_roll_by_size(tmp_path, rows):
    log = PredictionLog(settings(tmp_path, roll_bytes=1024)).start()
    for n in range(5):
        record(log, rows.head(100), f"r{n}")
        deadline = time.monotonic() + 10
        while log.written < 100 * (n + 1) and time.monotonic() < deadline:
            time.sleep(0.01)
    log.close()
    assert len(list(tmp_path.glob("*.parquet"))) >= 4
    assert len(read_log(tmp_path)) == 500


def test_a_full_queue_drops_and_counts_without_waiting(tmp_path, rows):
    dropped = []
    # Not started: nothing drains the queue, as when the disk is slower than the traffic.
    log = PredictionLog(settings(tmp_path, queue_rows=5), on_drop=dropped.append)
    assert record(log, rows.head(4))
    started = time.perf_counter()
    assert not record(log, rows.head(2))
    assert time.perf_counter() - started < 1.0
    assert log.dropped == 2 and dropped == [2]
    log.start()
    log.close()
    assert len(read_log(tmp_path)) == 4


def test_an_unwritable_directory_warns_once_and_counts_drops(tmp_path, rows):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    warnings = []
    log = PredictionLog(settings(blocker / "log"), warn=warnings.append).start()
    for _ in range(3):
        assert record(log, rows.head(2))
    log.close()
    assert log.dropped == 6 and log.written == 0
    assert len(warnings) == 1
    assert warnings[0].startswith(f"prediction log: cannot write to {blocker / 'log'} (")
    assert "set prediction_log.directory in params.yaml" in warnings[0]


def test_excluded_columns_are_absent_and_hashed_ones_unreadable(tmp_path, rows):
    params = settings(tmp_path, exclude=("tenure_months",), hashed=(ID_COLUMN, "channel"))
    log = PredictionLog(params).start()
    record(log, rows.head(3))
    log.close()
    logged = read_log(tmp_path)
    assert "tenure_months" not in logged.columns
    assert logged[ID_COLUMN].tolist() == [hash_value(f"C{i}", "s") for i in range(3)]
    assert logged["channel"].tolist() == [hash_value(v, "s") for v in rows["channel"].head(3)]
    assert hash_value("C0", "s") == __import__("hashlib").sha256(b"s:C0").hexdigest()[:16]
    assert not set(rows["channel"]) & set(logged["channel"])


def test_a_column_that_is_not_an_input_cannot_be_excluded(tmp_path):
    with pytest.raises(ValueError, match="'probability' is not a logged input column"):
        settings(tmp_path, exclude=("probability",))


def test_file_names_are_unique_and_sort_by_time():
    names = [file_name(1_700_000_000.0) for _ in range(50)]
    assert len(set(names)) == 50
    assert names[0].startswith("20231114T221320000000Z-")
    assert file_name(1_700_000_001.0) > max(names)


def test_the_files_are_plain_parquet(tmp_path, rows):
    log = PredictionLog(settings(tmp_path)).start()
    record(log, rows.head(7))
    log.close()
    (path,) = tmp_path.glob("*.parquet")
    assert pq.ParquetFile(path).metadata.num_rows == 7


def test_a_batch_arrow_cannot_store_is_dropped_and_the_next_one_written(tmp_path, rows):
    warnings = []
    log = PredictionLog(settings(tmp_path), warn=warnings.append).start()
    broken = columns(rows.head(2)) | {"tenure_months": ["twelve", "ten"]}
    assert log.record(broken, [1, 0], [0.7, 0.2], request_id="bad", model_version="abc",
                      variant="champion", wait=True)  # fmt: skip
    time.sleep(1.5)  # the writer's round: the bad batch is written alone
    assert record(log, rows.head(3), "good", wait=True)
    log.close()
    assert log.dropped == 2 and log.written == 3
    assert read_log(tmp_path)["request_id"].tolist() == ["good"] * 3
    assert len(warnings) == 1
    assert warnings[0].startswith("prediction log: cannot log a scored batch (Arrow")


def test_a_stopped_writer_makes_record_drop_rather_than_wait(tmp_path, rows, monkeypatch):
    log = PredictionLog(settings(tmp_path, queue_rows=5))

    def crash() -> None:
        raise RuntimeError("writer stopped")

    monkeypatch.setattr(log, "_drain", crash)
    monkeypatch.setattr("threading.excepthook", lambda args: None)  # expected: not a test error
    log.start()
    log._thread.join(5)
    started = time.perf_counter()
    assert not record(log, rows.head(4), wait=True)
    assert not record(log, rows.head(4), wait=True)
    assert time.perf_counter() - started < 1.0
    assert log.dropped == 8


def test_the_settled_time_stops_before_files_running_writers_hold_open(tmp_path):
    now = 1_700_000_000.0
    live = tmp_path / f".{file_name(now - 30)}.tmp"
    dead = tmp_path / f".{file_name(now - 500)}.tmp"
    slow = tmp_path / f".{file_name(now - 900)}.tmp"  # a Spark run's folder, still written to
    (slow / "_temporary").mkdir(parents=True)
    for path in (live, dead, tmp_path / ".notes.parquet.tmp", slow / "_temporary" / "part-0"):
        path.write_bytes(b"")
    for path, written in ((live, now - 1), (dead, now - 499), (slow, now - 900)):
        os.utime(path, (written, written))
    os.utime(slow / "_temporary" / "part-0", (now - 3, now - 3))
    os.utime(slow / "_temporary", (now - 900, now - 900))
    assert settled_until(tmp_path, roll_seconds=60, now=now) == (now - 902, [dead])
    slow.joinpath("_temporary", "part-0").unlink()
    os.utime(slow / "_temporary", (now - 900, now - 900))
    assert settled_until(tmp_path, roll_seconds=60, now=now) == (now - 32, [slow, dead])
    live.unlink()
    assert settled_until(tmp_path, roll_seconds=60, now=now) == (now - 2, [slow, dead])
    assert settled_until(tmp_path, roll_seconds=300, now=now) == (now - 502, [slow])
