"""Content-addressed text -> vector cache on diskcache (SQLite), safe to share and never unpickled.

A key is ``sha256(namespace + "\\0" + text)`` where the namespace is the model fingerprint, so two
models never share entries and identical texts are stored once. A value is the vector's raw float32
bytes (``dimension * 4`` of them), stored inline in the SQLite row.

Safety and faults:

- diskcache unpickles any row whose ``mode`` column says pickle. :class:`SafeDisk` refuses that
  mode (and file-backed modes) on every read path and writes nothing but raw bytes, and the bulk
  reader here checks the mode itself, so a tampered row on a shared volume is a miss, not code
  execution.
- A row of the wrong size or mode is a miss: the caller recomputes it and :meth:`set_many`
  overwrites it; a warning says how many.
- A damaged database file is moved aside (``cache.db.damaged-...``, nothing deleted) and a fresh
  one started, with a warning. A folder that cannot be written means no cache
  (:meth:`EmbeddingCache.open` warns and returns None); the caller embeds without one.
- Several processes may share a folder: SQLite locking, WAL journal on local disks. On RunPod's
  network volume (possibly mounted by several machines) the rollback journal is used, since WAL
  needs shared memory that network filesystems do not provide.

Reads are pure reads (eviction is least-recently-stored), batched into ``IN (...)`` queries of a
few hundred keys inside one read transaction; writes are one upsert transaction per call. The
bulk paths talk SQL to diskcache's ``Cache`` table (diskcache 5.x layout) because per-key
``get``/``set`` calls cap out near the 50,000 texts/s this cache must serve.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import diskcache
import numpy as np
from diskcache.core import MODE_RAW

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_SIZE_LIMIT",
    "RUNPOD_VOLUME",
    "CacheWarning",
    "EmbeddingCache",
    "SafeDisk",
    "UnsafeCacheEntryError",
    "cache_key",
    "resolve_cache_dir",
]

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "FACULYTICS_CACHE_DIR"
#: RunPod's network volume; when it is mounted, caches live on it so every worker shares them.
RUNPOD_VOLUME = Path("/runpod-volume")
#: 4 GiB holds about 1.3 million LaBSE vectors (3 KiB each plus row overhead).
DEFAULT_SIZE_LIMIT = 4 * 2**30
_DB_NAME = diskcache.core.DBNAME
_BATCH = 500  # keys per IN (...) query: well under SQLite's bound-parameter limit
# An upsert keeps diskcache's count/size triggers right (INSERT OR REPLACE would skip the delete
# triggers) and resets every column, so a tampered row is fully replaced.
_UPSERT = (
    "INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag, size,"
    f" mode, filename, value) VALUES (?, 1, ?, NULL, ?, 0, NULL, 0, {MODE_RAW}, NULL, ?)"
    " ON CONFLICT(key, raw) DO UPDATE SET store_time = excluded.store_time,"
    " access_time = excluded.access_time, expire_time = NULL, access_count = 0, tag = NULL,"
    f" size = 0, mode = {MODE_RAW}, filename = NULL, value = excluded.value"
)


class CacheWarning(UserWarning):
    """The cache misbehaved (damaged, unwritable, bad entries); the work goes on without it."""


class UnsafeCacheEntryError(OSError):
    """A cache row in a mode that is never read: pickle, or a file outside the database.

    An OSError so that diskcache's own ``get`` treats it as a missing key.
    """


def resolve_cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Root folder of the caches: argument > ``$FACULYTICS_CACHE_DIR`` > RunPod volume > user cache.

    The RunPod choice is ``/runpod-volume/faculytics-cache`` and applies when ``/runpod-volume``
    is mounted; otherwise the platform's user cache folder for "faculytics" is used.
    """
    if path is not None and os.fspath(path).strip():
        return Path(path).expanduser()
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if RUNPOD_VOLUME.is_dir():
        return RUNPOD_VOLUME / "faculytics-cache"
    import platformdirs

    return platformdirs.user_cache_path("faculytics")


def cache_key(namespace: str, text: str) -> bytes:
    """32-byte key of ``text`` under ``namespace`` (the model fingerprint)."""
    # surrogatepass: a lone surrogate (broken UTF-16 from a client) still gets a stable key.
    return hashlib.sha256(f"{namespace}\0{text}".encode("utf-8", "surrogatepass")).digest()


class SafeDisk(diskcache.Disk):
    """A diskcache Disk that stores and returns raw bytes only and never unpickles.

    Keys must be ``bytes`` or ``str``; values must be ``bytes`` and are always kept inline in the
    database (no side files). Reading a row whose mode is pickle, binary-file or text-file raises
    :class:`UnsafeCacheEntryError` instead of touching ``pickle`` or the filesystem.
    """

    def put(self, key):
        if type(key) is bytes:
            return sqlite3.Binary(key), True
        if type(key) is str:
            return key, True
        raise TypeError(f"SafeDisk keys must be bytes or str, not {type(key).__name__}")

    def get(self, key, raw):
        if not raw:
            raise UnsafeCacheEntryError("cache key stored as a pickle: refused")
        return bytes(key) if type(key) is sqlite3.Binary else key

    def store(self, value, read, key=diskcache.core.UNKNOWN):
        if read or type(value) is not bytes:
            raise TypeError(f"SafeDisk stores bytes only, not {type(value).__name__}")
        return 0, MODE_RAW, None, sqlite3.Binary(value)

    def fetch(self, mode, filename, value, read):
        if mode != MODE_RAW or filename is not None or read:
            raise UnsafeCacheEntryError(f"cache entry in mode {mode!r}: refused (raw bytes only)")
        return bytes(value) if type(value) is sqlite3.Binary else value


def _warn(message: str) -> None:
    logger.warning(message)
    warnings.warn(message, CacheWarning, stacklevel=3)


def _move_aside(directory: Path) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        damaged = directory / (_DB_NAME + suffix)
        if damaged.exists():
            damaged.replace(directory / f"{_DB_NAME}{suffix}.damaged-{stamp}-{os.getpid()}")


def _on_network_volume(directory: Path) -> bool:
    try:
        return directory.resolve().is_relative_to(RUNPOD_VOLUME.resolve())
    except OSError:
        return False


class EmbeddingCache:
    """Vectors of one dimension, keyed by :func:`cache_key`, in a diskcache folder.

    Parameters
    ----------
    directory : Path
        The diskcache folder (created if missing).
    dimension : int
        Length of every vector; entries of any other size are treated as damaged.
    size_limit : int, default DEFAULT_SIZE_LIMIT
        Bytes on disk before the oldest-stored entries are evicted.
    """

    def __init__(self, directory: Path, dimension: int, *, size_limit: int = DEFAULT_SIZE_LIMIT):
        self.directory = Path(directory)
        self.dimension = int(dimension)
        self.size_limit = int(size_limit)
        self._nbytes = self.dimension * 4
        try:
            self._cache = self._connect()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError):
                raise  # locked, unwritable, missing: the file is not damaged, leave it be
            _warn(
                f"Embedding cache {self.directory / _DB_NAME} is damaged ({error}); moved it "
                "aside and started a new one."
            )
            _move_aside(self.directory)
            self._cache = self._connect()

    @classmethod
    def open(
        cls, directory: Path, dimension: int, *, size_limit: int = DEFAULT_SIZE_LIMIT
    ) -> EmbeddingCache | None:
        """The cache in ``directory``, or None (with a :class:`CacheWarning`) if it is unusable."""
        try:
            cache = cls(directory, dimension, size_limit=size_limit)
            cache._probe_writable()
            return cache
        except (OSError, sqlite3.Error, diskcache.Timeout) as error:
            _warn(
                f"Embedding cache folder {directory} is not usable ({type(error).__name__}: "
                f"{error}); embedding without a cache."
            )
            return None

    def _connect(self) -> diskcache.Cache:
        journal = "delete" if _on_network_volume(self.directory) else "wal"
        cache = diskcache.Cache(
            str(self.directory),
            timeout=60,
            disk=SafeDisk,
            size_limit=self.size_limit,
            eviction_policy="least-recently-stored",  # reads stay read-only
            statistics=0,
            sqlite_journal_mode=journal,
            sqlite_mmap_size=2**28,  # read hits straight from the page cache
        )
        cache._sql("SELECT COUNT(*) FROM Cache").fetchall()  # surface a damaged file now
        return cache

    def _probe_writable(self) -> None:
        # Opening can succeed on a read-only folder (SQLite opens read-only); find out now
        # rather than at the first write.
        with self._cache.transact(retry=True):
            self._cache._sql("UPDATE Settings SET value = value WHERE key = 'count'")

    def __len__(self) -> int:
        return len(self._cache)

    def close(self) -> None:
        self._cache.close()

    def get_many(self, keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Look up ``keys`` in one read transaction.

        Returns
        -------
        vectors : ndarray of shape (len(keys), dimension), float32
            Cached vectors; rows of keys not found are uninitialised.
        found : ndarray of shape (len(keys),), bool
            True where a valid entry was found. Entries of the wrong size or a refused mode count
            as not found (with a warning) so that the caller recomputes and overwrites them.
        """
        n = len(keys)
        vectors = np.empty((n, self.dimension), dtype=np.float32)
        found = np.zeros(n, dtype=bool)
        if n == 0:
            return vectors, found
        position = {key: i for i, key in enumerate(keys)}
        flat = vectors.reshape(-1).view(np.uint8)
        wrong_size = refused = 0
        try:
            rows = self._select(list(position))
        except sqlite3.DatabaseError as error:
            self._recover(error)
            return vectors, found
        for key, mode, filename, value in rows:
            i = position.get(bytes(key))
            if i is None:
                continue
            # Checked here, not through SafeDisk.fetch, to keep the hot loop tight; same rule.
            if mode != MODE_RAW or filename is not None or not isinstance(value, bytes):
                refused += 1
                continue
            if len(value) != self._nbytes:
                wrong_size += 1
                continue
            flat[i * self._nbytes : (i + 1) * self._nbytes] = np.frombuffer(value, dtype=np.uint8)
            found[i] = True
        if wrong_size or refused:
            problems = []
            if wrong_size:
                problems.append(f"{wrong_size} of the wrong size")
            if refused:
                problems.append(f"{refused} in a refused storage mode (pickle or file)")
            _warn(
                f"Embedding cache {self.directory}: {' and '.join(problems)} "
                "treated as missing; recomputing and overwriting them."
            )
        return vectors, found

    def _select(self, keys: list[bytes]) -> list[tuple]:
        sql = self._cache._sql
        rows: list[tuple] = []
        sql("BEGIN")  # one read snapshot for the whole lookup, instead of one per query
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows += sql(
                    "SELECT key, mode, filename, value FROM Cache"
                    f" WHERE raw = 1 AND key IN ({marks})",
                    batch,
                ).fetchall()
        finally:
            sql("COMMIT")
        return rows

    def set_many(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store ``vectors`` (ndarray of shape (len(keys), dimension)) under ``keys``.

        One write transaction; existing entries (e.g. damaged ones) are overwritten; the oldest
        entries are evicted when the cache outgrows ``size_limit``. A failed write (disk full,
        lock timeout) loses only the caching, with a warning.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(keys), self.dimension):
            raise ValueError(
                f"vectors of shape {vectors.shape} do not match {len(keys)} keys of dimension "
                f"{self.dimension}"
            )
        if not len(keys):
            return
        now = time.time()
        rows = [
            (sqlite3.Binary(key), now, now, sqlite3.Binary(vector.tobytes()))
            for key, vector in zip(keys, vectors, strict=True)
        ]
        try:
            with self._cache.transact(retry=True):
                # Same connection as transact() (diskcache keeps one per thread).
                self._cache._con.executemany(_UPSERT, rows)
            if self._cache.volume() > self.size_limit:
                self._cache.cull(retry=True)
        except sqlite3.DatabaseError as error:
            self._recover(error)
        except (OSError, diskcache.Timeout) as error:
            _warn(f"Could not write to the embedding cache {self.directory}: {error}")

    def _recover(self, error: sqlite3.DatabaseError) -> None:
        if isinstance(error, sqlite3.OperationalError):
            # Locked, read-only, disk full: the file is fine, this call just runs uncached.
            _warn(f"Embedding cache {self.directory} unavailable for this call: {error}")
            return
        _warn(
            f"Embedding cache {self.directory / _DB_NAME} is damaged ({error}); moved it aside "
            "and started a new one."
        )
        try:
            self._cache.close()
            _move_aside(self.directory)
            self._cache = self._connect()
        except (OSError, sqlite3.Error) as second:
            _warn(f"Could not start a new embedding cache in {self.directory}: {second}")
