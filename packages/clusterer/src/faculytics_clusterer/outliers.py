"""Outlier reassignment by embedding similarity, as BERTopic's reduce_outliers("embeddings").

The same rule as BERTopic's embeddings strategy, computed on the embeddings the pipeline already
has (nothing is embedded again): each topic's embedding is the centroid of its documents, and an
outlier moves to its most similar topic when the cosine similarity reaches the threshold. Unlike
BERTopic's helper, it also returns that similarity, so a reassigned comment reports its real,
lower probability instead of the 1.0 a fresh assignment would suggest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from faculytics_contracts import OUTLIER_TOPIC


@dataclass(frozen=True)
class OutlierReassignment:
    """The outcome of :func:`reassign_outliers`.

    Attributes
    ----------
    doc_topics : ndarray of shape (n_documents,), int; -1 where still an outlier.
    doc_probabilities : ndarray of shape (n_documents,), float in [0, 1]; reassigned documents
        carry their cosine similarity to the topic (clipped to [0, 1]), others are unchanged.
    reassigned : ndarray of shape (n_documents,), bool; True where an outlier was moved.
    similarities : ndarray of shape (n_documents,), float; best topic similarity of each
        original outlier (nan for documents that were not outliers).
    """

    doc_topics: np.ndarray
    doc_probabilities: np.ndarray
    reassigned: np.ndarray
    similarities: np.ndarray

    @property
    def n_reassigned(self) -> int:
        return int(self.reassigned.sum())


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def topic_centroids(
    embeddings: np.ndarray, doc_topics: np.ndarray, topic_ids: list[int]
) -> np.ndarray:
    """Unit centroid of each topic's (unit-normalised) document embeddings.

    Returns an ndarray of shape (len(topic_ids), dim), rows in ``topic_ids`` order; a topic
    without documents gets a zero row (it can attract no outlier).
    """
    unit = _unit_rows(np.asarray(embeddings, dtype=np.float64))
    centroids = np.zeros((len(topic_ids), unit.shape[1]))
    for row, topic in enumerate(topic_ids):
        members = doc_topics == topic
        if members.any():
            centroids[row] = unit[members].mean(axis=0)
    return _unit_rows(centroids)


def reassign_outliers(
    embeddings: np.ndarray,
    doc_topics: np.ndarray,
    doc_probabilities: np.ndarray,
    topic_ids: list[int],
    threshold: float,
) -> OutlierReassignment:
    """Move each outlier to its most similar topic when the similarity is at least ``threshold``.

    Parameters
    ----------
    embeddings : ndarray of shape (n_documents, dim)
        The documents' embeddings (the ones the topics were fitted on).
    doc_topics, doc_probabilities : ndarray of shape (n_documents,)
        Assignments before reassignment (-1 = outlier) and their probabilities.
    topic_ids : list of int
        The topics (never -1); centroids come from the documents assigned to them.
    threshold : float
        Minimum cosine similarity between an outlier and a topic centroid.

    Ties go to the lower topic index, so the result is deterministic.
    """
    doc_topics = np.asarray(doc_topics, dtype=np.int64).copy()
    doc_probabilities = np.asarray(doc_probabilities, dtype=np.float64).copy()
    outliers = np.flatnonzero(doc_topics == OUTLIER_TOPIC)
    similarities = np.full(doc_topics.shape, np.nan)
    reassigned = np.zeros(doc_topics.shape, dtype=bool)
    if outliers.size and topic_ids:
        centroids = topic_centroids(embeddings, doc_topics, topic_ids)
        unit = _unit_rows(np.asarray(embeddings, dtype=np.float64)[outliers])
        similarity = unit @ centroids.T  # (n_outliers, n_topics)
        best = np.argmax(similarity, axis=1)  # first maximum: lowest topic index on ties
        score = similarity[np.arange(outliers.size), best]
        similarities[outliers] = score
        moved = score >= threshold
        rows = outliers[moved]
        doc_topics[rows] = np.asarray(topic_ids, dtype=np.int64)[best[moved]]
        doc_probabilities[rows] = np.clip(score[moved], 0.0, 1.0)
        reassigned[rows] = True
    return OutlierReassignment(doc_topics, doc_probabilities, reassigned, similarities)
