"""Keyword and outlier quality (issue 7): shared words, plural folding, role words, reassignment."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from faculytics_clusterer import TopicPipeline
from faculytics_clusterer.keywords import demote_shared, fold_key, fold_keywords, singular
from faculytics_clusterer.outliers import reassign_outliers, topic_centroids
from faculytics_clusterer.vectorizers import load_stopwords
from faculytics_contracts import TopicParams

from .conftest import SAMPLE_PARAMS

# Four clear themes; every comment names the course ("course", "courses") and a role word, the
# way a domain word ("hotel", "room") runs through every topic of real reviews.
_THEMES = {
    "grading": [
        "grading of the exams is fair and the rubrics are posted",
        "quiz scores and exam grades come back quickly with rubrics",
        "the grading rubrics for every exam and quiz are clear",
        "exam results and grades are explained with the rubric",
        "fair grades on quizzes and exams, rubrics shared early",
    ],
    "pacing": [
        "deadlines pile up and the workload of projects is heavy",
        "too many projects with tight deadlines every week",
        "the workload is heavy, deadlines for projects overlap",
        "projects and deadlines come too fast, heavy workload",
        "weekly deadlines and big projects make the workload heavy",
    ],
    "online": [
        "modules and slides are uploaded on google classroom",
        "the lms has the slides, videos and modules online",
        "slides and recorded videos are posted on the lms",
        "google classroom has every module and slide uploaded",
        "online modules and videos on the lms are complete",
    ],
    "lateness": [
        "always late to class and sometimes absent without notice",
        "arrives late, class starts thirty minutes after the schedule",
        "often absent and late, the schedule is never followed",
        "late again today, we waited minutes for class to start",
        "absent many times and late for the morning schedule",
    ],
}
_ROLE_OPENERS = ("sir", "maam", "our teacher", "the professor", "our instructor")
_DOMAIN = ("course", "courses")


def _domain_corpus(copies: int = 6) -> tuple[list[str], list[str]]:
    texts, themes = [], []
    for theme, sentences in _THEMES.items():
        for copy in range(copies):
            for number, sentence in enumerate(sentences):
                opener = _ROLE_OPENERS[(copy + number) % len(_ROLE_OPENERS)]
                domain = _DOMAIN[(copy + number) % 2]
                texts.append(f"{opener}: in this {domain}, {sentence} (comment {copy})")
                themes.append(theme)
    return texts, themes


@pytest.fixture(scope="module")
def domain_corpus(minilm):
    texts, themes = _domain_corpus()
    return texts, themes, minilm.encode(texts)


def _fit(minilm, texts, embeddings, **params):
    base = {"min_topic_size": 10, "umap_n_neighbors": 10, "umap_n_components": 5}
    return TopicPipeline(TopicParams(**{**base, **params}), embedder=minilm).fit(texts, embeddings)


# -- keyword post-processing (pure functions) -------------------------------------------------


def test_singular_folds_regular_plurals_only():
    assert [singular(w) for w in ("lessons", "quizzes", "activities", "classes", "boxes")] == [
        "lesson",
        "quiz",
        "activity",
        "class",
        "box",
    ]
    for word in ("class", "analysis", "focus", "bus", "is", "gas"):
        assert singular(word) == word
    assert fold_key("Clear Explanations") == ("clear", "explanation")


def test_fold_keywords_keeps_the_better_ranked_form_and_refills():
    candidates = ["lessons", "quiz", "lesson", "quizzes", "lessons lessons", "", "rubric"]
    candidates += [f"word{i}" for i in range(12)]
    folded = fold_keywords(candidates, top_n=10)
    assert folded[:3] == ["lessons", "quiz", "rubric"]
    assert len(folded) == 10 and folded[3:] == [f"word{i}" for i in range(7)]
    assert len({fold_key(keyword) for keyword in folded}) == 10


def test_demote_shared_moves_words_of_most_topics_behind():
    topics = {
        0: ["course", "exam", "course grading", "rubric"],
        1: ["courses", "deadline", "project"],
        2: ["slides", "course", "lms"],
        3: ["late", "absent"],
    }
    demoted = demote_shared(topics)
    # "course" (singular form) is in 3 of 4 topics: behind every keyword without it.
    assert demoted[0] == ["exam", "rubric", "course", "course grading"]
    assert demoted[1] == ["deadline", "project", "courses"]
    assert demoted[3] == ["late", "absent"]
    assert demote_shared({0: ["course", "exam"]}) == {0: ["course", "exam"]}


# -- the pipeline on a corpus where a domain word and role words are everywhere -------------


def test_domain_word_in_every_topic_no_longer_leads(minilm, domain_corpus):
    texts, _, embeddings = domain_corpus
    default = _fit(minilm, texts, embeddings)
    tuned = _fit(minilm, texts, embeddings, demote_shared_words=False, fold_plurals=False)
    assert len(default.topics) >= 3

    def leading(result):
        return sum(
            any(word in ("course", "courses") for word in " ".join(t.keywords[:3]).split())
            for t in result.topics
        )

    # The platform's tuned configuration lets the domain word head topics; the default does not.
    assert leading(tuned) >= 1
    assert leading(default) == 0


def test_role_words_never_keywords_where_they_dominate(minilm, domain_corpus):
    texts, _, embeddings = domain_corpus
    roles = {"sir", "maam", "teacher", "professor", "instructor", "ma", "am"}
    assert roles <= load_stopwords()
    for result in (
        _fit(minilm, texts, embeddings),
        _fit(minilm, texts, embeddings, tier1_guided=True, min_topic_size=8),
    ):
        for topic in result.topics:
            for keyword in [*topic.keywords, *(topic.keywords_mmr or [])]:
                assert not roles.intersection(keyword.split()), (topic.index, keyword)


def test_no_plural_duplicates_in_any_keyword_list(sample_result, guided_result):
    for result in (sample_result, guided_result):
        for topic in result.topics:
            for keywords in (topic.keywords, topic.keywords_mmr or []):
                keys = [fold_key(keyword) for keyword in keywords]
                assert len(keys) == len(set(keys)), (topic.index, keywords)


# -- outlier reassignment ---------------------------------------------------------------------


def test_reassign_outliers_reports_similarity_not_certainty():
    rng = np.random.default_rng(0)
    centres = np.eye(4)[:2] * 3
    embeddings = np.vstack([centres[i % 2] + rng.normal(size=4) * 0.3 for i in range(20)])
    doc_topics = np.array([i % 2 for i in range(20)])
    doc_topics[[3, 8, 15]] = -1
    probabilities = np.where(doc_topics == -1, 0.0, 0.9)
    moved = reassign_outliers(embeddings, doc_topics, probabilities, [0, 1], threshold=0.5)
    centroids = topic_centroids(embeddings, doc_topics, [0, 1])
    for row in (3, 8, 15):
        unit = embeddings[row] / np.linalg.norm(embeddings[row])
        expected = unit @ centroids.T
        assert moved.doc_topics[row] == int(np.argmax(expected))
        assert moved.doc_probabilities[row] == pytest.approx(expected.max())
        assert moved.doc_probabilities[row] < 1.0
    assert moved.n_reassigned == 3
    # Nothing reaches an impossible threshold; clustered documents are never touched.
    none = reassign_outliers(embeddings, doc_topics, probabilities, [0, 1], threshold=1.0)
    assert none.n_reassigned == 0 and np.array_equal(none.doc_topics, doc_topics)
    assert np.array_equal(moved.doc_topics[doc_topics != -1], doc_topics[doc_topics != -1])


def test_reduce_outliers_in_the_pipeline(sample, sample_embeddings, minilm, umap_cache_dir):
    def fit(**update):
        params = SAMPLE_PARAMS.model_copy(update=update)
        pipeline = TopicPipeline(params, embedder=minilm, cache_dir=umap_cache_dir)
        return pipeline.fit(sample.texts, sample_embeddings)

    kept = fit(reduce_outliers=False)
    moved = fit(reduce_outliers=True, outlier_threshold=0.3)
    assert kept.outlier_count > 0
    assert moved.outlier_count < kept.outlier_count
    assert moved.details["outliers_reassigned"] == kept.outlier_count - moved.outlier_count
    # Keywords and topics come from the fit; only assignments change.
    assert [t.keywords for t in moved.topics] == [t.keywords for t in kept.topics]
    changed = kept.doc_topics != moved.doc_topics
    assert np.all(kept.doc_topics[changed] == -1)
    ids = [str(i) for i in sample.ids]
    topic_ids = [t.index for t in kept.topics]
    centroids = topic_centroids(sample_embeddings, kept.doc_topics, topic_ids)
    unit = sample_embeddings[changed] / np.linalg.norm(sample_embeddings[changed], axis=1)[:, None]
    similarity = (unit @ centroids.T).max(axis=1)
    assert np.allclose(moved.doc_probabilities[changed], np.clip(similarity, 0, 1), atol=1e-6)
    assert np.all(moved.doc_probabilities[changed] < 1.0)
    assert np.all(similarity >= 0.3)
    # Doc counts follow the reassignment and every id is still accounted for exactly once.
    counts = Counter(moved.doc_topics.tolist())
    assert all(t.doc_count == counts[t.index] for t in moved.topics)
    fields = moved.to_response_fields(ids)
    assert sorted(a.submission_id for a in fields["assignments"]) == sorted(ids)
    assert fields["outlier_count"] == moved.outlier_count
    assert sum(a.topic_index == -1 for a in fields["assignments"]) == moved.outlier_count


# -- defaults ---------------------------------------------------------------------------------


def test_new_knobs_default_from_contracts(sample_result):
    defaults = TopicParams()
    used = sample_result.params_used
    knobs = ("demote_shared_words", "reduce_frequent_words", "fold_plurals", "reduce_outliers")
    for name in (*knobs, "outlier_threshold", "keyword_candidates"):
        assert getattr(used, name) == getattr(defaults, name), name
    # The default's behaviour follows the contract's value, not a copy in the clusterer.
    assert ("outliers_reassigned" in sample_result.details) == defaults.reduce_outliers
