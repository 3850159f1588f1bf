"""Guided mode's ten academic aspects: seed words, the pre-fit audit, topic -> aspect mapping."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

import numpy as np

from faculytics_contracts import OUTLIER_ASPECT, OUTLIER_TOPIC

logger = logging.getLogger(__name__)

EMERGENT_ASPECT = "emergent"


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Aspect:
    """One academic aspect and its seed words (English, Cebuano, Tagalog; phrases allowed)."""

    name: str
    seeds: tuple[str, ...]


def load_aspects() -> tuple[Aspect, ...]:
    """The bundled aspects from ``data/aspects.json``, in file order."""
    path = resources.files("faculytics_clusterer") / "data" / "aspects.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(Aspect(name, tuple(seed.lower() for seed in seeds)) for name, seeds in raw.items())


def seed_topic_list(aspects: Sequence[Aspect]) -> list[list[str]]:
    """BERTopic's ``seed_topic_list``: one list of seed words per aspect."""
    return [list(aspect.seeds) for aspect in aspects]


def _seed_pattern(seeds: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(seed) for seed in sorted(seeds, key=len, reverse=True))
    # Whole words only: "late" must not match "translate" nor "fair" "fairly".
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def audit_seed_matches(texts: Sequence[str], aspects: Sequence[Aspect]) -> dict[str, int]:
    """Count the documents that contain at least one seed word of each aspect (whole words).

    Logged before a guided fit so an analyst can see which aspects the corpus can support.
    """
    counts = {}
    for aspect in aspects:
        pattern = _seed_pattern(aspect.seeds)
        counts[aspect.name] = sum(1 for text in texts if pattern.search(text))
    logger.info(
        "Guided audit: documents matching seed words per aspect (of %d): %s",
        len(texts),
        ", ".join(f"{name}={count}" for name, count in counts.items()),
    )
    return counts


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def centroid(encoder: TextEncoder, words: Sequence[str]) -> np.ndarray:
    """Mean of the normalised embeddings of ``words``, renormalised: ndarray of shape (dim,)."""
    vectors = _unit(np.asarray(encoder.encode(list(words)), dtype=np.float64))
    return _unit(vectors.mean(axis=0))


def aspect_centroids(encoder: TextEncoder, aspects: Sequence[Aspect]) -> np.ndarray:
    """Seed-word centroid of each aspect: ndarray of shape (n_aspects, dim)."""
    return np.vstack([centroid(encoder, aspect.seeds) for aspect in aspects])


def map_topics_to_aspects(
    topic_keywords: Mapping[int, Sequence[str]],
    encoder: TextEncoder,
    aspects: Sequence[Aspect],
    match_threshold: float,
) -> dict[int, tuple[str, float]]:
    """Map each topic to its most cosine-similar aspect, or ``"emergent"`` below the threshold.

    Returns topic index -> (aspect name, similarity), with ``-1 -> ("outlier", 0.0)``. The
    similarity reported for an emergent topic is its best aspect's, so an analyst sees how
    far below the threshold it fell.
    """
    centroids = aspect_centroids(encoder, aspects)
    mapping: dict[int, tuple[str, float]] = {OUTLIER_TOPIC: (OUTLIER_ASPECT, 0.0)}
    for topic, keywords in sorted(topic_keywords.items()):
        if topic == OUTLIER_TOPIC:
            continue
        words = [word for word in keywords if word]
        if not words:
            mapping[topic] = (EMERGENT_ASPECT, 0.0)
            continue
        similarities = centroids @ centroid(encoder, words)
        best = int(np.argmax(similarities))
        similarity = float(np.clip(similarities[best], -1.0, 1.0))
        name = aspects[best].name if similarity >= match_threshold else EMERGENT_ASPECT
        mapping[topic] = (name, similarity)
    return mapping
