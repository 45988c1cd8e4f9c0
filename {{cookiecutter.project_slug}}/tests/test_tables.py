from __future__ import annotations

import csv

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import tables
from {{ cookiecutter.module_name }}.errors import DataError
from {{ cookiecutter.module_name }}.sample import make_sample
from {{ cookiecutter.module_name }}.schema import ID_COLUMN


def test_read_table_reads_csv_and_parquet_and_refuses_others(tmp_path):
    frame = make_sample(20, seed=5).assign(customer_id=[f"{n:05d}" for n in range(20)])
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    # Ids that look like numbers stay text: 00001 is not 1.
    assert tables.read_table(tmp_path / "a.csv")[ID_COLUMN].tolist() == frame[ID_COLUMN].tolist()
    assert len(tables.read_table(tmp_path / "a.parquet")) == 20
    (tmp_path / "a.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match=r"unknown file type '\.xlsx'; use \.csv or \.parquet"):
        tables.read_table(tmp_path / "a.xlsx")
    with pytest.raises(DataError, match="not found"):
        tables.read_table(tmp_path / "missing.csv")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunks_cover_the_file_in_order(tmp_path, suffix):
    frame = make_sample(250, seed=5)
    path = tmp_path / f"a{suffix}"
    tables.write_table(frame, path)
    chunks, total = tables.read_chunks(path, 100)
    sizes = []
    ids = []
    for chunk in chunks:
        sizes.append(len(chunk))
        ids += chunk[ID_COLUMN].tolist()
    assert sizes == [100, 100, 50]
    assert ids == frame[ID_COLUMN].tolist()
    assert total == (250 if suffix == ".parquet" else None)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_writer_appends_chunks_into_one_table(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    writer = tables.TableWriter(path)
    writer.write(pd.DataFrame({"id": pd.array(["a", "b"], dtype="string"), "p": [0.25, 0.5]}))
    writer.write(
        pd.DataFrame({"id": pd.array([], dtype="string"), "p": pd.Series([], dtype=float)})
    )
    writer.write(pd.DataFrame({"id": pd.array(["c"], dtype="string"), "p": [1.0]}))
    writer.close()
    written = tables.read_table(path)
    assert written["id"].tolist() == ["a", "b", "c"]
    assert written["p"].tolist() == [0.25, 0.5, 1.0]


def test_csv_output_is_valid_csv_whatever_the_text(tmp_path):
    path = tmp_path / "out.csv"
    awkward = ["plain", 'say "hi", then go', "two\nlines"]
    writer = tables.TableWriter(path)
    writer.write(pd.DataFrame({"id": pd.array(awkward, dtype="string"), "p": [0.5, 1.0, 0.0]}))
    writer.close()
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [["id", "p"], ["plain", "0.5"], ['say "hi", then go', "1"], ["two\nlines", "0"]]
