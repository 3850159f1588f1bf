"""The whole pipeline on real models: topics, guided fields, metrics, caching, determinism."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from faculytics_clusterer import NoTopicsError, TopicPipeline
from faculytics_clusterer.metrics import metric_tokens
from faculytics_clusterer.vectorizers import load_stopwords
from faculytics_contracts import CONTRACT_VERSION, TopicModelResponse, TopicParams

from .conftest import SAMPLE_PARAMS

pytestmark = pytest.mark.slow


def _purity(result, themes) -> float:
    themes = np.asarray(themes)
    clustered = result.doc_topics != -1
    majority = sum(
        Counter(themes[result.doc_topics == topic.index]).most_common(1)[0][1]
        for topic in result.topics
        if topic.doc_count
    )
    return majority / clustered.sum()


def test_themes_recovered(sample, sample_result):
    result = sample_result
    # Nine themes of ~35 comments: the largest theme is ~12% of the corpus, so majority-theme
    # purity of a topic assignment that ignores the text stays near that.
    chance = max(Counter(sample.themes).values()) / len(sample.themes)
    assert len(result.topics) >= 4
    assert _purity(result, sample.themes) > max(0.35, 2.5 * chance)
    assert result.metrics.outlier_ratio < 0.5


def test_topic_summaries(sample_result):
    result = sample_result
    indices = [topic.index for topic in result.topics]
    assert indices == sorted(indices) and -1 not in indices
    counts = Counter(result.doc_topics.tolist())
    for topic in result.topics:
        assert 1 <= len(topic.keywords) <= 10
        assert topic.label == "_".join([str(topic.index), *topic.keywords[:4]])
        assert topic.doc_count == counts[topic.index]
        assert topic.aspect is None and topic.keywords_mmr is None
    assert sum(topic.doc_count for topic in result.topics) + result.outlier_count == len(
        result.doc_topics
    )
    assert result.secondary_topics is None and result.aspect_mapping is None


def test_keywords_are_never_numbers_stop_or_role_words(sample_result):
    stop = load_stopwords()
    for topic in sample_result.topics:
        for keyword in topic.keywords:
            words = keyword.split()
            assert not any(word.isdigit() for word in words), keyword
            assert not any(word in stop for word in words), keyword


def test_probabilities_in_range_and_outliers_real(sample_result):
    probabilities = sample_result.doc_probabilities
    assert probabilities.shape == sample_result.doc_topics.shape
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    clustered = sample_result.doc_topics != -1
    # HDBSCAN membership strength: clustered documents have some, outliers have none.
    assert np.all(probabilities[clustered] > 0)
    assert np.all(probabilities[~clustered] == 0)


def test_metrics_finite_and_in_range(sample_result, guided_result):
    for result in (sample_result, guided_result):
        m = result.metrics
        values = [
            m.npmi_coherence,
            m.topic_diversity,
            m.outlier_ratio,
            m.silhouette_score,
            m.embedding_coherence,
        ]
        assert all(np.isfinite(values))
        assert -1 <= m.npmi_coherence <= 1 and m.npmi_coherence != 0.0
        assert 0 < m.topic_diversity <= 1
        assert m.outlier_ratio == pytest.approx(result.outlier_count / result.n_documents)
        assert -1 <= m.silhouette_score <= 1 and m.silhouette_score != 0.0
        assert 0 < m.embedding_coherence <= 1
        assert result.details["npmi_keywords_scored"] > 0


def test_response_fields_validate_and_account_for_every_id(sample, sample_result, guided_result):
    for result in (sample_result, guided_result):
        fields = result.to_response_fields(sample.ids)
        response = TopicModelResponse(
            version=CONTRACT_VERSION, status="completed", completed_at=datetime.now(UTC), **fields
        )
        payload = response.to_payload()
        ids = [assignment["submissionId"] for assignment in payload["assignments"]]
        assert sorted(ids) == sorted(sample.ids) and len(ids) == len(set(ids))
        outliers = [a for a in payload["assignments"] if a["topicIndex"] == -1]
        assert payload["outlierCount"] == len(outliers) == result.outlier_count
        assert ("aspectMapping" in payload) == result.guided
        topic_indices = {topic["topicIndex"] for topic in payload["topics"]}
        assert {a["topicIndex"] for a in payload["assignments"]} <= topic_indices | {-1}


def test_guided_fields_consistent(guided_result, minilm):
    result = guided_result
    params = result.params_used
    assert result.guided and params.tier1_guided
    indices = {topic.index for topic in result.topics}
    assert set(result.aspect_mapping) == indices | {-1}
    assert result.aspect_mapping[-1] == ("outlier", 0.0)
    aspects = {name for name, _ in result.aspect_mapping.values()}
    assert len(aspects - {"outlier", "emergent"}) >= 2
    for topic in result.topics:
        assert (topic.aspect, topic.aspect_similarity) == result.aspect_mapping[topic.index]
        assert topic.is_emergent == (topic.aspect_similarity < params.match_threshold)
        assert topic.is_emergent == (topic.aspect == "emergent")
        assert topic.keywords_mmr and len(topic.keywords_mmr) <= 10
    # Primary: a topic only when the best score reaches primary_threshold.
    primary = result.doc_topics != -1
    assert np.all(result.doc_probabilities[primary] >= params.primary_threshold)
    assert np.all(result.doc_probabilities[~primary] < params.primary_threshold)
    # Secondary: only when the second score and the gap rules hold.
    has_secondary = result.secondary_topics != -1
    assert has_secondary.any()
    assert np.all(np.isnan(result.secondary_probabilities[~has_secondary]))
    second = result.secondary_probabilities[has_secondary]
    first = result.doc_probabilities[has_secondary]
    assert np.all(primary[has_secondary])
    assert np.all(second >= params.secondary_threshold)
    assert np.all(first - second < params.secondary_gap_max)
    assert np.all(second <= first)
    assert np.all(result.secondary_topics[has_secondary] != result.doc_topics[has_secondary])
    assert sum(result.details["seed_audit"].values()) > 0


def test_small_corpus_scaling_reported(sample, sample_embeddings, minilm):
    result = TopicPipeline(TopicParams(), embedder=minilm).fit(
        sample.texts[:40], sample_embeddings[:40]
    )
    used = result.params_used
    assert (used.min_topic_size, used.umap_n_neighbors, used.umap_n_components) == (4, 10, 5)
    assert used.nr_topics == TopicParams().nr_topics


@pytest.mark.parametrize("n_documents", [3, 7, 16, 25])
def test_tiny_corpora_give_a_result_or_no_topics(sample, tiny_embedder, n_documents):
    texts = sample.texts[:n_documents]
    embeddings = tiny_embedder.encode(texts)
    for guided in (False, True):
        pipeline = TopicPipeline(TopicParams(tier1_guided=guided), embedder=tiny_embedder)
        try:
            result = pipeline.fit(texts, embeddings)
        except NoTopicsError as error:
            assert error.code == "no_topics"
            continue
        assert result.params_used.umap_n_neighbors < n_documents
        assert len(result.doc_topics) == n_documents


def test_deterministic(sample, sample_embeddings, minilm, sample_result, tmp_path):
    # A fresh pipeline with an empty UMAP cache: every stage is recomputed.
    again = TopicPipeline(SAMPLE_PARAMS, embedder=minilm, cache_dir=tmp_path).fit(
        sample.texts, sample_embeddings
    )
    assert again.details["umap_cache_hit"] is False
    assert np.array_equal(again.doc_topics, sample_result.doc_topics)
    assert np.array_equal(again.doc_probabilities, sample_result.doc_probabilities)
    assert again.topics == sample_result.topics
    assert again.metrics == sample_result.metrics


def test_rerun_with_new_min_topic_size_reuses_umap(
    sample, sample_embeddings, minilm, sample_result, umap_cache_dir
):
    assert sample_result.details["umap_cache_hit"] is False
    params = SAMPLE_PARAMS.model_copy(update={"min_topic_size": 14})
    pipeline = TopicPipeline(params, embedder=minilm, cache_dir=umap_cache_dir)
    result = pipeline.fit(sample.texts, sample_embeddings)
    assert result.details["umap_cache_hit"] is True
    assert pipeline.umap_cache.stats.disk_hits == 1 and pipeline.umap_cache.stats.misses == 0
    assert result.details["umap_cache_key"] == sample_result.details["umap_cache_key"]
    assert result.params_used.min_topic_size == 14
    # A second fit in the same process reads the memo, not the file.
    pipeline.fit(sample.texts, sample_embeddings)
    assert pipeline.umap_cache.stats.memory_hits == 1
    # Changing a UMAP parameter is a different reduction.
    other = SAMPLE_PARAMS.model_copy(update={"umap_n_components": 4})
    pipeline = TopicPipeline(other, embedder=minilm, cache_dir=umap_cache_dir)
    assert pipeline.fit(sample.texts, sample_embeddings).details["umap_cache_hit"] is False


def _bigram_corpus():
    themes = {
        "grading": ["fair grading", "quiz scores", "exam results", "rubric posted"],
        "lateness": ["always late", "class cancelled", "waiting outside", "late again"],
        "online": ["google classroom", "uploaded modules", "zoom link", "slides uploaded"],
    }
    rng = np.random.default_rng(7)
    texts, labels = [], []
    for theme, phrases in themes.items():
        for _ in range(25):
            picked = rng.choice(phrases, size=3, replace=False)
            texts.append(" and ".join(picked) + " this week")
            labels.append(theme)
    return texts, labels


def test_npmi_positive_with_bigram_keywords(minilm):
    texts, _ = _bigram_corpus()
    embeddings = minilm.encode(texts)
    result = TopicPipeline(TopicParams(min_topic_size=8), embedder=minilm).fit(texts, embeddings)
    keywords = [keyword for topic in result.topics for keyword in topic.keywords]
    assert any(" " in keyword for keyword in keywords)
    assert result.metrics.npmi_coherence > 0.0
    assert result.details["npmi_keywords_scored"] == result.details["npmi_keywords_total"]
    assert all(metric_tokens(keyword) for keyword in keywords)
