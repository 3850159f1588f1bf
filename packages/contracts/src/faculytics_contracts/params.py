"""Tuning parameters of a topic-model job, with the platform's defaults.

This module is the one place where parameter names, defaults and ranges live. The embedder,
clusterer and worker read them from here; nothing else repeats a default.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveInt = Annotated[int, Field(gt=0)]


class TopicParams(BaseModel):
    """Parameters of one topic-model run.

    Every field is optional in a request; a missing field (or an explicit ``null``) takes the
    default below. ``min_topic_size``, ``nr_topics``, ``umap_n_neighbors`` and
    ``umap_n_components`` default to the tuned "RUN 012" values the platform was calibrated on.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    min_topic_size: PositiveInt = Field(
        15, description="Smallest cluster HDBSCAN keeps as a topic (min_cluster_size)."
    )
    nr_topics: PositiveInt | Literal["auto"] = Field(
        20,
        description='Topics are merged down to this many when there are more; "auto" lets '
        "BERTopic merge similar topics by itself.",
    )
    umap_n_neighbors: Annotated[int, Field(ge=2)] = Field(
        20, description="UMAP neighbourhood size: larger values give broader topics."
    )
    umap_n_components: PositiveInt = Field(10, description="Dimensions UMAP reduces to.")
    hdbscan_min_samples: PositiveInt = Field(
        5, description="HDBSCAN min_samples: larger values call more documents outliers."
    )
    tier1_guided: bool = Field(
        False, description="Guide topics with the ten academic aspects and map topics to them."
    )
    match_threshold: Fraction = Field(
        0.65, description="Guided: a topic below this similarity to every aspect is emergent."
    )
    primary_threshold: Fraction = Field(
        0.20, description="Guided: a document whose best topic score is below this is an outlier."
    )
    secondary_threshold: Fraction = Field(
        0.15, description="Guided: the second topic score needed for a secondary topic."
    )
    secondary_gap_max: Fraction = Field(
        0.20, description="Guided: a secondary topic needs a gap to the primary below this."
    )
    mmr_diversity: Fraction = Field(
        0.4, description="Guided: diversity of the MaximalMarginalRelevance keyword list."
    )
    # Keyword and outlier quality (issue 7). Defaults chosen by benchmarks/quality.py.
    demote_shared_words: bool = Field(
        True,
        description="Words frequent across the topics stop heading them: a keyword with a word "
        "among the keyword candidates of more than half the topics moves behind each topic's "
        "own keywords.",
    )
    reduce_frequent_words: bool = Field(
        False,
        description="c-TF-IDF takes the square root of word counts (BERTopic's "
        "ClassTfidfTransformer(reduce_frequent_words=True)). Off by default: on the quality "
        "benchmark it lowered NPMI without a diversity gain once demote_shared_words is on.",
    )
    keyword_candidates: PositiveInt = Field(
        100,
        description="c-TF-IDF words per topic that KeyBERTInspired re-ranks by embedding "
        "similarity (its nr_candidate_words). Fewer keep keywords closer to the words a topic's "
        "comments share (higher NPMI) at the cost of embedding coherence.",
    )
    fold_plurals: bool = Field(
        True,
        description="Singular/plural duplicates in one topic's keywords fold into the "
        "better-ranked form, and the list is refilled to 10 from further candidates.",
    )
    reduce_outliers: bool = Field(
        True,
        description="Reassign outlier comments to their most similar topic (cosine to the "
        "topic's centroid embedding) when the similarity reaches outlier_threshold; they "
        "report that similarity as their probability. In guided mode this includes comments "
        "below primary_threshold; they get no secondary topic.",
    )
    outlier_threshold: Fraction = Field(
        0.5,
        description="reduce_outliers: the cosine similarity an outlier needs to join a topic.",
    )

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        # The API may send explicit nulls for parameters a user left empty.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


DEFAULT_PARAMS = TopicParams()
