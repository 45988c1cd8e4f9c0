from __future__ import annotations

import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import monitoring
from {{ cookiecutter.module_name }}.sample import make_sample


def write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def reference(tmp_path, sample):
    path = tmp_path / "train.parquet"
    sample.to_parquet(path)
    return path


def run(tmp_path, reference, batch):
    report = tmp_path / "reports" / "drift.html"
    code = monitoring.main([str(batch), "--reference", str(reference), "--report", str(report)])
    return code, report


def test_a_batch_like_the_training_data_passes(tmp_path, reference):
    batch = write(make_sample(1500, seed=99), tmp_path / "batch.csv")
    code, report = run(tmp_path, reference, batch)
    assert code == 0
    summary = json.loads(report.with_suffix(".json").read_text())
    assert not any(column["drift"] for column in summary["columns"])


def test_one_shifted_feature_fails_the_check(tmp_path, reference):
    shifted = make_sample(1500, seed=99)
    shifted["channel"] = "promotion"
    code, _ = run(tmp_path, reference, write(shifted, tmp_path / "batch.csv"))
    assert code == 1


def test_a_shifted_batch_fails_with_a_readable_report(tmp_path, reference, capsys):
    shifted = make_sample(1500, seed=99)
    shifted["send_hour"] = (shifted["send_hour"] + 12) % 24  # emails now go out at night
    shifted["channel"] = "promotion"
    shifted["past_opens_30d"] = shifted["past_opens_30d"] * 4
    code, report = run(tmp_path, reference, write(shifted, tmp_path / "batch.csv"))
    assert code == 1
    summary = json.loads(report.with_suffix(".json").read_text())
    drifted = {column["column"] for column in summary["columns"] if column["drift"]}
    assert {"send_hour", "channel", "past_opens_30d"} <= drifted
    assert "send_hour" in report.read_text()
    assert "Drifted columns:" in capsys.readouterr().out


def test_a_batch_that_breaks_the_schema_is_refused_by_name(tmp_path, reference, capsys):
    broken = make_sample(100, seed=1)
    broken.loc[3, "send_hour"] = 31
    code, _ = run(tmp_path, reference, write(broken, tmp_path / "batch.csv"))
    assert code == 2
    assert "send_hour" in capsys.readouterr().err


def test_training_data_older_than_the_features_is_named(tmp_path, sample, capsys):
    reference = tmp_path / "old-train.parquet"
    sample.drop(columns=["channel"]).to_parquet(reference)
    code, _ = run(tmp_path, reference, write(make_sample(100, seed=1), tmp_path / "batch.csv"))
    assert code == 2
    assert "the training data has no column 'channel'; rebuild it" in capsys.readouterr().err


def log_rows(directory, rows: pd.DataFrame, served: bool = True) -> None:
    from {{ cookiecutter.module_name }}.config import PredictionLogParams
    from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
    from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES

    params = PredictionLogParams(
        enabled=True, directory=directory, queue_rows=10**6, roll_bytes=10**8,
        roll_seconds=60.0, hash_salt="s",
    )  # fmt: skip
    log = PredictionLog(params).start()
    log.record({name: rows[name].tolist() for name in FEATURE_NAMES}, [0] * len(rows),
               [0.1] * len(rows), request_id="r", model_version="v", variant="champion",
               served=served)  # fmt: skip
    log.close()


def test_without_a_batch_the_log_since_the_last_check_is_checked(tmp_path, reference, capsys):
    import time

    log = tmp_path / "log"
    log_rows(log, make_sample(1500, seed=99))
    log_rows(log, make_sample(700, seed=98), served=False)  # shadow scores: not inputs
    time.sleep(2.1)  # rows of the last 2 s are not yet taken: they may still be queued
    report = tmp_path / "reports" / "drift.html"
    common = ["--log", str(log), "--reference", str(reference), "--report", str(report)]
    assert monitoring.main(common) == 0
    assert "monitor: 1500 logged rows from the start to " in capsys.readouterr().out
    assert json.loads((log / ".monitor-state.json").read_text())["checked_until"]

    assert monitoring.main(common) == 2  # nothing new since
    assert "no prediction log rows in" in capsys.readouterr().err

    shifted = make_sample(1500, seed=97)
    shifted["channel"] = "promotion"
    log_rows(log, shifted)
    time.sleep(2.1)
    assert monitoring.main(common) == 1
    out = capsys.readouterr().out
    assert "monitor: 1500 logged rows from 20" in out and "channel" in out

    assert monitoring.main([*common, "--since", "2000-01-01"]) == 1  # both windows
    assert "monitor: 3000 logged rows from 2000-01-01T00:00:00+00:00" in capsys.readouterr().out


def test_a_bad_since_is_one_line(tmp_path, reference, capsys):
    common = ["--log", str(tmp_path), "--reference", str(reference)]
    assert monitoring.main([*common, "--since", "yesterday"]) == 2
    assert capsys.readouterr().err == (
        "monitor: 'yesterday' is not an ISO time; write e.g. 2025-01-31T08:00\n"
    )


def test_rows_a_running_writer_holds_open_wait_for_the_next_check(tmp_path, reference, capsys):
    import time

    from {{ cookiecutter.module_name }}.prediction_log import file_name

    log = tmp_path / "log"
    log_rows(log, make_sample(1500, seed=99))
    time.sleep(2.1)
    # A running process began a file 5 s ago: its rows, and any later, are not readable yet.
    live = log / f".{file_name(time.time() - 5)}.tmp"
    live.write_bytes(b"PAR1")
    report = tmp_path / "reports" / "drift.html"
    common = ["--log", str(log), "--reference", str(reference), "--report", str(report)]
    assert monitoring.main(common) == 2
    assert "no prediction log rows in" in capsys.readouterr().err
    assert not (log / ".monitor-state.json").exists()  # nothing checked: the window stays

    # Once it is closed the next check takes the rows the first one left.
    live.unlink()
    assert monitoring.main(common) == 0
    assert "monitor: 1500 logged rows from the start to " in capsys.readouterr().out


def test_a_file_a_killed_process_left_open_is_named_and_holds_nothing_back(
    tmp_path, reference, capsys
):
    import os
    import time

    from {{ cookiecutter.module_name }}.prediction_log import file_name

    log = tmp_path / "log"
    log_rows(log, make_sample(1500, seed=99))
    time.sleep(2.1)
    abandoned = log / f".{file_name(time.time() - 3600)}.tmp"  # roll_seconds is 60
    abandoned.write_bytes(b"PAR1")
    os.utime(abandoned, (time.time() - 3500, time.time() - 3500))  # its last write
    report = tmp_path / "reports" / "drift.html"
    assert monitoring.main(["--log", str(log), "--reference", str(reference),
                            "--report", str(report)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "monitor: 1500 logged rows" in captured.out
    assert captured.err == (
        "monitor: 1 log file(s) were left open by a stopped process, their rows lost "
        f"(e.g. {abandoned}); delete them\n"
    )
