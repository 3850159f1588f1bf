"""UMAP as BERTopic's ``umap_model``, computed once per distinct input and parameters."""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np
import umap
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from faculytics_clusterer.reduction.cache import ReductionCache, hash_key
from faculytics_clusterer.reduction.knn import (
    EXACT_KNN_MAX_DOCUMENTS,
    EXACT_KNN_MIN_DOCUMENTS,
    exact_cosine_knn,
)

logger = logging.getLogger(__name__)


class CachedUMAP(TransformerMixin, BaseEstimator):
    """UMAP (``min_dist`` 0.0, cosine) whose reductions are looked up in a :class:`ReductionCache`.

    BERTopic accepts any object with ``fit``/``transform`` as its ``umap_model``; it calls
    ``fit_transform(embeddings, y=y)`` once per fit (``y`` holds the guided seed labels, or None).
    The cache key covers the embeddings it receives (after guided seeding), ``y``, the UMAP
    parameters and the umap-learn version.

    Parameters
    ----------
    n_neighbors, n_components, min_dist, metric, random_state : UMAP's parameters.
    cache : ReductionCache or None
        Shared store; None computes every time (no caching).
    exact_knn_min_documents, exact_knn_max_documents : int
        Between these corpus sizes (cosine metric) the neighbour graph is computed exactly by
        :func:`~faculytics_clusterer.reduction.knn.exact_cosine_knn` and handed to UMAP instead
        of UMAP's approximate NNDescent. Below the minimum (UMAP's own 4,096) UMAP computes
        exact neighbours itself; above the maximum NNDescent is cheaper.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_documents, n_components)
        The reduction of the data given to ``fit``.
    cache_hit_ : bool
        Whether ``embedding_`` came from the cache (UMAP was not fitted).
    umap_ : umap.UMAP or None
        The fitted UMAP model, None on a cache hit.
    fit_seconds_ : float
        Time spent in this ``fit`` (lookup, or UMAP plus the cache write).
    """

    def __init__(
        self,
        n_neighbors: int = 15,
        n_components: int = 5,
        min_dist: float = 0.0,
        metric: str = "cosine",
        random_state: int = 42,
        cache: ReductionCache | None = None,
        exact_knn_min_documents: int = EXACT_KNN_MIN_DOCUMENTS,
        exact_knn_max_documents: int = EXACT_KNN_MAX_DOCUMENTS,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.metric = metric
        self.random_state = random_state
        self.cache = cache
        self.exact_knn_min_documents = exact_knn_min_documents
        self.exact_knn_max_documents = exact_knn_max_documents

    def _umap_params(self) -> dict:
        return {
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "min_dist": self.min_dist,
            "metric": self.metric,
            "random_state": self.random_state,
        }

    def _exact_knn(self, n_documents: int) -> bool:
        return (
            self.metric == "cosine"
            and self.n_neighbors < n_documents
            and self.exact_knn_min_documents <= n_documents <= self.exact_knn_max_documents
        )

    def cache_key(self, data: np.ndarray, y: np.ndarray | None = None) -> str:
        """The cache key of reducing ``data`` (with labels ``y``) under these parameters."""
        params = {
            **self._umap_params(),
            "knn": "exact" if self._exact_knn(data.shape[0]) else "umap",
            "library": "umap-learn",
            "version": umap.__version__,
        }
        return hash_key(data, params, labels=y)

    def fit(self, data: np.ndarray, y: np.ndarray | None = None) -> CachedUMAP:
        """Reduce ``data``, ndarray of shape (n_documents, dim), or fetch its cached reduction."""
        start = time.perf_counter()
        data = np.asarray(data)
        labels = None if y is None else np.asarray(y)
        key = self.cache_key(data, labels)
        shape = (data.shape[0], self.n_components)
        cached = self.cache.get(key, shape) if self.cache is not None else None
        self.umap_ = None
        if cached is not None:
            self.embedding_ = cached
            self.cache_hit_ = True
        else:
            # A fixed random_state makes UMAP single-threaded anyway; saying so avoids a warning.
            knn = (None, None, None)
            if self._exact_knn(data.shape[0]):
                knn = (*exact_cosine_knn(data, self.n_neighbors), None)
            self.umap_ = umap.UMAP(**self._umap_params(), n_jobs=1, precomputed_knn=knn)
            with warnings.catch_warnings():
                # Without an NNDescent index UMAP cannot transform unseen data; we never do.
                warnings.filterwarnings("ignore", message="precomputed_knn", category=UserWarning)
                reduced = self.umap_.fit_transform(data, y=labels)
            if self.cache is not None:
                reduced = self.cache.put(key, reduced)
            self.embedding_ = np.asarray(reduced, dtype=np.float32)
            self.cache_hit_ = False
        self._fit_key = key
        self.fit_seconds_ = time.perf_counter() - start
        logger.info(
            "UMAP %s for %s in %.2fs",
            "cache hit" if self.cache_hit_ else "fitted",
            data.shape,
            self.fit_seconds_,
        )
        return self

    def fit_transform(self, data: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """Fit and return ``embedding_``: ndarray of shape (n_documents, n_components)."""
        return self.fit(data, y).embedding_

    def transform(self, data: np.ndarray) -> np.ndarray:
        """Reduce ``data``: the cached reduction for the fitted data, else the fitted UMAP's."""
        if not hasattr(self, "embedding_"):
            raise NotFittedError("CachedUMAP is not fitted yet")
        data = np.asarray(data)
        if data.shape[0] == self.embedding_.shape[0] and self.cache_key(data) == self._fit_key:
            return self.embedding_
        if self.umap_ is None:
            raise NotFittedError(
                "this reduction came from the cache, so no UMAP model exists to transform new "
                "documents; refit without a cache to transform unseen data"
            )
        return self.umap_.transform(data)
