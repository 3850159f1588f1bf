"""Dimensionality reduction: UMAP behind a persistent, pickle-free cache."""

from faculytics_clusterer.reduction.cache import CacheStats, ReductionCache
from faculytics_clusterer.reduction.cached_umap import CachedUMAP

__all__ = ["CacheStats", "CachedUMAP", "ReductionCache"]
