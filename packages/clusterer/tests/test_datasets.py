"""The bundled hand-written sample and the synthetic corpus generator."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from faculytics_clusterer.datasets import (
    GENERAL_THEME,
    LANGUAGES,
    FeedbackCorpus,
    load_sample_feedback,
    make_feedback_corpus,
)
from faculytics_contracts.request import parse_request

# Whole words that mark a comment as (partly) Cebuano, Tagalog or English; each set avoids words
# the other languages share (Cebuano and Tagalog both use "ang", "sa", "pero", "wala").
CEBUANO_MARKERS = {"kaayo", "jud", "gyud", "dili", "mi", "namo", "among", "iyang", "unta", "og"}
CEBUANO_MARKERS |= {"ug", "ra", "kay", "nga", "walay", "naay", "dayon", "permi", "kanunay", "pud"}
TAGALOG_MARKERS = {"hindi", "namin", "po", "yung", "ng", "sobrang", "magaling", "sana", "lang"}
TAGALOG_MARKERS |= {"naman", "mga", "kami", "laging", "palaging", "tapos", "ito", "kung", "at"}
ENGLISH_MARKERS = {"the", "is", "are", "very", "and", "we", "too", "class", "students", "always"}
ENGLISH_MARKERS |= {"clear", "fast", "fair", "late", "with", "for", "after", "every", "super"}
ROLE_WORDS = {"sir", "maam", "ma'am", "mam", "teacher", "instructor", "prof", "professor", "miss"}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def share_with(corpus: FeedbackCorpus, markers: set[str]) -> float:
    return sum(bool(words(text) & markers) for text in corpus.texts) / len(corpus)


@pytest.fixture(scope="module")
def sample() -> FeedbackCorpus:
    return load_sample_feedback()


@pytest.fixture(scope="module")
def synthetic() -> FeedbackCorpus:
    return make_feedback_corpus(5000, random_state=0)


def test_sample_loads_a_few_hundred_labelled_comments(sample):
    assert 250 <= len(sample) <= 400
    assert len(set(sample.ids)) == len(sample)
    assert all(text.strip() == text and text for text in sample.texts)
    assert len(set(sample.texts)) == len(sample)


def test_sample_covers_every_language_in_the_agreed_mix(sample):
    shares = {lang: n / len(sample) for lang, n in sample.language_counts().items()}
    assert set(shares) == set(LANGUAGES)
    assert 0.3 <= shares["en"] <= 0.5
    for language in ("ceb", "tl", "mixed"):
        assert 0.15 <= shares[language] <= 0.25, (language, shares)


def test_sample_themes_are_balanced_and_carry_role_words(sample):
    counts = sample.theme_counts()
    assert len(counts) >= 8
    assert min(counts.values()) >= 20, counts
    # Role words run through every theme, as in real forms: they must not identify a theme.
    for theme in counts:
        with_role = [
            text
            for text, label in zip(sample.texts, sample.themes, strict=True)
            if label == theme and words(text) & ROLE_WORDS
        ]
        assert len(with_role) >= 3, theme


def test_sample_items_form_a_valid_request(sample):
    items = sample.to_items()
    assert items[0] == {"submissionId": sample.ids[0], "text": sample.texts[0]}
    request = parse_request({"items": items})
    assert request.submission_ids == sample.ids


def test_corpus_rejects_mismatched_lists_and_unknown_languages():
    with pytest.raises(ValueError, match="equal lengths"):
        FeedbackCorpus(ids=["a", "b"], texts=["x"], themes=["t"], languages=["en"])
    with pytest.raises(ValueError, match="'fr'"):
        FeedbackCorpus(ids=["a"], texts=["x"], themes=["t"], languages=["fr"])


def test_generator_is_deterministic_per_seed(synthetic):
    again = make_feedback_corpus(5000, random_state=0)
    assert again == synthetic
    other = make_feedback_corpus(5000, random_state=1)
    assert other.texts != synthetic.texts
    # Each comment depends only on its own draws and the earlier comments, so a smaller corpus
    # is a prefix of a larger one with the same seed.
    assert make_feedback_corpus(300, random_state=0).texts == synthetic.texts[:300]


@pytest.mark.parametrize("n_documents", [1, 7, 2500])
def test_generator_honours_the_requested_size(n_documents):
    corpus = make_feedback_corpus(n_documents, random_state=3)
    assert len(corpus) == len(corpus.texts) == len(corpus.themes) == n_documents
    assert len(set(corpus.ids)) == n_documents
    assert all(text.strip() for text in corpus.texts)


@pytest.mark.parametrize(
    ("n_documents", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_generator_rejects_bad_sizes(n_documents, error):
    with pytest.raises(error, match="n_documents"):
        make_feedback_corpus(n_documents)


def test_generator_mixes_languages_like_real_feedback(synthetic):
    shares = {lang: n / len(synthetic) for lang, n in synthetic.language_counts().items()}
    assert abs(shares["en"] - 0.4) < 0.05
    for language in ("ceb", "tl", "mixed"):
        assert abs(shares[language] - 0.2) < 0.05, (language, shares)
    assert share_with(synthetic, CEBUANO_MARKERS) > 0.2
    assert share_with(synthetic, TAGALOG_MARKERS) > 0.2
    # Code-switched comments really switch: English words beside Cebuano or Tagalog ones.
    local = CEBUANO_MARKERS | TAGALOG_MARKERS
    mixed = [
        words(t)
        for t, lang in zip(synthetic.texts, synthetic.languages, strict=True)
        if lang == "mixed"
    ]
    switched = sum(bool(w & ENGLISH_MARKERS) and bool(w & local) for w in mixed)
    assert switched > 0.5 * len(mixed)


def test_generator_themes_match_the_sample_and_carry_noise(sample, synthetic):
    counts = synthetic.theme_counts()
    assert set(counts) == set(sample.theme_counts()) | {GENERAL_THEME}
    assert min(counts.values()) > 0.03 * len(synthetic)
    texts = synthetic.texts
    # Several themes or a contrast in one comment, course codes, role words in every theme,
    # and the near-duplicates feedback forms produce, each in a realistic share.
    assert sum(bool(re.search(r"\b(but|pero|kaso)\b", t.lower())) for t in texts) > 0.1 * len(texts)
    with_course = sum(bool(re.search(r"\b[A-Za-z]{2,5} \d{1,3}\b", t)) for t in texts)
    assert 0.03 * len(texts) < with_course < 0.2 * len(texts)
    assert 0.8 * len(texts) < len(set(texts)) < len(texts)
    for theme in counts:
        if theme == GENERAL_THEME:
            continue
        themed = [t for t, label in zip(texts, synthetic.themes, strict=True) if label == theme]
        assert sum(bool(words(t) & ROLE_WORDS) for t in themed) > 0.1 * len(themed), theme


def test_generator_labels_follow_the_phrase_banks(synthetic):
    # A comment's first clause comes from its theme: theme-specific words show up far more
    # often under their own label than under any other.
    cues = {
        "punctuality_attendance": {"late", "absent", "punctual", "schedule", "oras"},
        "lms_digital_tools": {"lms", "classroom", "modules", "upload", "meet"},
        "workload_pacing": {"requirements", "deadlines", "workload", "deadline"},
    }
    by_theme = Counter(synthetic.themes)
    for theme, cue in cues.items():
        rates = {
            label: sum(
                bool(words(t) & cue)
                for t, lab in zip(synthetic.texts, synthetic.themes, strict=True)
                if lab == label
            )
            / by_theme[label]
            for label in by_theme
        }
        others = max(rate for label, rate in rates.items() if label != theme)
        assert rates[theme] > 0.5 and rates[theme] > 3 * others, (theme, rates)


def test_light_modules_load_without_bertopic():
    # faculytics_clusterer loads its pipeline lazily, so data-only users skip BERTopic and torch.
    import subprocess
    import sys

    code = (
        "import sys, faculytics_clusterer, faculytics_clusterer.datasets; "
        "assert 'bertopic' not in sys.modules, 'bertopic imported'; "
        "from faculytics_clusterer import TopicPipeline; "
        "assert 'bertopic' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
