"""The UMAP reduction cache: hits, pickle-free reads, tampered files, atomic writes."""

from __future__ import annotations

import numpy as np
import pytest

from faculytics_clusterer.reduction import CachedUMAP, ReductionCache


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 16))
    return (np.repeat(centers, 20, axis=0) + 0.05 * rng.normal(size=(60, 16))).astype(np.float32)


def _reducer(cache, **params):
    return CachedUMAP(**{"n_neighbors": 5, "n_components": 2, "cache": cache, **params})


def test_hit_returns_the_same_reduction(data, tmp_path):
    first = _reducer(ReductionCache(tmp_path)).fit(data)
    assert not first.cache_hit_ and first.umap_ is not None
    fresh_cache = ReductionCache(tmp_path)
    second = _reducer(fresh_cache).fit(data)
    assert second.cache_hit_ and second.umap_ is None
    assert fresh_cache.stats.disk_hits == 1
    np.testing.assert_array_equal(first.embedding_, second.embedding_)
    assert second.transform(data) is second.embedding_


def test_key_covers_data_labels_and_params(data):
    reducer = _reducer(None)
    key = reducer.cache_key(data)
    assert key != _reducer(None, random_state=1).cache_key(data)
    assert key != reducer.cache_key(data[::-1])
    assert key != reducer.cache_key(data.astype(np.float64))
    assert key != reducer.cache_key(data, np.zeros(len(data), dtype=int))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path, shape: np.save(path, np.array([{"x": 1}], dtype=object), allow_pickle=True),
        lambda path, shape: np.save(path, np.zeros((shape[0] + 1, shape[1]), dtype=np.float32)),
        lambda path, shape: np.save(path, np.full(shape, np.nan, dtype=np.float32)),
        lambda path, shape: path.write_bytes(b"not a numpy file"),
    ],
    ids=["pickled-object", "wrong-shape", "non-finite", "garbage"],
)
def test_tampered_file_is_ignored_and_recomputed(data, tmp_path, tamper):
    reference = _reducer(ReductionCache(tmp_path)).fit(data)
    path = tmp_path / f"{reference._fit_key}.npy"
    assert path.is_file()
    tamper(path, reference.embedding_.shape)
    cache = ReductionCache(tmp_path)
    again = _reducer(cache).fit(data)
    assert not again.cache_hit_ and cache.stats.rejected == 1
    np.testing.assert_array_equal(again.embedding_, reference.embedding_)
    # The recomputed reduction replaced the bad file.
    assert np.load(path, allow_pickle=False).shape == reference.embedding_.shape
    assert not list(tmp_path.glob("*.tmp"))


def test_memo_only_cache_and_lru(data):
    cache = ReductionCache(None, max_memory_entries=1)
    _reducer(cache).fit(data)
    _reducer(cache).fit(data)
    assert cache.stats.memory_hits == 1
    _reducer(cache, n_neighbors=6).fit(data)
    _reducer(cache).fit(data)  # evicted by the other setting
    assert cache.stats.misses == 3


def test_cached_array_is_read_only(data, tmp_path):
    reduced = _reducer(ReductionCache(tmp_path)).fit_transform(data)
    with pytest.raises(ValueError):
        reduced[0, 0] = 1.0
