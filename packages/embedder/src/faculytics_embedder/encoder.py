"""The Embedder: texts -> L2-normalised float32 vectors, computing each distinct text once."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faculytics_embedder.cache import (
    DEFAULT_SIZE_LIMIT,
    EmbeddingCache,
    cache_key,
    resolve_cache_dir,
)
from faculytics_embedder.fingerprint import model_fingerprint
from faculytics_embedder.models import (
    DEFAULT_BATCH_SIZES,
    device_kind,
    load_sentence_transformer,
    pick_device,
    resolve_model,
)

__all__ = ["Embedder", "EncodeStats"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EncodeStats:
    """What one :meth:`Embedder.encode` call did.

    ``hits`` and ``misses`` count distinct texts: a text repeated in one call is looked up and
    computed at most once. ``misses`` is the number of texts the model encoded.
    """

    n_texts: int = 0
    n_unique: int = 0
    hits: int = 0
    misses: int = 0
    seconds: float = 0.0

    @property
    def hit_rate(self) -> float:
        """Share of distinct texts served from the cache (0.0 when there were none)."""
        return self.hits / self.n_unique if self.n_unique else 0.0


class Embedder:
    """Sentence embeddings with a persistent, content-addressed cache.

    Parameters
    ----------
    model : str or path, optional
        Hub name, local folder or alias ("labse", "minilm"); see :func:`resolve_model`.
    cache_dir : str or path, optional
        Root cache folder (see :func:`resolve_cache_dir`); vectors live in ``cache_dir /
        "embeddings"``, fingerprint sidecars in ``cache_dir / "fingerprints"``.
    device : str, optional
        Torch device; default CUDA, then MPS, then CPU. CUDA runs in float16.
    batch_size : int, optional
        Texts per forward pass; default per device (:data:`DEFAULT_BATCH_SIZES`).
    show_progress_bar : bool, default False
        Show sentence-transformers' progress bar while computing.
    use_cache : bool, default True
        False computes every text and touches no cache folder.
    cache_size_limit : int, default DEFAULT_SIZE_LIMIT
        Bytes the vector cache may use before the oldest entries are evicted.

    The model is loaded in ``__init__`` so that a worker's preflight fails fast on a missing or
    unsafe model.

    Attributes
    ----------
    model_name : str
        The resolved model name or folder.
    model_folder : Path
        Local folder the weights were loaded from.
    fingerprint : str
        Identity of the vectors this embedder produces: a hash of the model files (see
        :func:`~faculytics_embedder.fingerprint.model_fingerprint`), combined with the precision
        when it is not float32. Part of every cache key and of every file written.
    dimension : int
        Length of each vector.
    device : str
        Device the model runs on.
    cache_dir : Path or None
        Root cache folder in use; None when running without a cache (disabled or unusable).
    sentence_transformer : SentenceTransformer
        The loaded model.
    last_stats : EncodeStats
        Counts and time of the last :meth:`encode` call.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        device: str | None = None,
        batch_size: int | None = None,
        show_progress_bar: bool = False,
        use_cache: bool = True,
        cache_size_limit: int = DEFAULT_SIZE_LIMIT,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.show_progress_bar = show_progress_bar
        self.use_cache = use_cache
        self.cache_size_limit = cache_size_limit

        self.model_name = resolve_model(model)
        self.device = pick_device(device)
        self._batch_size = batch_size or DEFAULT_BATCH_SIZES.get(device_kind(self.device), 32)
        if self._batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.sentence_transformer, self.model_folder = load_sentence_transformer(
            self.model_name, self.device, quiet=not show_progress_bar
        )
        dimension = self.sentence_transformer.get_embedding_dimension()
        if not dimension:
            raise ValueError(f"Model {self.model_name} does not report an embedding dimension.")
        self.dimension = int(dimension)
        self.precision = "float16" if device_kind(self.device) == "cuda" else "float32"

        root = resolve_cache_dir(cache_dir) if use_cache else None
        self._cache = (
            EmbeddingCache.open(root / "embeddings", self.dimension, size_limit=cache_size_limit)
            if root is not None
            else None
        )
        self.cache_dir: Path | None = root if self._cache is not None else None
        # New vectors are written by one background thread, so the write (one SQLite transaction,
        # tens of thousands of rows a second) overlaps with whatever the caller does next instead
        # of adding to encode()'s time; on a GPU it would otherwise rival the model's own time.
        # The next encode() and flush() wait for it; so does interpreter exit. Started on first
        # use, and dropped when copied or pickled (see __getstate__).
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        files = model_fingerprint(
            self.model_folder, memo_dir=root / "fingerprints" if self.cache_dir else None
        )
        # float16 vectors differ from float32 ones in the last digits: keep them apart.
        self.fingerprint = (
            files
            if self.precision == "float32"
            else hashlib.sha256(f"{files}|{self.precision}".encode()).hexdigest()[:32]
        )
        self.last_stats = EncodeStats()

    def __repr__(self) -> str:
        return (
            f"Embedder(model={self.model_name!r}, device={self.device!r}, dim={self.dimension}, "
            f"fingerprint={self.fingerprint[:12]!r}, cache_dir={self.cache_dir!s})"
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``.

        Parameters
        ----------
        texts : sequence of str
            May contain duplicates and empty strings.

        Returns
        -------
        ndarray of shape (len(texts), dimension), float32
            One L2-normalised row per text, in order. Texts found in the cache are not recomputed;
            repeated texts are computed once. New vectors are stored in the cache in the
            background (see :meth:`flush`).
        """
        start = time.perf_counter()
        texts = _check_texts(texts)
        index: dict[str, int] = {}
        inverse = np.fromiter(
            (index.setdefault(text, len(index)) for text in texts), dtype=np.intp, count=len(texts)
        )
        unique = list(index)

        if self._cache is not None and unique:
            self.flush()  # vectors of the previous call are then visible to this lookup
            keys = [cache_key(self.fingerprint, text) for text in unique]
            vectors, found = self._cache.get_many(keys)
        else:
            keys = []
            vectors = np.empty((len(unique), self.dimension), dtype=np.float32)
            found = np.zeros(len(unique), dtype=bool)

        missing = np.flatnonzero(~found)
        if missing.size:
            computed = self._compute([unique[i] for i in missing])
            vectors[missing] = computed
            if self._cache is not None:
                if self._writer is None:
                    self._writer = ThreadPoolExecutor(1, thread_name_prefix="faculytics-cache")
                # ``computed`` is private (its values were copied into ``vectors``), so the
                # writer thread reads it while the caller is free to change the result.
                self._pending = self._writer.submit(
                    self._cache.set_many, [keys[i] for i in missing], computed
                )

        # Dict order is first-occurrence order, so without duplicates the rows are already in
        # place and no gather copy is needed.
        result = vectors if len(unique) == len(texts) else vectors[inverse]
        self.last_stats = EncodeStats(
            n_texts=len(texts),
            n_unique=len(unique),
            hits=len(unique) - int(missing.size),
            misses=int(missing.size),
            seconds=time.perf_counter() - start,
        )
        logger.info(
            "Embedded %d texts (%d distinct): %d from cache, %d computed in %.2fs",
            self.last_stats.n_texts,
            self.last_stats.n_unique,
            self.last_stats.hits,
            self.last_stats.misses,
            self.last_stats.seconds,
        )
        return result

    def __getstate__(self) -> dict:
        # Copies (BERTopic deep-copies its model, embedding backend included) and pickles get no
        # writer thread, which cannot be copied; they start their own when they first write.
        self.flush()
        state = self.__dict__.copy()
        state["_writer"] = None
        state["_pending"] = None
        return state

    def flush(self) -> None:
        """Wait until every vector computed so far is stored in the cache."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # set_many reports I/O trouble as warnings; this re-raises bugs only

    def close(self) -> None:
        """Flush pending cache writes and release the cache; encode() then runs uncached."""
        self.flush()
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None
            self.cache_dir = None

    def _compute(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers sorts each call's texts by length (longest first) before batching,
        # so padding stays small; sorting here as well would only repeat that work.
        embeddings = self.sentence_transformer.encode(
            texts,
            batch_size=self._batch_size,
            show_progress_bar=self.show_progress_bar,
            convert_to_numpy=True,
        )
        vectors = np.asarray(embeddings, dtype=np.float32).reshape(len(texts), self.dimension)
        # Normalise in float32 whatever the model ends with (float16 output, or no Normalize
        # module): the contract is unit rows. A zero vector stays zero rather than becoming NaN.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(
            "encode() takes a sequence of texts, not a single string: wrap it in a list"
        )
    texts = list(texts)
    bad = [i for i, text in enumerate(texts) if not isinstance(text, str)]
    if bad:
        shown = ", ".join(str(i) for i in bad[:5]) + (
            f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        )
        raise TypeError(f"encode() needs str texts; items at positions {shown} are not str")
    return texts
