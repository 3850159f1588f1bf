"""Fast checks of the pipeline's parts: parameter scaling, vectorizer, metrics, aspects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from faculytics_clusterer import scale_params
from faculytics_clusterer.aspects import audit_seed_matches, load_aspects
from faculytics_clusterer.metrics import (
    finite,
    metric_tokens,
    npmi_coherence,
    outlier_ratio,
    silhouette,
    topic_diversity,
)
from faculytics_clusterer.vectorizers import load_stopwords, make_vectorizer
from faculytics_contracts import TopicParams


class TestScaleParams:
    def test_large_corpus_keeps_params(self):
        params = TopicParams()
        assert scale_params(params, 5000) == params

    def test_small_corpus_lowers_topic_size_and_umap(self):
        used = scale_params(TopicParams(), 40)
        # 40 < 4 * 15 -> max(3, 4); 40 < 100 -> neighbours max(5, 10), components capped at 5
        assert (used.min_topic_size, used.umap_n_neighbors, used.umap_n_components) == (4, 10, 5)

    def test_only_lowers_never_raises(self):
        params = TopicParams(min_topic_size=3, umap_n_neighbors=6, umap_n_components=2)
        used = scale_params(params, 90)
        assert (used.min_topic_size, used.umap_n_neighbors, used.umap_n_components) == (3, 6, 2)

    def test_topic_size_floor_is_three(self):
        assert scale_params(TopicParams(min_topic_size=15), 20).min_topic_size == 3

    def test_between_rules(self):
        # 150 < 4 * 50 lowers min_topic_size to 15; 150 >= 100 keeps UMAP as asked.
        used = scale_params(TopicParams(min_topic_size=50), 150)
        assert (used.min_topic_size, used.umap_n_neighbors, used.umap_n_components) == (15, 20, 10)


class TestVectorizer:
    def test_numbers_are_never_tokens(self):
        analyzer = make_vectorizer().build_analyzer()
        tokens = analyzer("Room 417 in 2023 was hot, but cs101 slides 2 were ok")
        assert "417" not in tokens and "2023" not in tokens
        assert not any(part.isdigit() for token in tokens for part in token.split())
        assert "cs101" in tokens and "slides" in tokens

    def test_stop_and_role_words_removed_from_unigrams_and_bigrams(self):
        analyzer = make_vectorizer().build_analyzer()
        text = "Maayo kaayo si sir mo explain, ang teacher ay mabait po at the students love her"
        tokens = analyzer(text)
        stop = load_stopwords()
        for token in tokens:
            assert not any(word in stop for word in token.split()), token
        assert "maayo" in tokens and "mabait" in tokens and "explain" in tokens

    def test_stopword_lists_cover_the_three_languages_and_roles(self):
        stop = load_stopwords()
        for word in ["the", "ang", "kaayo", "iyang", "ng", "yung", "teacher", "maam", "guro"]:
            assert word in stop
        # Aspect seed words must stay keywords.
        for word in ["daghan", "marami", "late", "mabait", "buotan"]:
            assert word not in stop

    def test_guided_min_df(self):
        assert make_vectorizer(guided=True).min_df == 2
        assert make_vectorizer().min_df == 1


class TestMetrics:
    def test_tokens(self):
        assert metric_tokens("Maayo kaayo! Très bien, 2023 a x-ray") == [
            "maayo",
            "kaayo",
            "très",
            "bien",
            "ray",
        ]

    def test_npmi_scores_bigram_keywords_through_their_words(self):
        texts = ["good teacher explains lessons clearly"] * 5 + [
            "late again every monday class",
            "deadlines tight many projects",
        ] * 5
        keywords = [
            ["good teacher", "explains lessons", "clearly"],
            ["late again", "monday", "unknownword"],
        ]
        result = npmi_coherence(keywords, texts)
        assert result.value > 0.3
        assert result.topics_scored == 2
        assert (result.keywords_scored, result.keywords_total) == (5, 6)

    def test_npmi_unscorable_topic_left_out_not_nan(self):
        texts = ["alpha beta gamma", "alpha beta delta"] * 3
        result = npmi_coherence([["alpha beta"], ["zzz", "qqq"]], texts)
        assert math.isfinite(result.value)
        assert result.topics_scored == 1

    def test_diversity_and_outliers(self):
        assert topic_diversity([["a", "b"], ["b", "c"]]) == pytest.approx(0.75)
        assert outlier_ratio(np.array([-1, 0, 0, -1])) == pytest.approx(0.5)

    def test_silhouette_needs_two_topics_and_ten_documents(self):
        rng = np.random.default_rng(0)
        embeddings = rng.normal(size=(30, 8))
        assert silhouette(embeddings, np.zeros(30, dtype=int)) == 0.0
        assert silhouette(embeddings[:9], np.array([0, 1] * 4 + [0])) == 0.0
        separated = np.vstack([rng.normal(5, 0.1, (15, 8)), rng.normal(-5, 0.1, (15, 8))])
        labels = np.array([0] * 15 + [1] * 15)
        labels[0] = -1
        assert silhouette(separated, labels) > 0.9

    def test_silhouette_equals_sklearn(self):
        from sklearn.metrics import silhouette_score

        rng = np.random.default_rng(3)
        centres = rng.normal(size=(4, 16))
        labels = rng.integers(-1, 4, size=300)
        embeddings = centres[np.maximum(labels, 0)] + 0.8 * rng.normal(size=(300, 16))
        labels[5] = 7  # a topic with one document scores 0 for it, as in sklearn
        clustered = labels != -1
        expected = silhouette_score(embeddings[clustered], labels[clustered], metric="cosine")
        assert silhouette(embeddings, labels) == pytest.approx(expected, abs=1e-9)

    def test_finite(self):
        assert finite(float("nan")) == 0.0 and finite(float("inf")) == 0.0 and finite(0.5) == 0.5


class TestAspects:
    def test_ten_aspects_with_mixed_language_seeds(self):
        aspects = {aspect.name: aspect.seeds for aspect in load_aspects()}
        assert list(aspects) == [
            "teaching_clarity",
            "assessment_grading",
            "workload_pacing",
            "teaching_methodology",
            "instructor_attitude",
            "responsiveness_support",
            "punctuality_attendance",
            "lms_digital_tools",
            "real_world_relevance",
            "language_communication",
        ]
        assert {"daghan", "marami", "workload"} <= set(aspects["workload_pacing"])
        assert {"buotan", "mabait", "kind"} <= set(aspects["instructor_attitude"])
        assert "on time" in aspects["punctuality_attendance"]

    def test_audit_counts_whole_words_only(self):
        texts = ["He is always late", "Please translate this", "Arrives on time", "LATE!!"]
        counts = audit_seed_matches(texts, load_aspects())
        assert counts["punctuality_attendance"] == 3  # "translate" is not "late"
        assert counts["workload_pacing"] == 0
