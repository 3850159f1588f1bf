"""The baseline every speed benchmark compares against: plain BERTopic, no caches.

Configured as the platform was tuned (issue 4): UMAP (min_dist 0.0, cosine), HDBSCAN (euclidean,
eom, prediction data), the multilingual CountVectorizer and KeyBERTInspired, with the embedding
model handed to BERTopic directly, so nothing is reused between runs.
"""

from __future__ import annotations

from faculytics_contracts import TopicParams


def plain_bertopic(params: TopicParams, embedding_model, random_state: int = 42):
    """A fresh, unfitted BERTopic with the platform's settings for ``params``."""
    import hdbscan
    from bertopic import BERTopic
    from bertopic.representation import KeyBERTInspired
    from umap import UMAP

    from faculytics_clusterer.pipeline import (
        HDBSCAN_METRIC,
        HDBSCAN_SELECTION,
        UMAP_METRIC,
        UMAP_MIN_DIST,
    )
    from faculytics_clusterer.vectorizers import make_vectorizer

    return BERTopic(
        embedding_model=embedding_model,
        umap_model=UMAP(
            n_neighbors=params.umap_n_neighbors,
            n_components=params.umap_n_components,
            min_dist=UMAP_MIN_DIST,
            metric=UMAP_METRIC,
            random_state=random_state,
        ),
        hdbscan_model=hdbscan.HDBSCAN(
            min_cluster_size=params.min_topic_size,
            min_samples=params.hdbscan_min_samples,
            metric=HDBSCAN_METRIC,
            cluster_selection_method=HDBSCAN_SELECTION,
            prediction_data=True,
        ),
        vectorizer_model=make_vectorizer(),
        representation_model=KeyBERTInspired(random_state=random_state),
        top_n_words=10,
        nr_topics=params.nr_topics,
    )
