"""Exact cosine nearest neighbours by blocked matrix products.

UMAP computes all pairwise distances below 4,096 points and switches to NNDescent (approximate)
from there. For the corpus sizes a job sends, an exact search is a few BLAS matrix products:
faster than NNDescent, free of its just-in-time compilation (tens of seconds in every fresh
worker process), and exact. Below 4,096 points UMAP's own exact path is left alone, so small
corpora reduce exactly as plain BERTopic reduces them.
"""

from __future__ import annotations

import numpy as np

EXACT_KNN_MIN_DOCUMENTS = 4096
"""UMAP's own threshold: below it UMAP already computes exact neighbours itself."""

EXACT_KNN_MAX_DOCUMENTS = 25_000
"""Above this many documents UMAP's own NNDescent is used (quadratic cost takes over)."""

_BLOCK_ROWS = 1024


def exact_cosine_knn(data: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_neighbors`` nearest rows of each row of ``data`` by cosine distance, self included.

    Parameters
    ----------
    data : ndarray of shape (n_documents, dim)
    n_neighbors : int, at most n_documents

    Returns
    -------
    indices : ndarray of shape (n_documents, n_neighbors), int64, nearest first
    distances : ndarray of shape (n_documents, n_neighbors), float32, ``1 - cosine``
    """
    vectors = np.asarray(data, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1.0)
    n_documents = vectors.shape[0]
    indices = np.empty((n_documents, n_neighbors), dtype=np.int64)
    distances = np.empty((n_documents, n_neighbors), dtype=np.float32)
    for start in range(0, n_documents, _BLOCK_ROWS):
        block = vectors[start : start + _BLOCK_ROWS] @ vectors.T
        rows = np.arange(block.shape[0])
        # A point is its own nearest neighbour, as in UMAP's own search, even if a duplicate
        # (or rounding) ties it.
        block[rows, rows + start] = np.inf
        if n_neighbors < n_documents:
            candidates = np.argpartition(-block, n_neighbors - 1, axis=1)[:, :n_neighbors]
        else:
            candidates = np.broadcast_to(np.arange(n_documents), block.shape).copy()
        similarity = np.take_along_axis(block, candidates, axis=1)
        # Stable: equal similarities keep index order, so ties resolve the same way every run.
        order = np.lexsort((candidates, -similarity), axis=1)
        indices[start : start + block.shape[0]] = np.take_along_axis(candidates, order, axis=1)
        similarity = np.take_along_axis(similarity, order, axis=1)
        similarity[:, 0] = 1.0
        distances[start : start + block.shape[0]] = np.clip(1.0 - similarity, 0.0, 2.0)
    return indices, distances
