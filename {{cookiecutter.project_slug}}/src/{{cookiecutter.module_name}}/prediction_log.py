"""The prediction log: every scored row, appended to Parquet files off the request path.

serve and predict hand each scored batch to `PredictionLog.record`, which puts it on a
bounded queue and returns at once; a writer thread wakes once a second (or when the queue is
half full) and writes what has gathered as one Parquet row group: a row group per request
would cost the requests CPU time and make files of tiny row groups. When the queue holds
queue_rows rows, a new batch is dropped and its rows counted (`dropped`): scoring never
waits for the log. A directory that cannot be written is one warning, then counted drops;
serving goes on.

Each process writes its own file, `<UTC time>-<pid>-<random>.parquet`, so workers and
restarts never share one. A file is written under a hidden name (`.<name>.tmp`, which
pandas, Spark, DuckDB and `*.parquet` globs skip) and renamed once closed, so a reader
never sees half a file. It is closed at roll_bytes, at roll_seconds of age and when the
process stops: a row is readable at most roll_seconds + WRITE_EVERY after it was scored
(the flush window), and a process killed with SIGKILL, or crashing, loses at most that.

The writer thread never dies of a row it cannot write: whatever goes wrong writing a batch
is one warning and counted drops, and if the thread stops anyway, `record` drops rather than
waits, so neither a request nor `make predict` can hang on the log.

Columns listed in `exclude` are never written; those in `hashed` are written as the first
16 hex digits of sha256(`hash_salt:value`), which still joins and counts equal values
without revealing them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.module_name }}.config import PredictionLogParams
from {{ cookiecutter.module_name }}.schema import FEATURES, ID_COLUMN, Kind

# A column of a scored batch: a list (serve), NumPy or Arrow (predict hands its chunks over as
# Arrow arrays, without a copy to Python objects).
Values = Sequence[Any] | pa.Array | pa.ChunkedArray

WRITE_EVERY = 1.0  # seconds between the writer's rounds, at most
SMALL_BATCH = 256  # rows: smaller batches are gathered as lists, larger go over as Arrow

_ARROW_TYPES = {
    Kind.INTEGER: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.CATEGORY: pa.string(),
}


def log_schema(params: PredictionLogParams) -> pa.Schema:
    """The columns of every log file: who, when, which model, the inputs, the answer."""
    inputs = [(ID_COLUMN, pa.string())]
    inputs += [(feature.name, _ARROW_TYPES[feature.kind]) for feature in FEATURES]
    kept = [
        (name, pa.string() if name in params.hashed else kind)
        for name, kind in inputs
        if name not in params.exclude
    ]
    return pa.schema(
        [
            ("request_id", pa.string()),
            ("timestamp", pa.timestamp("us", tz="UTC")),
            ("model_version", pa.string()),
            ("variant", pa.string()),
            ("served", pa.bool_()),  # False: a shadow score, not the answer given
            # challenger.salt of the split experiment that routed the row, else null: the
            # rows an A/B analysis counts, apart from batch runs and other experiments
            ("experiment", pa.string()),
            *kept,
            ("prediction", pa.int64()),
            ("probability", pa.float64()),
        ]
    )


def hash_value(value: Any, salt: str) -> str | None:
    """The logged form of a hashed column's value; None stays None."""
    if value is None:
        return None
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:16]


def repeat(value: Any, rows: int, type_: pa.DataType) -> pa.Array:
    """One value `rows` times, built by Arrow: a Python list of it costs a batch run more
    than a tenth of its time."""
    indices = pa.array(np.zeros(rows, dtype=np.int8))
    return pa.DictionaryArray.from_arrays(indices, pa.array([value], type_)).dictionary_decode()


def repeat_list(value: Any, rows: int, type_: pa.DataType) -> list[Any]:
    """One value `rows` times, as a list: for the small batches gathered before conversion."""
    return [value] * rows


def python(values: Values) -> list[Any]:
    """Values as Python objects (None for a missing one), from a list, NumPy or Arrow."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.to_pylist()
    return list(values)


def file_name(now: float | None = None) -> str:
    """`<UTC time>-<pid>-<random>.parquet`: sorts by time, unique across processes."""
    now = now or time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1e6):06d}Z"
    return f"{stamp}-{os.getpid()}-{secrets.token_hex(4)}.parquet"


def begun_at(path: Path) -> float | None:
    """When the open (hidden) log file `path` was begun, read from its name; None if the
    name is not one the writer gives."""
    stamp = path.name.removeprefix(".").split("-", 1)[0]
    try:
        begun = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return None
    return begun.replace(tzinfo=timezone.utc).timestamp()  # noqa: UP017


def settled_until(directory: Path, roll_seconds: float, now: float) -> tuple[float, list[Path]]:
    """The time before which every row scored by a running process is in a closed file, and
    the open files left by processes that stopped without closing them.

    A row is stamped when scored and written within WRITE_EVERY of it; a process's open file
    holds rows from about its beginning and is closed within roll_seconds (the Spark engine's
    is a folder its executors write into until the run ends). An open file neither begun nor
    written to for twice that was left by a killed process: its rows are lost (it has no
    Parquet footer), so it must not hold the window back.
    """
    margin = WRITE_EVERY + 1.0
    until, abandoned = now - margin, []
    for path in sorted(Path(directory).glob(".*.parquet.tmp")):
        begun = begun_at(path)
        if begun is None:
            continue
        if now - max(begun, last_written(path)) > 2 * roll_seconds + margin:
            abandoned.append(path)
        else:
            until = min(until, begun - margin)
    return until, abandoned


def last_written(path: Path) -> float:
    """The newest modification time of `path`, or of anything in it when it is a folder."""
    times = []
    for entry in [path, *path.rglob("*")] if path.is_dir() else [path]:
        with contextlib.suppress(OSError):  # gone meanwhile: renamed into place, or removed
            times.append(entry.stat().st_mtime)
    return max(times, default=0.0)


class PredictionLog:
    """A bounded queue of scored batches and the thread that writes them to Parquet.

    Use `start()` once, `record(...)` per scored batch, `close()` at shutdown (it writes
    what is queued and closes the open file).
    """

    def __init__(
        self,
        params: PredictionLogParams,
        on_drop: Callable[[int], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.params = params
        self.directory = Path(params.directory)
        self.schema = log_schema(params)
        self.dropped = 0
        self.written = 0
        self._on_drop = on_drop
        self._warn = warn or (lambda message: print(message, file=sys.stderr, flush=True))
        self._warned = False
        self._queue: deque[tuple] = deque()
        self._queued_rows = 0
        self._half_full = max(1, params.queue_rows // 2)
        self._closing = False
        self._ready = threading.Condition()
        self._writer: pq.ParquetWriter | None = None
        self._file: Path | None = None
        self._opened_at = 0.0
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)

    def start(self) -> PredictionLog:
        self._thread.start()
        return self

    def record(
        self,
        features: Mapping[str, Values],
        labels: Values,
        probability: Values,
        *,
        request_id: str,
        model_version: str,
        variant: str,
        unit_ids: Values | None = None,
        served: bool = True,
        experiment: str | None = None,
        wait: bool = False,
    ) -> bool:
        """Queue one scored batch. The service never waits (wait=False): a full queue drops
        the batch. Batch scoring waits for room instead (wait=True), so it logs every row.

        Returns:
            True if queued, False if dropped (queue full, or the log is closing).
        """
        rows = len(probability)
        batch = (time.time(), request_id, model_version, variant, served, experiment, unit_ids,
                 features, labels, probability)  # fmt: skip
        with self._ready:
            if wait:  # a batch larger than the whole queue goes in once the queue is empty
                self._ready.wait_for(
                    lambda: (
                        self._closing
                        or not self._queued_rows
                        or self._queued_rows + rows <= self.params.queue_rows
                    )
                )
            full = self._queued_rows + rows > self.params.queue_rows
            if self._closing or (full and (self._queued_rows or not wait)):
                self._count_drop(rows)
                return False
            self._queue.append(batch)
            self._queued_rows += rows
            self._ready.notify()
        return True

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, close the open file under its final name, stop the thread."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _count_drop(self, rows: int) -> None:
        self.dropped += rows
        if self._on_drop is not None:
            self._on_drop(rows)

    def _run(self) -> None:
        try:
            self._drain()
        finally:  # whatever stops the writer, record() must not wait for it any longer
            with self._ready:
                self._closing = True
                self._ready.notify_all()

    def _drain(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(
                    lambda: self._closing or self._queued_rows >= self._half_full,
                    timeout=self._seconds_to_wake(),
                )
                batches = list(self._queue)
                self._queue.clear()
                self._queued_rows = 0
                closing = self._closing
                self._ready.notify_all()  # a waiting record() has room now
            if batches:
                self._write(batches)
            if self._writer is not None and (closing or self._due()):
                self._roll()
            if closing:
                return

    def _seconds_to_wake(self) -> float:
        every = min(WRITE_EVERY, self.params.roll_seconds)
        if self._writer is None:
            return every
        to_roll = self._opened_at + self.params.roll_seconds - time.monotonic()
        return max(0.0, min(every, to_roll))

    def _due(self) -> bool:
        if time.monotonic() - self._opened_at >= self.params.roll_seconds:
            return True
        return self._temporary().stat().st_size >= self.params.roll_bytes

    def _temporary(self) -> Path:
        assert self._file is not None
        return self._file.with_name(f".{self._file.name}.tmp")

    def _write(self, batches: list[tuple]) -> None:
        rows = sum(len(batch[-1]) for batch in batches)
        try:
            table = self._table(batches)
            if self._writer is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._file = self.directory / file_name()
                self._writer = pq.ParquetWriter(self._temporary(), self.schema)
                self._opened_at = time.monotonic()
            self._writer.write_table(table)
            self.written += rows
        except OSError as error:
            self._give_up(
                rows,
                f"prediction log: cannot write to {self.directory} ({error}); scored rows "
                "are dropped and counted (log_rows_dropped_total) until it can. Make the "
                "folder writable or set prediction_log.directory in params.yaml",
            )
        except Exception as error:  # a value Arrow cannot store: this batch only is lost
            self._give_up(
                rows,
                f"prediction log: cannot log a scored batch ({type(error).__name__}: {error}); "
                "its rows are dropped and counted (log_rows_dropped_total)",
            )

    def _give_up(self, rows: int, warning: str) -> None:
        self._count_drop(rows)
        self._abandon()
        if not self._warned:
            self._warned = True
            self._warn(warning)

    def _roll(self) -> None:
        """Close the open file and give it its final name."""
        assert self._writer is not None and self._file is not None
        try:
            self._writer.close()
            os.replace(self._temporary(), self._file)
        except Exception as error:  # an OSError, or Arrow's own
            self._warn(f"prediction log: cannot close {self._file} ({error})")
        self._writer, self._file = None, None

    def _abandon(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
        self._writer, self._file = None, None

    def _table(self, batches: list[tuple]) -> pa.Table:
        """The batches as one table. A large batch goes over column by column in Arrow; the
        small ones of a service (a row or a few per request) are gathered as Python lists
        first and converted once: an Arrow table per request costs more than its scoring."""
        tables = [
            pa.table(self._columns(*batch, repeat), schema=self.schema)
            for batch in batches
            if len(batch[-1]) >= SMALL_BATCH
        ]
        small = [batch for batch in batches if len(batch[-1]) < SMALL_BATCH]
        if small:
            gathered: dict[str, list[Any]] = {name: [] for name in self.schema.names}
            for batch in small:
                for name, values in self._columns(*batch, repeat_list).items():
                    gathered[name].extend(python(values))
            tables.append(pa.table(gathered, schema=self.schema))
        return pa.concat_tables(tables)

    def _columns(
        self,
        at: float,
        request_id: str,
        model_version: str,
        variant: str,
        served: bool,
        experiment: str | None,
        unit_ids: Values | None,
        features: Mapping[str, Values],
        labels: Values,
        probability: Values,
        constant: Callable[[Any, int, pa.DataType], Values],
    ) -> dict[str, Values]:
        rows = len(probability)
        inputs = {ID_COLUMN: unit_ids if unit_ids is not None else [None] * rows}
        inputs.update(features)
        columns: dict[str, Values] = {
            "request_id": constant(request_id, rows, pa.string()),
            "timestamp": constant(int(at * 1_000_000), rows, pa.timestamp("us", tz="UTC")),
            "model_version": constant(model_version, rows, pa.string()),
            "variant": constant(variant, rows, pa.string()),
            "served": constant(served, rows, pa.bool_()),
            "experiment": constant(experiment, rows, pa.string()),
        }
        for name in self.schema.names:
            if name in inputs:
                values = inputs[name]
                if name in self.params.hashed:
                    values = [hash_value(value, self.params.hash_salt) for value in python(values)]
                columns[name] = values
        columns["prediction"] = labels
        columns["probability"] = probability
        return columns
