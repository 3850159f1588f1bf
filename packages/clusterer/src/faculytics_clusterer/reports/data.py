"""What a report shows, gathered from a TopicResult or from a response payload plus its corpus."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from faculytics_contracts import OUTLIER_TOPIC, ErrorCode, JobInputError, name_some

if TYPE_CHECKING:
    from faculytics_clusterer import TopicResult

REPRESENTATIVE_COMMENTS = 3


@dataclass(frozen=True)
class ReportTopic:
    """One topic as the report shows it.

    Attributes
    ----------
    keyword_shares : list of float, one per keyword
        Share of the topic's comments that contain the keyword (whole words, case-insensitive):
        the bar lengths, computed from the corpus so a response without keyword weights works.
    representative : list of str
        The topic's comments closest (cosine) to its centroid in the embedding space.
    """

    index: int
    label: str
    keywords: list[str]
    doc_count: int
    keyword_shares: list[float]
    representative: list[str]
    aspect: str | None = None
    aspect_similarity: float | None = None
    is_emergent: bool | None = None
    keywords_mmr: list[str] | None = None


@dataclass
class ReportData:
    """Everything a report renders.

    Attributes
    ----------
    ids, texts : list of str, length n_documents
        The modelled comments (skipped ones excluded).
    embeddings : ndarray of shape (n_documents, dim)
    doc_topics : ndarray of shape (n_documents,), int
        Topic of each comment; -1 = outlier.
    topics : list of ReportTopic, by topic index
    metrics : dict of str -> float
        ``Metrics`` field names -> values.
    params : dict or None
        Parameters used (None when the source did not record them).
    """

    title: str
    ids: list[str]
    texts: list[str]
    embeddings: np.ndarray
    doc_topics: np.ndarray
    topics: list[ReportTopic]
    metrics: dict[str, float]
    params: dict[str, Any] | None
    guided: bool
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def outlier_count(self) -> int:
        return int(np.sum(self.doc_topics == OUTLIER_TOPIC))

    @classmethod
    def from_result(
        cls,
        result: TopicResult,
        texts: Sequence[str],
        embeddings: np.ndarray,
        *,
        ids: Sequence[str] | None = None,
        title: str = "Topic model report",
    ) -> ReportData:
        """From a fitted :class:`~faculytics_clusterer.TopicResult` and the texts it was fit on."""
        texts = list(texts)
        ids = list(ids) if ids is not None else [str(i) for i in range(1, len(texts) + 1)]
        doc_topics = np.asarray(result.doc_topics, dtype=int)
        aspect_of = _aspects_from_mapping(
            {
                str(k): {"aspect": a, "similarity": s}
                for k, (a, s) in (result.aspect_mapping or {}).items()
            }
        )
        topics = [
            _topic(
                index=t.index,
                label=t.label,
                keywords=list(t.keywords),
                doc_count=int(t.doc_count),
                texts=texts,
                embeddings=embeddings,
                members=np.flatnonzero(doc_topics == t.index),
                aspect=getattr(t, "aspect", None) or aspect_of.get(t.index, (None, None))[0],
                aspect_similarity=getattr(t, "aspect_similarity", None),
                is_emergent=getattr(t, "is_emergent", None),
                keywords_mmr=getattr(t, "keywords_mmr", None),
            )
            for t in result.topics
        ]
        return cls(
            title=title,
            ids=ids,
            texts=texts,
            embeddings=np.asarray(embeddings, dtype=np.float32),
            doc_topics=doc_topics,
            topics=topics,
            metrics={k: float(v) for k, v in result.metrics.model_dump().items()},
            params=result.params_used.model_dump(mode="json"),
            guided=bool(result.guided),
        )

    @classmethod
    def from_response(
        cls,
        payload: Mapping[str, Any],
        ids: Sequence[str],
        texts: Sequence[str],
        embeddings: np.ndarray,
        *,
        params: Mapping[str, Any] | None = None,
        title: str = "Topic model report",
    ) -> ReportData:
        """From a response payload (wire format) and the corpus its submissionIds come from.

        ``ids``/``texts``/``embeddings`` (ndarray of shape (n_corpus, dim)) describe the corpus;
        comments the response does not assign (skipped or not sent) are left out of the report.

        Raises
        ------
        JobInputError
            The payload is not a completed response, or assigns ids the corpus lacks.
        """
        payload = dict(payload.get("output", payload))
        if payload.get("status") != "completed":
            detail = payload.get("errorMessage") or "it has no topics"
            raise JobInputError(
                ErrorCode.INVALID_REQUEST,
                f"Cannot report a response with status {payload.get('status')!r}: {detail}",
            )
        row_of = {str(i): row for row, i in enumerate(ids)}
        assignments = payload.get("assignments") or []
        unknown = [a["submissionId"] for a in assignments if str(a["submissionId"]) not in row_of]
        if unknown:
            raise JobInputError(
                ErrorCode.INVALID_REQUEST,
                f"The response assigns {len(unknown)} submissionId(s) the corpus does not have: "
                f"{name_some(unknown)}; pass the corpus the response was made from.",
            )
        rows = np.array([row_of[str(a["submissionId"])] for a in assignments], dtype=int)
        texts = [texts[r] for r in rows]
        embeddings = np.asarray(embeddings, dtype=np.float32)[rows]
        doc_topics = np.array([int(a["topicIndex"]) for a in assignments], dtype=int)
        aspect_of = _aspects_from_mapping(payload.get("aspectMapping") or {})
        topics = []
        for t in payload.get("topics") or []:
            index = int(t["topicIndex"])
            topics.append(
                _topic(
                    index=index,
                    label=t["rawLabel"],
                    keywords=list(t["keywords"]),
                    doc_count=int(t["docCount"]),
                    texts=texts,
                    embeddings=embeddings,
                    members=np.flatnonzero(doc_topics == index),
                    aspect=t.get("aspectLabel") or aspect_of.get(index, (None, None))[0],
                    aspect_similarity=t.get("aspectSimilarity"),
                    is_emergent=t.get("isEmergent"),
                    keywords_mmr=t.get("keywordsMmr"),
                )
            )
        skipped = [(s["submissionId"], s["reason"]) for s in payload.get("skipped") or []]
        guided = any(t.aspect is not None for t in topics) or bool(payload.get("aspectMapping"))
        return cls(
            title=title,
            ids=[str(ids[r]) for r in rows],
            texts=texts,
            embeddings=embeddings,
            doc_topics=doc_topics,
            topics=topics,
            metrics={k: float(v) for k, v in (payload.get("metrics") or {}).items()},
            params=dict(params) if params is not None else None,
            guided=guided,
            skipped=skipped,
        )


def _aspects_from_mapping(mapping: Mapping[str, Any]) -> dict[int, tuple[str, float]]:
    return {
        int(key): (value["aspect"], float(value["similarity"]))
        for key, value in mapping.items()
        if int(key) != OUTLIER_TOPIC
    }


def keyword_share(keyword: str, texts: Sequence[str]) -> float:
    """Share of ``texts`` containing ``keyword`` as whole word(s), case-insensitive."""
    if not texts:
        return 0.0
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, keyword.split())) + r"(?!\w)")
    return sum(1 for text in texts if pattern.search(text.lower())) / len(texts)


def _representative(embeddings: np.ndarray, members: np.ndarray, count: int) -> np.ndarray:
    """Rows of ``members`` nearest (cosine) to their centroid, nearest first."""
    if len(members) == 0:
        return members
    vectors = embeddings[members].astype(np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centroid = vectors.mean(axis=0)
    centroid /= max(np.linalg.norm(centroid), 1e-12)
    order = np.argsort(-(vectors @ centroid), kind="stable")
    return members[order[:count]]


def _topic(
    *,
    index: int,
    label: str,
    keywords: list[str],
    doc_count: int,
    texts: list[str],
    embeddings: np.ndarray,
    members: np.ndarray,
    aspect: str | None,
    aspect_similarity: float | None,
    is_emergent: bool | None,
    keywords_mmr: list[str] | None,
) -> ReportTopic:
    member_texts = [texts[i] for i in members]
    return ReportTopic(
        index=index,
        label=label,
        keywords=keywords,
        doc_count=doc_count,
        keyword_shares=[keyword_share(k, member_texts) for k in keywords],
        representative=[
            texts[i] for i in _representative(embeddings, members, REPRESENTATIVE_COMMENTS)
        ],
        aspect=aspect,
        aspect_similarity=None if aspect_similarity is None else float(aspect_similarity),
        is_emergent=is_emergent,
        keywords_mmr=list(keywords_mmr) if keywords_mmr else None,
    )
