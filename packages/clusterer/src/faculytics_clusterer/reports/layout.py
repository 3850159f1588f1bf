"""2-D coordinates of the documents for the report's map.

The map is a UMAP of the same embeddings the topics were fit on, reduced to two dimensions
through the clusterer's reduction cache: the second report of a corpus (or a report after a sweep
that already drew one) reads the layout instead of recomputing it.
"""

from __future__ import annotations

import numpy as np

from faculytics_clusterer.reduction import CachedUMAP, ReductionCache

MAP_NEIGHBORS = 15


def document_map(
    embeddings: np.ndarray,
    *,
    cache: ReductionCache | None = None,
    n_neighbors: int = MAP_NEIGHBORS,
    random_state: int = 42,
) -> np.ndarray:
    """2-D UMAP (cosine, ``min_dist`` 0.0 like the pipeline's) of ``embeddings``.

    Parameters
    ----------
    embeddings : ndarray of shape (n_documents, dim)
    cache : ReductionCache, optional
        Where the layout is looked up and stored; without one it is computed every time.
    n_neighbors : int, default 15
        Lowered to ``n_documents - 1`` for tiny corpora (UMAP needs more points than neighbours).

    Returns
    -------
    ndarray of shape (n_documents, 2), float32
    """
    embeddings = np.asarray(embeddings, dtype=np.float32)
    n_documents = embeddings.shape[0]
    if n_documents < 3:
        # UMAP cannot lay out fewer than three points; a line keeps the map drawable.
        return np.column_stack([np.arange(n_documents), np.zeros(n_documents)]).astype(np.float32)
    reducer = CachedUMAP(
        n_neighbors=max(2, min(n_neighbors, n_documents - 1)),
        n_components=2,
        random_state=random_state,
        cache=cache,
    )
    return np.asarray(reducer.fit_transform(embeddings), dtype=np.float32)
