"""The file readers of `mlprod ab` and `mlprod drift`, on real CSV and Parquet files."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlprod.errors import InvalidData
from mlprod.tables import column_names, file_kind, iter_batches, read_table


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.csv", "csv"), ("a.CSV", "csv"), ("a.parquet", "parquet"), ("a.PQ", "parquet")],
)
def test_file_kind_comes_from_the_suffix(tmp_path, name, kind):
    (tmp_path / name).write_text("x\n1\n")
    assert file_kind(tmp_path / name) == kind


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "gone.csv"
    with pytest.raises(InvalidData) as error:
        file_kind(path)
    assert str(error.value) == f"{path} does not exist; check the path"


def test_other_file_types_are_refused_naming_the_suffix(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x\n1\n")
    with pytest.raises(InvalidData) as error:
        file_kind(path)
    assert str(error.value) == (
        f"{path}: unsupported file type '.txt'; give a .csv or .parquet file"
    )


def test_a_folder_without_parquet_files_is_refused_naming_it(tmp_path):
    folder = tmp_path / "d.csv"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n1\n")
    (folder / ".hidden.parquet").write_bytes(b"")
    with pytest.raises(InvalidData) as error:
        file_kind(folder)
    assert str(error.value) == (
        f"{folder} is a folder without .parquet files; give a .csv or .parquet file, "
        "or a folder of Parquet files"
    )


def test_a_folder_of_parquet_files_reads_as_one_table(tmp_path):
    """As Spark writes a result, or a project writes its prediction log: part files, with
    hidden, `_` and unfinished files beside them, and a later file with a new column."""
    folder = tmp_path / "log"
    (folder / "sub").mkdir(parents=True)
    pd.DataFrame({"x": [1, 2], "g": ["a", "b"]}).to_parquet(folder / "part-0.parquet")
    pd.DataFrame({"x": [3], "g": ["c"], "new": [0]}).to_parquet(folder / "sub" / "p1.parquet")
    pd.DataFrame({"x": [99], "g": ["z"]}).to_parquet(folder / ".open.parquet.tmp")
    pd.DataFrame({"x": [98], "g": ["z"]}).to_parquet(folder / ".hidden.parquet")
    (folder / "_temporary").mkdir()
    pd.DataFrame({"x": [97], "g": ["z"]}).to_parquet(folder / "_temporary" / "p.parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    assert file_kind(folder) == "parquet"
    assert column_names(folder) == ["x", "g"]  # "new" is not in every file
    batches = list(iter_batches(folder, ["x"]))
    assert [v for b in batches for v in b.column("x").to_pylist()] == [1, 2, 3]
    frame = read_table(folder)
    assert frame["x"].tolist() == [1, 2, 3] and frame["g"].astype(str).tolist() == ["a", "b", "c"]


def test_column_names_reads_the_header(tmp_path):
    (tmp_path / "a.csv").write_text("variant,converted\nA,1\n")
    assert column_names(tmp_path / "a.csv") == ["variant", "converted"]
    pq.write_table(pa.table({"x": [1], "y": ["a"]}), tmp_path / "a.parquet")
    assert column_names(tmp_path / "a.parquet") == ["x", "y"]


def test_empty_csv_is_refused(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("")
    with pytest.raises(InvalidData) as error:
        column_names(path)
    assert str(error.value) == f"{path} is empty; give a CSV file with a header row"


def test_repeated_column_names_are_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("b,a,b,a,c\n1,2,3,4,5\n")
    with pytest.raises(InvalidData) as error:
        column_names(path)
    assert str(error.value) == (
        f"{path} names column 'a', 'b' more than once; give each column a unique name"
    )


def test_malformed_file_is_named_with_the_reason(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InvalidData) as error:
        column_names(path)
    message = str(error.value)
    assert message.startswith(f"{path} could not be read (")
    assert message.endswith("); check its format")
    assert "\n" not in message


def test_iter_batches_reads_only_the_columns_asked_and_labels_as_text(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,variant,converted\n1,0,1\n2,1,0\n3,1,1\n")
    (batch,) = list(iter_batches(path, ["variant", "converted"], as_text=("variant",)))
    assert batch.schema.names == ["variant", "converted"]
    assert batch.schema.field("variant").type == pa.dictionary(pa.int32(), pa.string())
    assert batch.column(0).to_pylist() == ["0", "1", "1"]
    assert batch.column(1).to_pylist() == [1, 0, 1]


def test_iter_batches_names_the_file_when_a_row_is_malformed(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(InvalidData) as error:
        list(iter_batches(path, ["a", "b"]))
    assert str(error.value).startswith(f"{path} could not be read (")
    assert str(error.value).endswith("); check its format")


def test_iter_batches_reads_parquet_columns(tmp_path):
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"x": [1, 2], "y": ["a", "b"]}), path)
    batches = list(iter_batches(path, ["y"]))
    assert [batch.to_pydict() for batch in batches] == [{"y": ["a", "b"]}]


def test_iter_batches_refuses_repeated_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,a\n1,2\n")
    with pytest.raises(InvalidData, match="names column 'a' more than once"):
        list(iter_batches(path, ["a"]))


def test_read_table_keeps_the_columns_asked_in_file_order(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,x,2.5\n2,y,3.5\n")
    frame = read_table(path, ["c", "a", "zz"])
    assert list(frame.columns) == ["a", "c"]
    # Integers are read as floats: a later block may hold decimals or blanks.
    assert frame["a"].dtype == "float64" and frame["a"].tolist() == [1.0, 2.0]
    everything = read_table(str(path))
    assert list(everything.columns) == ["a", "b", "c"]
    assert isinstance(everything["b"].dtype, pd.CategoricalDtype)
    assert everything["b"].tolist() == ["x", "y"]


def test_read_table_reads_parquet_text_as_categories(tmp_path):
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"n": [1, 2], "s": ["a", "b"]}), path)
    frame = read_table(path)
    assert isinstance(frame["s"].dtype, pd.CategoricalDtype)
    assert frame["n"].dtype == "int64" and frame["n"].tolist() == [1, 2]
    assert list(read_table(path, ["s"]).columns) == ["s"]


def test_parquet_parts_that_disagree_on_a_type_are_refused_unless_left_out(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    # int32 and int64 are promoted to one type; numbers and text are not.
    pq.write_table(pa.table({"x": [1, 2], "y": [1, 2]}), folder / "a.parquet")
    pq.write_table(pa.table({"x": pa.array([3], pa.int32()), "y": ["a"]}), folder / "b.parquet")
    with pytest.raises(InvalidData) as raised:
        read_table(folder)
    assert str(raised.value) == (
        f"{folder}: its Parquet files disagree on the type of column 'y'; write it with one "
        "type in all of them"
    )
    assert read_table(folder, ["x"])["x"].tolist() == [1, 2, 3]


def test_every_column_the_parquet_parts_disagree_on_is_named(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.table({"x": [1], "y": [1], "z": [1]}), folder / "a.parquet")
    pq.write_table(pa.table({"x": ["a"], "y": [2], "z": ["b"]}), folder / "b.parquet")
    with pytest.raises(InvalidData) as raised:
        read_table(folder)
    assert str(raised.value) == (
        f"{folder}: its Parquet files disagree on the type of column 'x', 'z'; write it with "
        "one type in all of them"
    )


def test_read_table_rereads_when_a_later_block_changes_a_columns_type(tmp_path):
    # The first 4 MB block holds only numbers; a value further down is text. The types of
    # the first block cannot hold it, so the file is read again with types from all of it.
    path = tmp_path / "late.csv"
    rows = 800_000
    path.write_text("x,y\n" + "1.5,2\n" * rows + "text,3\n")
    assert path.stat().st_size > 4 << 20
    frame = read_table(path)
    assert len(frame) == rows + 1
    assert frame["x"].iloc[-1] == "text" and frame["x"].iloc[0] == "1.5"
    assert frame["y"].iloc[-1] == 3


def test_read_table_keeps_an_all_blank_column(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("a,b\n1,\n2,\n")
    frame = read_table(path)
    assert frame["a"].tolist() == [1.0, 2.0]
    assert frame["b"].isna().all() and len(frame) == 2


def test_read_table_of_a_header_only_csv_is_empty_with_its_columns(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("a,b\n")
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b"] and len(frame) == 0


def test_the_reread_keeps_only_the_columns_asked(tmp_path):
    path = tmp_path / "late.csv"
    rows = 800_000
    path.write_text("x,y,z\n" + "1.5,2,0\n" * rows + "text,3,0\n")
    frame = read_table(path, ["x", "y"])
    assert list(frame.columns) == ["x", "y"]
    assert frame["x"].iloc[-1] == "text" and frame["y"].iloc[-1] == 3


def test_a_malformed_row_past_the_first_block_is_named_with_the_file(tmp_path):
    # The header check reads only the first block; the row is found while reading on.
    path = tmp_path / "late-ragged.csv"
    path.write_text("a,b\n" + "1,2\n" * 400_000 + "3,4,5\n")
    assert column_names(path) == ["a", "b"]
    for read in (lambda: list(iter_batches(path, ["a", "b"])), lambda: read_table(path)):
        with pytest.raises(InvalidData) as error:
            read()
        assert str(error.value).startswith(f"{path} could not be read (")
        assert str(error.value).endswith("); check its format")
