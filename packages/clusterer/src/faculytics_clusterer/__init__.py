"""BERTopic pipeline, guided aspect mode, quality metrics and cached re-runs for Faculytics.

The public names load lazily (PEP 562): ``import faculytics_clusterer.datasets`` or
``.sweeps.grid`` does not pay for importing BERTopic, UMAP and torch (about 15 s cold).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faculytics_clusterer.errors import NoTopicsError
    from faculytics_clusterer.pipeline import TopicPipeline, scale_params
    from faculytics_clusterer.reduction import CachedUMAP, ReductionCache
    from faculytics_clusterer.result import TopicResult, TopicSummary

_WHERE = {
    "CachedUMAP": "faculytics_clusterer.reduction",
    "NoTopicsError": "faculytics_clusterer.errors",
    "ReductionCache": "faculytics_clusterer.reduction",
    "TopicPipeline": "faculytics_clusterer.pipeline",
    "TopicResult": "faculytics_clusterer.result",
    "TopicSummary": "faculytics_clusterer.result",
    "scale_params": "faculytics_clusterer.pipeline",
}

__all__ = [
    "CachedUMAP",
    "NoTopicsError",
    "ReductionCache",
    "TopicPipeline",
    "TopicResult",
    "TopicSummary",
    "scale_params",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
