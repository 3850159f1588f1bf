"""Read a corpus file for sweeps and reports: CSV, JSON Lines, Parquet or the embedder's Arrow file.

A corpus is one row per comment with an id column and a text column; an ``embedding`` column
(one list of floats per row) is optional. A request JSON (``{"items": [...], "params": {...}}``,
or its RunPod ``{"input": ...}`` envelope) is read as a corpus too, keeping its parameters.
Problems are reported with the rows they concern and nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from faculytics_contracts import ErrorCode, JobInputError, name_some

ID_CANDIDATES = ("id", "submissionId", "submission_id")
TEXT_CANDIDATES = ("text", "comment")
EMBEDDING_CANDIDATES = ("embedding", "embeddings")

_SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}


class CorpusError(JobInputError):
    """A corpus file that cannot be read as id + text (+ embedding) rows."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID_REQUEST, message)


@dataclass(frozen=True)
class Corpus:
    """Comments read from a file.

    Attributes
    ----------
    ids : list of str, length n_documents
    texts : list of str, length n_documents
    embeddings : ndarray of shape (n_documents, dim), float32, or None when the file has none
    source : Path or None
    params : dict or None
        The ``params`` object when the file is a request JSON.
    model_name : str or None
        The model that made ``embeddings``, when the file says (the embedder's Arrow files do).
    """

    ids: list[str]
    texts: list[str]
    embeddings: np.ndarray | None = None
    source: Path | None = None
    params: dict | None = None
    model_name: str | None = None

    def __len__(self) -> int:
        return len(self.ids)


def _read_arrow(path: Path) -> pd.DataFrame:
    # An IPC file that is not the embedder's (no faculytics metadata): plain Arrow, file format
    # first, then stream format.
    import pyarrow as pa
    import pyarrow.ipc

    try:
        with pa.memory_map(str(path)) as source:
            return pyarrow.ipc.open_file(source).read_all().to_pandas()
    except pa.ArrowInvalid:
        with pa.memory_map(str(path)) as source:
            return pyarrow.ipc.open_stream(source).read_all().to_pandas()


def _read_embeddings_file(path: Path) -> Corpus | None:
    """The embedder's own Arrow/Parquet embeddings file, or None when ``path`` is not one."""
    from faculytics_embedder.arrow import InputFileError, read_embeddings

    try:
        table = read_embeddings(path)
    except (InputFileError, ValueError, OSError):
        return None
    return Corpus(
        ids=[str(i) for i in table.ids],
        texts=table.texts,
        # A private copy: the reader's view maps the file, which may change under us.
        embeddings=np.array(table.embeddings, dtype=np.float32),
        source=path,
        model_name=table.model_name,
    )


def _read_request(path: Path) -> tuple[pd.DataFrame, dict] | None:
    """A request JSON's items (wire names) and params, or None when ``path`` is not one."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # JSON Lines, read by pandas below
    if isinstance(data, dict) and isinstance(data.get("input"), dict):
        data = data["input"]
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CorpusError(
            f"Cannot read corpus {path}: a JSON file must be a request "
            '({"items": [{"submissionId", "text", "embedding"?}, ...]}) or JSON Lines.'
        )
    frame = pd.DataFrame(data["items"])
    return frame, data.get("params") or {}


def _read_frame(path: Path) -> pd.DataFrame:
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(
            f"Cannot read corpus {path}: unknown file type {path.suffix!r}; use one of "
            f"{', '.join(sorted(_SUFFIXES))}."
        )
    if not path.is_file():
        raise CorpusError(f"Cannot read corpus {path}: no such file.")
    try:
        if kind == "csv":
            # Ids stay strings ("007" is not 7); text cells are read as written.
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if kind == "jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        if kind == "parquet":
            return pd.read_parquet(path)
        return _read_arrow(path)
    except (ValueError, OSError) as error:
        raise CorpusError(f"Cannot read corpus {path} as {kind}: {error}") from None


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not np.isfinite(value))


def _pick(frame: pd.DataFrame, given: str | None, candidates: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in frame.columns:
            raise CorpusError(
                f"Corpus has no {what} column {given!r}; its columns are "
                f"{name_some([str(c) for c in frame.columns], 10)}."
            )
        return given
    for name in candidates:
        if name in frame.columns:
            return name
    return ""


def _embeddings(frame: pd.DataFrame, column: str, ids: list[str]) -> np.ndarray:
    cells = frame[column].tolist()
    missing = [ids[i] for i, cell in enumerate(cells) if cell is None or np.size(cell) == 0]
    if missing:
        raise CorpusError(
            f"Corpus column {column!r} has no embedding for id(s) {name_some(missing)}."
        )
    lengths = [int(np.size(cell)) for cell in cells]
    dim = max(set(lengths), key=lengths.count)
    wrong = [ids[i] for i, length in enumerate(lengths) if length != dim]
    if wrong:
        raise CorpusError(
            f"Corpus embeddings must all have {dim} values; id(s) {name_some(wrong)} differ."
        )
    matrix = np.asarray([np.asarray(cell, dtype=np.float32) for cell in cells], dtype=np.float32)
    bad = [ids[i] for i in np.flatnonzero(~np.isfinite(matrix).all(axis=1))]
    if bad:
        raise CorpusError(f"Corpus embeddings of id(s) {name_some(bad)} are not finite.")
    return matrix


def read_corpus(
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    embedding_column: str | None = None,
) -> Corpus:
    """Read ``path`` into a :class:`Corpus`.

    Columns default to the first present of ``id``/``submissionId``/``submission_id`` (else
    ids are 0-based row numbers, as the embedder numbers them), ``text``/``comment``, and
    ``embedding``/``embeddings`` (optional). The embedder's own Arrow/Parquet embeddings files
    are read through its reader and keep the model name they record.

    Raises
    ------
    CorpusError
        Unknown file type, missing column, blank texts, duplicate ids or unusable embeddings,
        naming the ids concerned.
    """
    path = Path(path)
    if _SUFFIXES.get(path.suffix.lower()) in ("arrow", "parquet") and path.is_file():
        written = _read_embeddings_file(path)
        if written is not None and text_column in (None, "text") and id_column in (None, "id"):
            return _checked(written)
    request = _read_request(path) if path.suffix.lower() == ".json" and path.is_file() else None
    frame, params = request if request is not None else (_read_frame(path), None)
    if frame.empty:
        raise CorpusError(f"Corpus {path} has no rows.")
    text_name = _pick(frame, text_column, TEXT_CANDIDATES, "text")
    if not text_name:
        raise CorpusError(
            f"Corpus {path} has no text column; pass --text-column (columns: "
            f"{name_some([str(c) for c in frame.columns], 10)})."
        )
    id_name = _pick(frame, id_column, ID_CANDIDATES, "id")
    ids = (
        [str(value) for value in frame[id_name].tolist()]
        if id_name
        else [str(row) for row in range(len(frame))]
    )
    texts = ["" if _is_missing(value) else str(value) for value in frame[text_name].tolist()]
    embedding_name = _pick(frame, embedding_column, EMBEDDING_CANDIDATES, "embedding")
    embeddings = _embeddings(frame, embedding_name, ids) if embedding_name else None
    return _checked(Corpus(ids=ids, texts=texts, embeddings=embeddings, source=path, params=params))


def _checked(corpus: Corpus) -> Corpus:
    ids = corpus.ids
    if len(set(ids)) < len(ids):
        seen: set[str] = set()
        repeated = sorted({i for i in ids if i in seen or seen.add(i)})
        raise CorpusError(f"Corpus ids must be unique; repeated: {name_some(repeated)}.")
    blank = [ids[i] for i, text in enumerate(corpus.texts) if not text.strip()]
    if blank:
        raise CorpusError(f"Corpus has {len(blank)} blank text(s): id(s) {name_some(blank)}.")
    return corpus
