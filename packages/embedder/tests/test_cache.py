"""EmbeddingCache on its own: bulk round trip, eviction, sharing between processes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from faculytics_embedder.cache import EmbeddingCache, cache_key


def _vectors(n: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def test_bulk_round_trip_and_partial_hits(tmp_path):
    cache = EmbeddingCache(tmp_path, 16)
    keys = [cache_key("fp", f"text {i}") for i in range(1200)]  # more than one IN batch
    vectors = _vectors(1200, 16, 0)
    cache.set_many(keys[:1000], vectors[:1000])
    got, found = cache.get_many(keys)
    assert found[:1000].all() and not found[1000:].any()
    assert got[:1000].tobytes() == vectors[:1000].tobytes()
    assert len(cache) == 1000
    cache.set_many(keys[:10], vectors[1000:1010])  # overwrite keeps one row per key
    assert len(cache) == 1000
    assert cache.get_many(keys[:10])[0].tobytes() == vectors[1000:1010].tobytes()


def test_keys_separate_namespaces_and_texts():
    assert cache_key("a", "text") != cache_key("b", "text")
    assert cache_key("a", "text") != cache_key("a", "text ")
    assert len(cache_key("a", "\ud800 lone surrogate")) == 32


def test_set_many_rejects_mismatched_shapes(tmp_path):
    cache = EmbeddingCache(tmp_path, 8)
    with pytest.raises(ValueError, match="do not match"):
        cache.set_many([b"k"], np.zeros((1, 9), np.float32))


def test_size_limit_evicts_oldest_entries(tmp_path):
    dim = 256  # 1 KiB per vector
    cache = EmbeddingCache(tmp_path, dim, size_limit=400 * 1024)
    keys = [cache_key("fp", str(i)) for i in range(2000)]
    vectors = _vectors(2000, dim, 1)
    for start in range(0, 2000, 200):
        cache.set_many(keys[start : start + 200], vectors[start : start + 200])
    assert 0 < len(cache) < 2000
    assert cache._cache.volume() <= 400 * 1024 + 200 * 1100  # at most one batch over
    _, found = cache.get_many(keys)
    assert found[-200:].all()  # the newest batch survives
    assert not found[:200].any()  # the oldest went first


_WRITER = """
import sys
from pathlib import Path
import numpy as np
from faculytics_embedder.cache import EmbeddingCache, cache_key

directory, start, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cache = EmbeddingCache(Path(directory), 32)
keys = [cache_key("fp", str(i)) for i in range(start, stop)]
vectors = np.stack([np.full(32, i, np.float32) for i in range(start, stop)])
for chunk in range(0, len(keys), 50):
    cache.set_many(keys[chunk : chunk + 50], vectors[chunk : chunk + 50])
    cache.get_many(keys[: chunk + 50])
"""


def test_processes_share_one_cache_folder(tmp_path):
    # Separate interpreters writing overlapping keys at the same time, like two workers.
    ranges = [(0, 1500), (1000, 2500)]
    processes = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(a), str(b)])
        for a, b in ranges
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    cache = EmbeddingCache(tmp_path, 32)
    keys = [cache_key("fp", str(i)) for i in range(2500)]
    vectors, found = cache.get_many(keys)
    assert found.all()
    np.testing.assert_array_equal(vectors[:, 0], np.arange(2500, dtype=np.float32))
    assert len(cache) == 2500
