"""Compile the numba code of UMAP (and pynndescent) before the first job needs it.

UMAP's nearest-neighbour search and layout optimisation are numba functions compiled on first
call, which costs tens of seconds on a cold worker. Running a tiny reduction with the pipeline's
settings compiles them; with ``NUMBA_CACHE_DIR`` set, the functions numba can cache are written
there, so an image that ran this at build time starts without most of that compilation.
"""

from __future__ import annotations

import logging
import time

import numpy as np

logger = logging.getLogger(__name__)


def warm_numba(random_state: int = 42) -> float:
    """Fit UMAP (exact and approximate neighbours) and HDBSCAN on a tiny random corpus.

    The settings mirror the clusterer's (cosine metric, ``min_dist`` 0.0, seeded, prediction
    data kept) so the same specialisations get compiled. Returns the seconds it took.
    """
    # Imported here: numba reads NUMBA_CACHE_DIR when it is first imported, so callers can set
    # it before calling this function.
    import hdbscan
    import umap

    started = time.perf_counter()
    rng = np.random.default_rng(random_state)
    data = rng.normal(size=(120, 16)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    for approximate in (False, True):
        # Corpora under 4,096 documents use exact neighbours, larger ones pynndescent.
        reduced = umap.UMAP(
            n_neighbors=10,
            n_components=5,
            min_dist=0.0,
            metric="cosine",
            random_state=random_state,
            force_approximation_algorithm=approximate,
        ).fit_transform(data)
    hdbscan.HDBSCAN(
        min_cluster_size=5,
        min_samples=3,
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    ).fit(reduced)
    seconds = time.perf_counter() - started
    logger.info("stage=warm_numba seconds=%.2f", seconds)
    return seconds
