"""BERTopic pipeline, guided aspect mode, quality metrics and cached re-runs for Faculytics."""

from faculytics_clusterer.errors import NoTopicsError
from faculytics_clusterer.pipeline import TopicPipeline, scale_params
from faculytics_clusterer.reduction import CachedUMAP, ReductionCache
from faculytics_clusterer.result import TopicResult, TopicSummary

__all__ = [
    "CachedUMAP",
    "NoTopicsError",
    "ReductionCache",
    "TopicPipeline",
    "TopicResult",
    "TopicSummary",
    "scale_params",
]
