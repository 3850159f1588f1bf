"""Keyword post-processing: demote words shared by most topics, fold plurals, trim to 10.

:func:`demote_shared` moves keywords built on a word that most topics share (the domain's
"lessons", "class") behind each topic's own keywords (``demote_shared_words``).

BERTopic is asked for more candidate keywords per topic than are shown (``CANDIDATE_WORDS``);
:func:`fold_keywords` walks them best first, drops a keyword whose folded form (each word
singularised) was already taken, and stops at ``top_n``. "lesson" and "lessons" (or
"clear explanation" and "clear explanations") then take one slot, and the list is refilled from
further candidates instead of coming out short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

TOP_N = 10
CANDIDATE_WORDS = 30
"""Keywords asked of BERTopic per topic, so folding still leaves ``TOP_N``."""

_WORD = re.compile(r"\S+")
# Endings that look plural but are singular ("class", "bus", "analysis", "focus").
_NOT_PLURAL = ("ss", "us", "is")


def singular(word: str) -> str:
    """A conservative English singular of ``word`` (lowercase): only regular plurals fold.

    "lessons" -> "lesson", "quizzes" -> "quiz", "activities" -> "activity", "classes" ->
    "class"; "class", "bus", "analysis" and short words ("is", "as") are left alone. Cebuano and
    Tagalog mark plurals with a separate word ("mga"); one of their words that happens to end
    in "s" only folds when its "singular" is among the same topic's candidates too.
    """
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("zzes"):
        return word[:-3]
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith(_NOT_PLURAL):
        return word
    return word[:-1]


def fold_key(keyword: str) -> tuple[str, ...]:
    """The folded form of a keyword (one word or an n-gram): each word singularised."""
    return tuple(singular(word) for word in _WORD.findall(keyword.lower()))


def fold_keywords(candidates: Iterable[str], top_n: int = TOP_N) -> list[str]:
    """The first ``top_n`` candidates (best first) with singular/plural duplicates folded.

    A candidate is kept when no better-ranked kept keyword has the same folded form; a bigram
    made of one word twice ("lessons lessons", "lesson lessons") is dropped as noise. Empty
    candidates (BERTopic pads with "") are skipped. Returns at most ``top_n`` keywords.
    """
    kept: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for keyword in candidates:
        if not keyword:
            continue
        key = fold_key(keyword)
        if not key or key in seen or (len(key) > 1 and len(set(key)) == 1):
            continue
        seen.add(key)
        kept.append(keyword)
        if len(kept) == top_n:
            break
    return kept


SHARED_TOPIC_SHARE = 0.5
"""A word in the candidate lists of more than this share of the topics is "shared"."""


def demote_shared(
    topics: dict[int, Sequence[str]], max_share: float = SHARED_TOPIC_SHARE
) -> dict[int, list[str]]:
    """Move keywords with a word found across most topics behind the topic's own keywords.

    ``topics`` maps topic -> ranked candidate keywords. A word (singular form) that occurs in
    the candidates of more than ``max_share`` of the topics (the domain's "lessons", "class")
    says nothing about any one topic; keywords containing it keep their relative order but
    come after every keyword without one, so they only fill a list that would be short
    otherwise. Needs at least two topics; one topic is returned unchanged.
    """
    if len(topics) < 2:
        return {topic: list(words) for topic, words in topics.items()}
    counts: dict[str, int] = {}
    for words in topics.values():
        for word in {part for keyword in words if keyword for part in fold_key(keyword)}:
            counts[word] = counts.get(word, 0) + 1
    limit = max_share * len(topics)
    shared = {word for word, count in counts.items() if count > limit}
    result = {}
    for topic, words in topics.items():
        words = [keyword for keyword in words if keyword]
        is_shared = [bool(shared.intersection(fold_key(keyword))) for keyword in words]
        own = [keyword for keyword, flag in zip(words, is_shared, strict=True) if not flag]
        common = [keyword for keyword, flag in zip(words, is_shared, strict=True) if flag]
        result[topic] = own + common
    return result
