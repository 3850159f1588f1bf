"""The BERTopic pipeline as the platform was tuned: UMAP -> HDBSCAN -> c-TF-IDF -> KeyBERTInspired.

:class:`TopicPipeline` configures BERTopic exactly as the platform did and adds what the platform
needs around it: the small-corpus rule, a cached UMAP reduction, guided aspect mode and the five
quality metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import hdbscan
import numpy as np
from bertopic import BERTopic
from bertopic.vectorizers import ClassTfidfTransformer

from faculytics_clusterer.aspects import (
    EMERGENT_ASPECT,
    audit_seed_matches,
    load_aspects,
    map_topics_to_aspects,
    seed_topic_list,
)
from faculytics_clusterer.backend import EmbedderBackend
from faculytics_clusterer.errors import NoTopicsError
from faculytics_clusterer.keywords import CANDIDATE_WORDS, demote_shared, fold_keywords
from faculytics_clusterer.metrics import (
    embedding_coherence,
    npmi_coherence,
    outlier_ratio,
    silhouette,
    topic_diversity,
)
from faculytics_clusterer.outliers import reassign_outliers
from faculytics_clusterer.reduction import CachedUMAP, ReductionCache
from faculytics_clusterer.representation import MMR_ASPECT, TOP_N_WORDS, make_representation
from faculytics_clusterer.result import TopicResult, TopicSummary, topic_label
from faculytics_clusterer.vectorizers import make_vectorizer
from faculytics_contracts import (
    OUTLIER_TOPIC,
    ErrorCode,
    JobInputError,
    Metrics,
    TopicParams,
)

logger = logging.getLogger(__name__)

# Fixed parts of the platform's configuration (not request parameters).
UMAP_MIN_DIST = 0.0
UMAP_METRIC = "cosine"
HDBSCAN_METRIC = "euclidean"
HDBSCAN_SELECTION = "eom"
MIN_DOCUMENTS = 3  # UMAP needs n_neighbors >= 2 and < n


def scale_params(params: TopicParams, n_documents: int) -> TopicParams:
    """The small-corpus rule: shrink cluster and neighbourhood sizes for small corpora.

    When ``n_documents < 4 * min_topic_size``, ``min_topic_size`` drops to
    ``max(3, n_documents // 10)`` if that is smaller. When ``n_documents < 100``,
    ``umap_n_neighbors`` drops to ``max(5, n_documents // 4)`` if smaller and
    ``umap_n_components`` is capped at 5. Other parameters are unchanged.
    """
    update: dict[str, int] = {}
    if n_documents < 4 * params.min_topic_size:
        update["min_topic_size"] = min(params.min_topic_size, max(3, n_documents // 10))
    if n_documents < 100:
        update["umap_n_neighbors"] = min(params.umap_n_neighbors, max(5, n_documents // 4))
        update["umap_n_components"] = min(params.umap_n_components, 5)
    return params.model_copy(update=update)


def _fit_limits(params: TopicParams, n_documents: int) -> TopicParams:
    """Clamp sizes UMAP and HDBSCAN cannot take on very small corpora.

    UMAP needs ``n_neighbors < n`` and its spectral start ``n_components < n - 1``; HDBSCAN
    needs ``min_samples < n``. Only tiny corpora (a handful of documents) are affected.
    """
    return params.model_copy(
        update={
            "umap_n_neighbors": max(2, min(params.umap_n_neighbors, n_documents - 1)),
            "umap_n_components": max(1, min(params.umap_n_components, n_documents - 2)),
            "hdbscan_min_samples": max(1, min(params.hdbscan_min_samples, n_documents - 1)),
        }
    )


class _HDBSCAN(hdbscan.HDBSCAN):
    """HDBSCAN that times its fit and stops the pipeline cleanly when it finds no cluster.

    A subclass (not a wrapper) so BERTopic still recognises it for probabilities and
    prediction data.
    """

    def fit(self, data, y=None):
        start = time.perf_counter()
        super().fit(data)
        self.fit_seconds_ = time.perf_counter() - start
        if not np.any(self.labels_ != OUTLIER_TOPIC):
            raise NoTopicsError(
                f"every one of the {len(self.labels_)} documents is an outlier with "
                f"min_topic_size={self.min_cluster_size}; send more comments or lower it"
            )
        return self


class TopicPipeline:
    """Fit topics on documents and their embeddings with the platform's BERTopic configuration.

    Parameters
    ----------
    params : TopicParams or None
        Request parameters; None takes the contract's defaults.
    embedder : faculytics_embedder.Embedder
        Embeds keywords, seed words and representative documents (through its cache).
    cache_dir : path or None
        Folder for cached UMAP reductions (``<cache_dir>/umap``); None uses the embedder's cache
        folder, and no disk cache at all when the embedder has none.
    random_state : int
        Seed of UMAP (and BERTopic's sampling); the same input gives the same output.
    show_progress_bar : bool
        Let BERTopic log its progress.
    umap_cache : ReductionCache or None
        A reduction cache to share between pipelines (a sweep); built from ``cache_dir`` if None.
    """

    def __init__(
        self,
        params: TopicParams | None = None,
        *,
        embedder,
        cache_dir: str | Path | None = None,
        random_state: int = 42,
        show_progress_bar: bool = False,
        umap_cache: ReductionCache | None = None,
    ) -> None:
        self.params = params if params is not None else TopicParams()
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.random_state = random_state
        self.show_progress_bar = show_progress_bar
        if umap_cache is None:
            root = cache_dir if cache_dir is not None else getattr(embedder, "cache_dir", None)
            umap_cache = ReductionCache(Path(root) / "umap" if root is not None else None)
        self.umap_cache = umap_cache

    # -- configuration -------------------------------------------------------------------

    def build_umap(self, params: TopicParams) -> CachedUMAP:
        """The platform's UMAP (behind the reduction cache)."""
        return CachedUMAP(
            n_neighbors=params.umap_n_neighbors,
            n_components=params.umap_n_components,
            min_dist=UMAP_MIN_DIST,
            metric=UMAP_METRIC,
            random_state=self.random_state,
            cache=self.umap_cache,
        )

    @staticmethod
    def build_hdbscan(params: TopicParams) -> hdbscan.HDBSCAN:
        """The platform's HDBSCAN."""
        return _HDBSCAN(
            min_cluster_size=params.min_topic_size,
            min_samples=params.hdbscan_min_samples,
            metric=HDBSCAN_METRIC,
            cluster_selection_method=HDBSCAN_SELECTION,
            prediction_data=True,
        )

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> TopicResult:
        """Model ``texts`` given their ``embeddings``, ndarray of shape (n_documents, dim).

        Applies :func:`scale_params` itself. Raises :class:`NoTopicsError` when no topic is
        found and :class:`JobInputError` for inconsistent input.
        """
        started = time.perf_counter()
        timings: dict[str, float] = {}
        texts = [str(text) for text in texts]
        embeddings = self._check_input(texts, embeddings)
        n_documents = len(texts)
        params = _fit_limits(scale_params(self.params, n_documents), n_documents)
        if n_documents < max(MIN_DOCUMENTS, params.min_topic_size):
            raise NoTopicsError(
                f"{n_documents} documents cannot form a topic of at least "
                f"{max(MIN_DOCUMENTS, params.min_topic_size)} (min_topic_size after scaling)"
            )
        guided = params.tier1_guided
        details: dict = {"n_documents": n_documents}

        aspects = load_aspects() if guided else ()
        if guided:
            details["seed_audit"] = audit_seed_matches(texts, aspects)

        umap_model = self.build_umap(params)
        hdbscan_model = self.build_hdbscan(params)
        backend = EmbedderBackend(self.embedder, texts, embeddings)
        model = BERTopic(
            embedding_model=backend,
            umap_model=umap_model,
            hdbscan_model=hdbscan_model,
            vectorizer_model=make_vectorizer(guided=guided),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=params.reduce_frequent_words),
            representation_model=make_representation(
                guided=guided,
                mmr_diversity=params.mmr_diversity,
                random_state=self.random_state,
                nr_candidate_words=params.keyword_candidates,
            ),
            # More candidates than are shown, so folding plurals can still fill ten.
            top_n_words=CANDIDATE_WORDS,
            nr_topics=params.nr_topics,
            calculate_probabilities=guided,
            seed_topic_list=seed_topic_list(aspects) if guided else None,
            verbose=self.show_progress_bar,
        )
        fit_start = time.perf_counter()
        try:
            # Guided seeding edits the embeddings in place; BERTopic gets its own copy.
            topics, probabilities = model.fit_transform(
                texts, embeddings.copy() if guided else embeddings
            )
        except ValueError as error:
            # min_df 2 (guided) on very few topics can leave c-TF-IDF without a single word.
            if "empty vocabulary" in str(error) or "max_df corresponds" in str(error):
                raise NoTopicsError(f"no keyword survives the vectorizer ({error})") from None
            raise
        fitted = time.perf_counter() - fit_start
        timings["umap"] = umap_model.fit_seconds_
        timings["hdbscan"] = hdbscan_model.fit_seconds_
        timings["topics"] = fitted - timings["umap"] - timings["hdbscan"]
        details["umap_cache_hit"] = umap_model.cache_hit_
        details["umap_cache_key"] = umap_model._fit_key
        details["backend_texts_requested"] = backend.requested
        details["backend_texts_known"] = backend.served_from_known

        topic_words = self._shown_keywords(model.get_topics(), params)
        if not topic_words:
            raise NoTopicsError(f"all {n_documents} documents are outliers")
        topic_ids = sorted(topic_words)

        secondary_topics = secondary_probabilities = None
        if guided:
            step = time.perf_counter()
            doc_topics, doc_probabilities, secondary_topics, secondary_probabilities = (
                self._guided_assignments(model, texts, topic_ids, params)
            )
            timings["distribution"] = time.perf_counter() - step
        else:
            doc_topics = np.asarray(topics, dtype=np.int64)
            doc_probabilities = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)

        if params.reduce_outliers:
            step = time.perf_counter()
            # BERTopic's embeddings strategy on the embeddings we already have: nothing is
            # embedded again, and the moved comments keep their (lower) similarity.
            moved = reassign_outliers(
                embeddings, doc_topics, doc_probabilities, topic_ids, params.outlier_threshold
            )
            doc_topics, doc_probabilities = moved.doc_topics, moved.doc_probabilities
            details["outliers_reassigned"] = moved.n_reassigned
            timings["outliers"] = time.perf_counter() - step

        aspect_mapping = None
        mmr_words: dict[int, list[str]] = {}
        if guided:
            step = time.perf_counter()
            aspect_mapping = map_topics_to_aspects(
                topic_words, self.embedder, aspects, params.match_threshold
            )
            mmr = model.topic_aspects_.get(MMR_ASPECT, {})
            mmr_words = self._shown_keywords(mmr, params)
            timings["aspects"] = time.perf_counter() - step

        summaries = []
        for topic in topic_ids:
            keywords = topic_words[topic]
            summary = TopicSummary(
                index=topic,
                label=topic_label(topic, keywords),
                keywords=keywords,
                doc_count=int(np.sum(doc_topics == topic)),
            )
            if guided:
                aspect, similarity = aspect_mapping[topic]
                summary = TopicSummary(
                    **{
                        **summary.__dict__,
                        "aspect": aspect,
                        "aspect_similarity": similarity,
                        "is_emergent": aspect == EMERGENT_ASPECT,
                        "keywords_mmr": mmr_words.get(topic, []),
                    }
                )
            summaries.append(summary)

        step = time.perf_counter()
        keyword_lists = [topic_words[topic] for topic in topic_ids]
        npmi = npmi_coherence(keyword_lists, texts)
        metrics = Metrics(
            npmi_coherence=npmi.value,
            topic_diversity=topic_diversity(keyword_lists),
            outlier_ratio=outlier_ratio(doc_topics),
            silhouette_score=silhouette(embeddings, doc_topics),
            embedding_coherence=embedding_coherence(keyword_lists, self.embedder),
        )
        timings["metrics"] = time.perf_counter() - step
        details["npmi_keywords_scored"] = npmi.keywords_scored
        details["npmi_keywords_total"] = npmi.keywords_total
        details["npmi_topics_scored"] = npmi.topics_scored
        timings["total"] = time.perf_counter() - started

        return TopicResult(
            topics=summaries,
            doc_topics=doc_topics,
            doc_probabilities=doc_probabilities,
            metrics=metrics,
            params_used=params,
            guided=guided,
            secondary_topics=secondary_topics,
            secondary_probabilities=secondary_probabilities,
            aspect_mapping=aspect_mapping,
            timings=timings,
            details=details,
        )

    @staticmethod
    def _shown_keywords(topics: dict, params: TopicParams) -> dict[int, list[str]]:
        """The ten keywords shown per topic (never -1) from BERTopic's ranked candidates.

        ``topics`` maps topic -> [(word, score), ...] best first (``CANDIDATE_WORDS`` long).
        """
        candidates = {
            int(topic): [word for word, _ in words if word]
            for topic, words in topics.items()
            if int(topic) != OUTLIER_TOPIC
        }
        if params.demote_shared_words:
            candidates = demote_shared(candidates)
        if params.fold_plurals:
            return {topic: fold_keywords(words, TOP_N_WORDS) for topic, words in candidates.items()}
        return {topic: words[:TOP_N_WORDS] for topic, words in candidates.items()}

    @staticmethod
    def _check_input(texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        embeddings = np.asarray(embeddings)
        if embeddings.ndim != 2 or embeddings.shape[0] != len(texts):
            raise JobInputError(
                ErrorCode.EMBEDDING_DIMENSION_MISMATCH,
                f"embeddings of shape {embeddings.shape} do not match {len(texts)} texts "
                "(expected (n_documents, dim))",
            )
        if not np.isfinite(embeddings).all():
            rows = np.flatnonzero(~np.isfinite(embeddings).all(axis=1))
            raise JobInputError(
                ErrorCode.NON_FINITE_EMBEDDING,
                f"embeddings of documents at rows {rows[:5].tolist()} contain NaN or infinity",
            )
        return np.ascontiguousarray(embeddings, dtype=np.float32)

    @staticmethod
    def _guided_assignments(
        model: BERTopic, texts: list[str], topic_ids: list[int], params: TopicParams
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Primary and secondary topics from BERTopic's approximate topic distribution.

        Returns doc topics (-1 when the best score < primary_threshold), their scores, secondary
        topics (-1 when none) and secondary scores (nan when none), each of shape (n_documents,).
        """
        distribution, _ = model.approximate_distribution(texts)
        distribution = np.nan_to_num(np.asarray(distribution, dtype=np.float64))
        # Columns are the non-outlier topics in index order.
        columns = np.asarray(topic_ids)
        n = len(texts)
        if distribution.shape[1] >= 2:
            order = np.argsort(-distribution, axis=1, kind="stable")[:, :2]
        else:
            order = np.zeros((n, 2), dtype=np.int64)
        rows = np.arange(n)
        top = distribution[rows, order[:, 0]]
        second = distribution[rows, order[:, 1]] if distribution.shape[1] >= 2 else np.zeros(n)
        primary_ok = top >= params.primary_threshold
        doc_topics = np.where(primary_ok, columns[order[:, 0]], OUTLIER_TOPIC).astype(np.int64)
        doc_probabilities = np.clip(top, 0.0, 1.0)
        secondary_ok = (
            primary_ok
            & (second >= params.secondary_threshold)
            & ((top - second) < params.secondary_gap_max)
            & (distribution.shape[1] >= 2)
        )
        secondary_topics = np.where(secondary_ok, columns[order[:, 1]], OUTLIER_TOPIC).astype(
            np.int64
        )
        secondary_probabilities = np.where(secondary_ok, np.clip(second, 0.0, 1.0), np.nan)
        return doc_topics, doc_probabilities, secondary_topics, secondary_probabilities
