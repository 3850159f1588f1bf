"""Topic keyword models: KeyBERTInspired re-ranking, plus an MMR list in guided mode."""

from __future__ import annotations

from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

TOP_N_WORDS = 10
MMR_ASPECT = "MMR"
"""Name of the MMR keyword list in BERTopic's ``topic_aspects_``."""


def make_representation(
    *, guided: bool, mmr_diversity: float, random_state: int = 42
) -> KeyBERTInspired | dict:
    """The representation model handed to BERTopic.

    Non-guided: KeyBERTInspired alone. Guided: ``{"Main": KeyBERTInspired, "MMR": MMR}``, so the
    MMR list is computed from the same c-TF-IDF candidates in the same pass.
    """
    keybert = KeyBERTInspired(top_n_words=TOP_N_WORDS, random_state=random_state)
    if not guided:
        return keybert
    return {
        "Main": keybert,
        MMR_ASPECT: MaximalMarginalRelevance(diversity=mmr_diversity, top_n_words=TOP_N_WORDS),
    }
