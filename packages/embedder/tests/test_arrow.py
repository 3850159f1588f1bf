"""Arrow/Parquet embeddings files and the CSV / JSON Lines / Parquet text readers."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faculytics_embedder.arrow import (
    InputFileError,
    read_embeddings,
    read_texts,
    write_embeddings,
)


def _vectors(n: int = 6, dim: int = 5) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)


def _values_buffer(table: pa.Table) -> pa.Buffer:
    column = table.column("embedding")
    assert column.num_chunks == 1
    return column.chunk(0).values.buffers()[1]


@pytest.mark.parametrize("name", ["out.arrow", "out.feather", "out.parquet"])
def test_round_trip_keeps_values_schema_and_metadata(tmp_path, name):
    vectors = _vectors()
    ids = [f"s-{i}" for i in range(6)]
    texts = ["maayo", "", "magaling", "fair grading", "ok", "init"]
    path = write_embeddings(
        tmp_path / name, ids, texts, vectors, model_name="tiny", fingerprint="abc123"
    )
    read = read_embeddings(path)
    assert read.embeddings.dtype == np.float32
    assert read.embeddings.tobytes() == vectors.tobytes()
    assert read.ids == ids and read.texts == texts
    assert (read.model_name, read.fingerprint) == ("tiny", "abc123")
    field = read.table.schema.field("embedding")
    assert pa.types.is_fixed_size_list(field.type) and field.type.list_size == 5
    assert field.type.value_type == pa.float32()
    assert not list(tmp_path.glob(".*.tmp"))  # written via a temporary name, then renamed


@pytest.mark.parametrize("name", ["out.arrow", "out.parquet"])
def test_embeddings_are_a_view_not_a_copy(tmp_path, name):
    path = write_embeddings(
        tmp_path / name,
        ["a", "b", "c"],
        ["x", "y", "z"],
        _vectors(3, 4),
        model_name="m",
        fingerprint="f",
    )
    read = read_embeddings(path)
    buffer = _values_buffer(read.table)
    assert read.embeddings.__array_interface__["data"][0] == buffer.address
    assert np.shares_memory(read.embeddings, np.frombuffer(buffer, dtype=np.uint8))
    assert not read.embeddings.flags.writeable


def test_ipc_file_is_memory_mapped(tmp_path):
    vectors = _vectors(2000, 512)  # 4 MB of floats
    ids = [str(i) for i in range(2000)]
    path = write_embeddings(
        tmp_path / "big.arrow", ids, ids, vectors, model_name="m", fingerprint="f"
    )
    before = pa.total_allocated_bytes()
    read = read_embeddings(path)
    # The vectors stay in the mapped file: Arrow allocates nothing near their size.
    assert pa.total_allocated_bytes() - before < vectors.nbytes // 10
    assert read.embeddings.tobytes() == vectors.tobytes()


def test_sliced_view_honours_offsets():
    from faculytics_embedder.arrow import embedding_matrix

    vectors = _vectors(6, 3)
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), 3)
    np.testing.assert_array_equal(embedding_matrix(column.slice(2, 3)), vectors[2:5])


def test_foreign_file_is_rejected(tmp_path):
    pq.write_table(pa.table({"id": ["a"], "text": ["x"]}), tmp_path / "other.parquet")
    with pytest.raises(InputFileError, match=r"missing faculytics\.model"):
        read_embeddings(tmp_path / "other.parquet")
    with pytest.raises(InputFileError, match="format"):
        write_embeddings(
            tmp_path / "x.csv", ["a"], ["x"], _vectors(1), model_name="m", fingerprint="f"
        )


def test_read_texts_from_csv_keeps_ids_and_texts_verbatim(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,comment\n007,"Maayo, kaayo"\n008,NA\n009,\n', encoding="utf-8")
    assert read_texts(path, "comment", "id") == (["007", "008", "009"], ["Maayo, kaayo", "NA", ""])
    ids, _ = read_texts(path, "comment")
    assert ids == ["0", "1", "2"]


def test_read_texts_from_jsonl_and_parquet(tmp_path):
    rows = [{"sid": 11, "body": "Magaling magturo"}, {"sid": 12, "body": "Lisod ang exam"}]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert read_texts(jsonl, "body", "sid") == (
        ["11", "12"],
        ["Magaling magturo", "Lisod ang exam"],
    )
    parquet = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    assert read_texts(parquet, "body", "sid") == (
        ["11", "12"],
        ["Magaling magturo", "Lisod ang exam"],
    )


def test_read_texts_names_what_is_wrong(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": "a", "text": "x"}\n{"id": "b"}\n{"id": "a", "text": "y"}\n', encoding="utf-8"
    )
    with pytest.raises(InputFileError, match=r"no column 'comment'; the columns are 'id', 'text'"):
        read_texts(path, "comment", "id")
    with pytest.raises(InputFileError, match=r"1 rows have no 'text' value \(ids 'b'\)"):
        read_texts(path, "text", "id")
    path.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"ids occur more than once in 'id': 'a'"):
        read_texts(path, "text", "id")
    with pytest.raises(InputFileError, match="does not exist"):
        read_texts(tmp_path / "missing.csv", "text")
    (tmp_path / "in.xlsx").write_bytes(b"")
    with pytest.raises(InputFileError, match="format"):
        read_texts(tmp_path / "in.xlsx", "text")
