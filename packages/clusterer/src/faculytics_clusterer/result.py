"""The result of one fit: the single container reports, exports and the worker read from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from faculytics_contracts import (
    OUTLIER_TOPIC,
    AspectMatch,
    Assignment,
    ErrorCode,
    JobInputError,
    Metrics,
    Topic,
    TopicParams,
)


def topic_label(index: int, keywords: Sequence[str]) -> str:
    """BERTopic-style raw label ``"<index>_<kw1>_<kw2>_<kw3>_<kw4>"``."""
    return "_".join([str(index), *list(keywords)[:4]])


@dataclass(frozen=True)
class TopicSummary:
    """One topic (never the outlier topic -1)."""

    index: int
    label: str
    keywords: list[str]  # top 10, best first
    doc_count: int
    # Guided mode only.
    aspect: str | None = None
    aspect_similarity: float | None = None
    is_emergent: bool | None = None
    keywords_mmr: list[str] | None = None


@dataclass
class TopicResult:
    """Topics, per-document assignments and metrics of one run.

    Attributes
    ----------
    topics : list of TopicSummary, ordered by index.
    doc_topics : ndarray of shape (n_documents,), int; -1 marks an outlier.
    doc_probabilities : ndarray of shape (n_documents,), float in [0, 1].
    secondary_topics : ndarray of shape (n_documents,), int (-1 = none), guided only, else None.
    secondary_probabilities : ndarray of shape (n_documents,), float (nan = none), or None.
    metrics : the five quality metrics.
    params_used : the parameters after the small-corpus rule.
    guided : whether the run was in guided aspect mode.
    aspect_mapping : topic index -> (aspect, similarity), including -1 -> ("outlier", 0.0);
        guided only, else None.
    timings : stage name -> seconds.
    """

    topics: list[TopicSummary]
    doc_topics: np.ndarray
    doc_probabilities: np.ndarray
    metrics: Metrics
    params_used: TopicParams
    guided: bool = False
    secondary_topics: np.ndarray | None = None
    secondary_probabilities: np.ndarray | None = None
    aspect_mapping: dict[int, tuple[str, float]] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    """Diagnostics that are not part of the response (cache hits, audit counts, NPMI coverage)."""

    @property
    def n_documents(self) -> int:
        return int(self.doc_topics.shape[0])

    @property
    def outlier_count(self) -> int:
        return int(np.sum(self.doc_topics == OUTLIER_TOPIC))

    def to_response_fields(self, submission_ids: Sequence[str]) -> dict[str, Any]:
        """Keyword arguments for :class:`faculytics_contracts.TopicModelResponse`.

        ``submission_ids`` are in document order, one per document. Returns ``topics``,
        ``assignments`` (every id exactly once; outliers carry topicIndex -1), ``metrics``,
        ``outlier_count`` and, when guided, ``aspect_mapping``.
        """
        ids = [str(sid) for sid in submission_ids]
        if len(ids) != self.n_documents:
            raise JobInputError(
                ErrorCode.INVALID_REQUEST,
                f"{len(ids)} submission ids for {self.n_documents} modelled documents",
            )
        topics = [
            Topic(
                topic_index=summary.index,
                raw_label=summary.label,
                keywords=summary.keywords[:10],
                doc_count=summary.doc_count,
                aspect_label=summary.aspect if self.guided else None,
                aspect_similarity=summary.aspect_similarity if self.guided else None,
                is_emergent=summary.is_emergent if self.guided else None,
                keywords_mmr=summary.keywords_mmr if self.guided else None,
            )
            for summary in self.topics
        ]
        assignments = []
        for row, sid in enumerate(ids):
            fields: dict[str, Any] = {
                "submission_id": sid,
                "topic_index": int(self.doc_topics[row]),
                "probability": float(np.clip(self.doc_probabilities[row], 0.0, 1.0)),
            }
            if self.guided and self.secondary_topics is not None:
                secondary = int(self.secondary_topics[row])
                fields["is_multi_topic"] = secondary != OUTLIER_TOPIC
                if secondary != OUTLIER_TOPIC:
                    fields["secondary_topic_index"] = secondary
                    fields["secondary_probability"] = float(
                        np.clip(self.secondary_probabilities[row], 0.0, 1.0)
                    )
            assignments.append(Assignment(**fields))
        response: dict[str, Any] = {
            "topics": topics,
            "assignments": assignments,
            "metrics": self.metrics,
            "outlier_count": self.outlier_count,
        }
        if self.guided and self.aspect_mapping is not None:
            response["aspect_mapping"] = {
                str(index): AspectMatch(aspect=name, similarity=float(np.clip(sim, -1.0, 1.0)))
                for index, (name, sim) in sorted(self.aspect_mapping.items())
            }
        return response
