"""A content-addressed store of reduced embeddings: ``<key>.npy`` files plus an in-process memo.

The key is a SHA-256 of everything the reduction depends on (the input matrix's bytes, shape and
dtype, the guided labels, the reducer's parameters and the library version), so a hit is exactly
the array the reducer would compute again. Files are written atomically and read with
``allow_pickle=False``; a file that does not hold a finite float array of the expected shape is
ignored (and overwritten by the recomputed one), never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class CacheStats:
    """Counters of one cache's lifetime; a sweep reads them to show what it reused."""

    memory_hits: int = 0
    disk_hits: int = 0
    misses: int = 0
    rejected: int = 0  # files present but unreadable, pickled, or of the wrong shape/dtype
    writes: int = 0

    @property
    def hits(self) -> int:
        return self.memory_hits + self.disk_hits


def hash_key(array: np.ndarray, params: dict[str, Any], labels: np.ndarray | None = None) -> str:
    """SHA-256 hex digest of ``array`` (bytes, shape, dtype), optional ``labels`` and ``params``."""
    digest = hashlib.sha256()
    array = np.ascontiguousarray(array)
    digest.update(json.dumps([list(array.shape), array.dtype.str]).encode())
    digest.update(memoryview(array).cast("B"))
    if labels is not None:
        labels = np.ascontiguousarray(np.asarray(labels, dtype=np.int64))
        digest.update(b"labels")
        digest.update(memoryview(labels).cast("B"))
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    return digest.hexdigest()


class ReductionCache:
    """Reduced embeddings by key, in memory (LRU) and optionally on disk.

    Parameters
    ----------
    directory : path or None
        Where ``<key>.npy`` files live; None keeps the cache in memory only.
    max_memory_entries : int
        How many arrays the in-process memo keeps, so a sweep in one process never re-reads.
    """

    def __init__(self, directory: str | Path | None = None, max_memory_entries: int = 8) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.max_memory_entries = max_memory_entries
        self.stats = CacheStats()
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.npy"

    def _remember(self, key: str, array: np.ndarray) -> None:
        array.setflags(write=False)  # callers share it; nobody may change a cached result
        self._memory[key] = array
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_memory_entries:
            self._memory.popitem(last=False)

    def get(self, key: str, shape: tuple[int, ...]) -> np.ndarray | None:
        """The cached array for ``key`` if one of exactly ``shape`` exists, else None."""
        if key in self._memory:
            self._memory.move_to_end(key)
            self.stats.memory_hits += 1
            return self._memory[key]
        if self.directory is not None and self._path(key).is_file():
            array = self._read(self._path(key), shape)
            if array is not None:
                self.stats.disk_hits += 1
                self._remember(key, array)
                return array
            self.stats.rejected += 1
        self.stats.misses += 1
        return None

    @staticmethod
    def _read(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
        try:
            # allow_pickle=False: an object array (or anything pickled) raises instead of loading.
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            logger.warning("Ignoring unreadable reduction cache file %s: %s", path.name, error)
            return None
        if (
            not isinstance(array, np.ndarray)
            or array.shape != tuple(shape)
            or array.dtype.kind != "f"
            or not np.isfinite(array).all()
        ):
            logger.warning(
                "Ignoring reduction cache file %s: expected finite floats of shape %s, found %s %s",
                path.name,
                tuple(shape),
                getattr(array, "dtype", type(array).__name__),
                getattr(array, "shape", None),
            )
            return None
        return array

    def put(self, key: str, array: np.ndarray) -> np.ndarray:
        """Store ``array`` under ``key`` (memo, and disk if configured); return the stored array."""
        array = np.array(array, dtype=np.float32, copy=True)
        self._remember(key, array)
        if self.directory is not None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                # Atomic: write a temporary file in the same folder, then rename over the key,
                # so a reader never sees half a file even with two workers on one volume.
                handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".npy.tmp")
                with os.fdopen(handle, "wb") as stream:
                    np.save(stream, array, allow_pickle=False)
                Path(temporary).replace(self._path(key))
                self.stats.writes += 1
            except OSError as error:
                # A read-only or full volume costs the next run a recomputation, nothing more.
                logger.warning("Could not write reduction cache file for %s: %s", key[:12], error)
        return array
