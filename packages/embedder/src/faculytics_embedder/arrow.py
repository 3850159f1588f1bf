"""Apache Arrow I/O for bulk embeddings: id, text and a fixed_size_list<float32>[dim] column.

Files are an Arrow IPC file (``.arrow``, ``.feather``, ``.ipc``; uncompressed, one record batch) or
Parquet (``.parquet``, ``.pq``). The schema metadata names the model and its fingerprint, so
vectors from two models are never confused. Reading an IPC file memory-maps it and returns the
embeddings as a numpy view of the file's own buffer: no copy, whatever the size. Parquet must be
decoded, after which the view is again copy-free over the decoded buffer.

:func:`read_texts` reads the input side: CSV/TSV, JSON Lines or Parquet, with a text column and an
optional id column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from faculytics_contracts import name_some

__all__ = [
    "EMBEDDING_COLUMN",
    "ID_COLUMN",
    "META_DIMENSION",
    "META_FINGERPRINT",
    "META_MODEL",
    "TEXT_COLUMN",
    "EmbeddingTable",
    "InputFileError",
    "embeddings_table",
    "read_embeddings",
    "read_texts",
    "write_embeddings",
]

ID_COLUMN = "id"
TEXT_COLUMN = "text"
EMBEDDING_COLUMN = "embedding"
META_MODEL = b"faculytics.model"
META_FINGERPRINT = b"faculytics.fingerprint"
META_DIMENSION = b"faculytics.dimension"

_IPC_SUFFIXES = {".arrow", ".feather", ".ipc"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_CSV_SUFFIXES = {".csv", ".tsv"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


class InputFileError(ValueError):
    """An input or embeddings file is not what is needed; the message names what and where."""


@dataclass(frozen=True)
class EmbeddingTable:
    """A read embeddings file.

    Attributes
    ----------
    table : pyarrow.Table
        Columns id (string), text (string), embedding (fixed_size_list<float32>[dim]).
    embeddings : ndarray of shape (n_rows, dim), float32
        Read-only view of the embedding column's buffer (memory-mapped for IPC files).
    model_name, fingerprint : str
        From the schema metadata.
    """

    table: pa.Table
    embeddings: np.ndarray
    model_name: str
    fingerprint: str

    @property
    def ids(self) -> list[str]:
        return self.table.column(ID_COLUMN).to_pylist()

    @property
    def texts(self) -> list[str]:
        return self.table.column(TEXT_COLUMN).to_pylist()


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _IPC_SUFFIXES:
        return "ipc"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    raise InputFileError(
        f"Cannot tell the format of {path}: use one of "
        f"{', '.join(sorted(_IPC_SUFFIXES | _PARQUET_SUFFIXES))}."
    )


def embeddings_table(
    ids: Sequence[str],
    texts: Sequence[str],
    embeddings: np.ndarray,
    *,
    model_name: str,
    fingerprint: str,
) -> pa.Table:
    """Build the table: ``embeddings`` is an ndarray of shape (len(ids), dim), float32."""
    vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(ids) or len(texts) != len(ids):
        raise ValueError(
            f"need as many ids ({len(ids)}), texts ({len(texts)}) and embedding rows "
            f"({vectors.shape}) as each other, and a 2-d embedding array"
        )
    dim = vectors.shape[1]
    # from_arrays over the flat float32 values: zero-copy from numpy, and exactly the layout the
    # reader hands back as a view.
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), dim)
    schema = pa.schema(
        [
            pa.field(ID_COLUMN, pa.string(), nullable=False),
            pa.field(TEXT_COLUMN, pa.string(), nullable=False),
            pa.field(EMBEDDING_COLUMN, pa.list_(pa.float32(), dim), nullable=False),
        ],
        metadata={
            META_MODEL: model_name.encode(),
            META_FINGERPRINT: fingerprint.encode(),
            META_DIMENSION: str(dim).encode(),
        },
    )
    return pa.Table.from_arrays(
        [pa.array(list(ids), pa.string()), pa.array(list(texts), pa.string()), column],
        schema=schema,
    )


def write_embeddings(
    path: str | os.PathLike[str],
    ids: Sequence[str],
    texts: Sequence[str],
    embeddings: np.ndarray,
    *,
    model_name: str,
    fingerprint: str,
) -> Path:
    """Write an embeddings file; the format follows the suffix. Returns the path written.

    The file is written to a temporary name and renamed, so readers never see half a file.
    """
    path = Path(path)
    fmt = _format_of(path)
    table = embeddings_table(ids, texts, embeddings, model_name=model_name, fingerprint=fingerprint)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "ipc":
            # Uncompressed and one record batch: what memory-mapped zero-copy reading needs.
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table, max_chunksize=max(1, table.num_rows))
        else:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_embeddings(path: str | os.PathLike[str]) -> EmbeddingTable:
    """Read an embeddings file written by :func:`write_embeddings`.

    The embeddings come back as an ndarray of shape (n_rows, dim) that views the Arrow buffer
    (for IPC, the memory-mapped file) without copying. Raises InputFileError for a file without
    the embedding column or the faculytics metadata.
    """
    path = Path(path)
    if _format_of(path) == "ipc":
        # Not closed here: the table's buffers are views of the mapping and keep it alive.
        source = pa.memory_map(str(path), "r")
        table = pa.ipc.open_file(source).read_all()
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path, memory_map=True)
    metadata = table.schema.metadata or {}
    missing = [key.decode() for key in (META_MODEL, META_FINGERPRINT) if key not in metadata] + [
        name
        for name in (ID_COLUMN, TEXT_COLUMN, EMBEDDING_COLUMN)
        if name not in table.column_names
    ]
    if missing:
        raise InputFileError(
            f"{path} is not a faculytics embeddings file: missing {', '.join(missing)}."
        )
    return EmbeddingTable(
        table=table,
        embeddings=embedding_matrix(table.column(EMBEDDING_COLUMN)),
        model_name=metadata[META_MODEL].decode(),
        fingerprint=metadata[META_FINGERPRINT].decode(),
    )


def embedding_matrix(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """ndarray of shape (n_rows, dim) viewing a fixed_size_list<float32> column's values.

    Copy-free when the column is one chunk (as written here); several chunks are concatenated.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if not pa.types.is_fixed_size_list(column.type) or column.type.value_type != pa.float32():
        raise InputFileError(f"embedding column has type {column.type}, not fixed_size_list<float>")
    if column.null_count:
        raise InputFileError(f"embedding column has {column.null_count} null rows")
    dim = column.type.list_size
    # flatten() honours the array's offset (values would not) and is itself a zero-copy slice.
    flat = column.flatten().to_numpy(zero_copy_only=True)
    return flat.reshape(len(column), dim)


def read_texts(
    path: str | os.PathLike[str], text_column: str, id_column: str | None = None
) -> tuple[list[str], list[str]]:
    """Read ``(ids, texts)`` from a CSV/TSV, JSON Lines or Parquet file.

    Ids are kept as strings exactly as written (CSV "007" stays "007"); without ``id_column`` they
    are the 0-based row numbers. Raises InputFileError naming the missing column, or the rows
    whose text or id is empty/null, or the duplicated ids: nothing is silently dropped.
    """
    path = Path(path)
    table = _read_table(path, text_column, id_column)
    wanted = [text_column] + ([id_column] if id_column else [])
    absent = [name for name in wanted if name not in table.column_names]
    if absent:
        raise InputFileError(
            f"{path}: no column {', '.join(repr(a) for a in absent)}; the columns are "
            f"{name_some(table.column_names, limit=20)}."
        )
    texts_col = _as_strings(path, table.column(text_column), text_column)
    if id_column:
        ids_col = _as_strings(path, table.column(id_column), id_column)
        ids = ids_col.to_pylist()
    else:
        ids = [str(i) for i in range(table.num_rows)]
    texts = texts_col.to_pylist()

    null_ids = [
        ids[i] if ids[i] is not None else f"row {i}" for i, t in enumerate(texts) if t is None
    ]
    if null_ids:
        raise InputFileError(
            f"{path}: {len(null_ids)} rows have no {text_column!r} value "
            f"(ids {name_some(null_ids)})."
        )
    missing_ids = [i for i, value in enumerate(ids) if value is None or value == ""]
    if missing_ids:
        raise InputFileError(
            f"{path}: {len(missing_ids)} rows have an empty {id_column!r} "
            f"(rows {name_some([str(i) for i in missing_ids])})."
        )
    seen: set[str] = set()
    duplicates = sorted({value for value in ids if value in seen or seen.add(value)})
    if duplicates:
        raise InputFileError(
            f"{path}: {len(duplicates)} ids occur more than once in {id_column!r}: "
            f"{name_some(duplicates)}."
        )
    return ids, texts


def _read_table(path: Path, text_column: str, id_column: str | None) -> pa.Table:
    if not path.is_file():
        raise InputFileError(f"Input file {path} does not exist.")
    suffix = path.suffix.lower()
    try:
        if suffix in _CSV_SUFFIXES:
            import pyarrow.csv as pcsv

            # Read both columns as text: "007" must not become 7, nor "NA" a null.
            as_text = {name: pa.string() for name in (text_column, id_column) if name}
            return pcsv.read_csv(
                path,
                parse_options=pcsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ","),
                convert_options=pcsv.ConvertOptions(
                    column_types=as_text, strings_can_be_null=False
                ),
            )
        if suffix in _JSONL_SUFFIXES:
            import pyarrow.json as pjson

            return pjson.read_json(path)
        if suffix in _PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputFileError(f"Cannot read {path}: {error}") from error
    raise InputFileError(
        f"Cannot tell the format of {path}: use .csv, .tsv, .jsonl/.ndjson or .parquet."
    )


def _as_strings(path: Path, column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_integer(column.type) or pa.types.is_null(column.type):
        return pc.cast(column, pa.string())
    raise InputFileError(f"{path}: column {name!r} holds {column.type}, not text.")
