"""Topic keyword models: KeyBERTInspired re-ranking, plus an MMR list in guided mode."""

from __future__ import annotations

from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

from faculytics_clusterer.keywords import CANDIDATE_WORDS

TOP_N_WORDS = 10
MMR_ASPECT = "MMR"
"""Name of the MMR keyword list in BERTopic's ``topic_aspects_``."""


def make_representation(
    *,
    guided: bool,
    mmr_diversity: float,
    random_state: int = 42,
    top_n_words: int = CANDIDATE_WORDS,
    nr_candidate_words: int = 100,
) -> KeyBERTInspired | dict:
    """The representation model handed to BERTopic.

    Non-guided: KeyBERTInspired alone. Guided: ``{"Main": KeyBERTInspired, "MMR": MMR}``, so the
    MMR list is computed from the same c-TF-IDF candidates in the same pass. Both return
    ``top_n_words`` ranked keywords per topic (:data:`CANDIDATE_WORDS`: more than are shown, so
    :mod:`faculytics_clusterer.keywords` can fold plurals and still fill ten). Both rankings are
    greedy, so their first ten equal what ``top_n_words=10`` would give. KeyBERTInspired picks
    them from the ``nr_candidate_words`` best c-TF-IDF words of each topic.
    """
    keybert = KeyBERTInspired(
        top_n_words=top_n_words, nr_candidate_words=nr_candidate_words, random_state=random_state
    )
    if not guided:
        return keybert
    return {
        "Main": keybert,
        MMR_ASPECT: MaximalMarginalRelevance(diversity=mmr_diversity, top_n_words=top_n_words),
    }
