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


def test_exact_knn_matches_brute_force():
    from sklearn.neighbors import NearestNeighbors

    from faculytics_clusterer.reduction.knn import exact_cosine_knn

    rng = np.random.default_rng(1)
    data = rng.normal(size=(2100, 24)).astype(np.float32)  # more rows than one block
    indices, distances = exact_cosine_knn(data, 7)
    reference = NearestNeighbors(n_neighbors=7, metric="cosine", algorithm="brute").fit(data)
    ref_distances, ref_indices = reference.kneighbors(data)
    assert np.array_equal(indices[:, 0], np.arange(len(data)))  # self first, distance 0
    assert np.all(distances[:, 0] == 0)
    assert np.mean(indices == ref_indices) > 0.999
    np.testing.assert_allclose(distances, ref_distances, atol=1e-5)
    assert np.all(np.diff(distances, axis=1) >= 0)


def test_exact_knn_only_inside_its_size_range(data):
    # 60 documents: UMAP's own exact path, as plain BERTopic would run it.
    own = _reducer(None)
    exact = _reducer(None, exact_knn_min_documents=10)
    assert own.cache_key(data) != exact.cache_key(data)
    assert not own._exact_knn(len(data)) and exact._exact_knn(len(data))
    assert not _reducer(None, exact_knn_max_documents=59)._exact_knn(len(data))
    reduced = exact.fit_transform(data)
    assert reduced.shape == (60, 2) and np.isfinite(reduced).all()
    # Exact neighbours give the same three well-separated groups as UMAP's own search.
    reference = own.fit_transform(data)
    for reduction in (reduced, reference):
        centres = np.vstack([reduction[i * 20 : (i + 1) * 20].mean(axis=0) for i in range(3)])
        spread = max(reduction[i * 20 : (i + 1) * 20].std(axis=0).max() for i in range(3))
        gaps = [np.linalg.norm(centres[a] - centres[b]) for a, b in [(0, 1), (0, 2), (1, 2)]]
        assert min(gaps) > 3 * spread
