"""LaBSE sentence embeddings with a persistent, content-addressed cache and Arrow I/O.

``Embedder(model).encode(texts)`` returns an (n, dim) float32 array of L2-normalised vectors and
computes only the texts its cache has not seen. Heavy libraries (torch, sentence-transformers)
are imported when a model is loaded, not on ``import faculytics_embedder``.
"""

from faculytics_embedder.cache import (
    CACHE_DIR_ENV,
    DEFAULT_SIZE_LIMIT,
    CacheWarning,
    EmbeddingCache,
    resolve_cache_dir,
)
from faculytics_embedder.encoder import Embedder, EncodeStats
from faculytics_embedder.fingerprint import model_fingerprint
from faculytics_embedder.models import (
    DEFAULT_MODEL,
    MODEL_ENV,
    UnsafeModelError,
    pick_device,
    resolve_model,
)

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_MODEL",
    "DEFAULT_SIZE_LIMIT",
    "MODEL_ENV",
    "CacheWarning",
    "Embedder",
    "EmbeddingCache",
    "EncodeStats",
    "UnsafeModelError",
    "model_fingerprint",
    "pick_device",
    "resolve_cache_dir",
    "resolve_model",
]
