"""Synthetic feedback corpora of any size, for benchmarks and quality measurements.

:func:`make_feedback_corpus` composes comments from per-theme phrase banks (``phrase_bank.json``
beside this module) in English, Cebuano and Tagalog plus code-switched clauses, and adds the noise
real evaluation forms have: several themes in one comment ("mabait si sir pero ang daming
requirements"), role words in every theme, generic praise ("very good teacher", "maayo kaayo"),
course codes and years ("IT 221", "SY 2023-2024"), typos and elongations ("kaayooo"), lowercase
and exclamation marks, one-word answers ("none", "ok ra") and near-duplicates. The text is
synthetic; only the hand-written sample
(:func:`~faculytics_clusterer.datasets.load_sample_feedback`) is meant to read like individual
students. Each comment's ``theme`` is the theme its first clause
was drawn from; comments made only of generic praise get the theme ``"general"``.

All randomness comes from one ``numpy.random.Generator`` seeded with ``random_state``: the same
arguments always give the identical corpus.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from importlib.resources import files
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from faculytics_clusterer.datasets.corpus import FeedbackCorpus

PHRASE_BANK_FILE = "phrase_bank.json"

#: Theme of comments that carry nothing but generic praise or a non-answer.
GENERAL_THEME = "general"

# Shares of the comment languages, as asked of the realistic corpus: 40% English, 20% each of
# Cebuano, Tagalog and code-switched.
_LANGUAGE_WEIGHTS = {"en": 0.4, "ceb": 0.2, "tl": 0.2, "mixed": 0.2}
# Which languages a code-switched comment mixes: Bisaya-English and Taglish dominate.
_MIXED_PAIRS = (("en", "ceb"), ("en", "tl"), ("ceb", "tl"))
_MIXED_PAIR_WEIGHTS = (0.45, 0.45, 0.10)

_P_DUPLICATE = 0.06  # a near-copy of an earlier comment (forms invite "same as above")
_P_GENERIC_ONLY = 0.06  # nothing but "very good", "none", "ok ra"
_P_NON_ANSWER = 0.3  # of those, the share that says nothing ("n/a", "wala po")
_P_POSITIVE = 0.6
_P_SECOND_PRIMARY = 0.3  # a second clause on the same theme
_P_SECONDARY_THEME = 0.3  # a clause on another theme
_P_SECONDARY_SAME_POLARITY = 0.6
_P_GENERIC_CLAUSE = 0.2
_P_CLOSER = 0.12
_P_COURSE = 0.1
_P_YEAR = 0.03
_P_LOWERCASE = 0.3
_P_UPPERCASE = 0.01
_P_TYPO = 0.1
_P_ELONGATION = 0.08
_P_EMPHASIS = 0.04
_ENDINGS = (".", "", "!", "!!!", "!!")
_ENDING_WEIGHTS = (0.45, 0.30, 0.13, 0.07, 0.05)

# Uniform draws reserved per document; a document uses fewer (about 45 at most).
_DRAWS_PER_DOCUMENT = 64


def _load_phrase_bank() -> dict[str, Any]:
    text = files("faculytics_clusterer.datasets").joinpath(PHRASE_BANK_FILE).read_text("utf-8")
    bank = json.loads(text)
    for key in ("praise", "non_answers", "closers"):
        for language in ("en", "ceb", "tl"):
            if not bank[key].get(language):
                raise ValueError(f"{PHRASE_BANK_FILE}: {key} lacks {language}")
    for theme, entry in bank["themes"].items():
        for language in ("en", "ceb", "tl", "mixed"):
            for polarity in ("pos", "neg"):
                if not entry.get(language, {}).get(polarity):
                    raise ValueError(
                        f"{PHRASE_BANK_FILE}: theme {theme!r} lacks {language}/{polarity}"
                    )
    return bank


def _weighted(labels: Sequence[Any], weights: Sequence[float]) -> Callable[[float], Any]:
    """A picker mapping one uniform draw in [0, 1) to a label with the given weights."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    bounds = [c / total for c in cumulative[:-1]]
    return lambda u: labels[bisect_right(bounds, u)]


def _pick(options: Sequence[str], u: float) -> str:
    return options[int(u * len(options))]


class _Composer:
    """Builds one comment at a time from a row of uniform draws; holds no random state."""

    def __init__(self, bank: dict[str, Any]) -> None:
        self.bank = bank
        self.themes = bank["themes"]
        theme_names = list(self.themes)
        self.pick_theme = _weighted(theme_names, [self.themes[t]["weight"] for t in theme_names])
        self.pick_language = _weighted(list(_LANGUAGE_WEIGHTS), list(_LANGUAGE_WEIGHTS.values()))
        self.pick_pair = _weighted(_MIXED_PAIRS, _MIXED_PAIR_WEIGHTS)
        self.pick_ending = _weighted(_ENDINGS, _ENDING_WEIGHTS)

    def _clause(
        self,
        theme: str,
        language: str,
        positive: bool,
        u: Callable[[], float],
        avoid: str | None = None,
    ) -> tuple[str, str]:
        """Return (clause, template); ``avoid`` is a template not to use again."""
        phrases = self.themes[theme][language]["pos" if positive else "neg"]
        at = int(u() * len(phrases))
        if phrases[at] == avoid:  # a second clause on the theme should not repeat the first
            at = (at + 1) % len(phrases)
        role = _pick(self.bank["roles"][language], u())
        return phrases[at].replace("{role}", role), phrases[at]

    def _join(self, clauses: list[tuple[str, str, bool]], u: Callable[[], float]) -> str:
        """Join (text, language, positive) clauses with connectors in the next clause's language."""
        text = clauses[0][0]
        for (_, _, previous_positive), (clause, language, positive) in pairwise(clauses):
            kind = "and" if positive == previous_positive else "but"
            text += _pick(self.bank["connectors"][kind][language], u()) + clause
        return text

    def compose(
        self, u: Callable[[], float], index: int, texts: list[str], labels: list[tuple[str, str]]
    ) -> tuple[str, str, str]:
        """Return (text, theme, language) for comment ``index``, given the earlier ones."""
        kind = u()
        if kind < _P_DUPLICATE and index > 0:
            source = int(u() * index)
            return _near_copy(texts[source], u()), *labels[source]

        language = self.pick_language(u())
        pair = self.pick_pair(u()) if language == "mixed" else (language, language)

        def plain(x: float) -> str:
            # Clauses that are not the primary one use one of the comment's plain languages.
            return pair[int(x * 2)]

        if kind < _P_DUPLICATE + _P_GENERIC_ONLY:
            generic = self.bank["non_answers" if u() < _P_NON_ANSWER else "praise"]
            text = _pick(generic[pair[0]], u())
            if language == "mixed" or u() < 0.2:
                text += _pick((". ", ", ", " "), u()) + _pick(generic[pair[1]], u())
            return self._finish(text, u), GENERAL_THEME, language

        theme = self.pick_theme(u())
        positive = u() < _P_POSITIVE
        first, template = self._clause(theme, language, positive, u)
        first_language = plain(u())
        clauses = [(first, first_language, positive)]
        if u() < _P_COURSE:
            clauses[0] = (self._with_course(first, first_language, u), first_language, positive)
        if u() < _P_SECOND_PRIMARY:
            second_language = plain(u())
            second, _ = self._clause(theme, second_language, positive, u, avoid=template)
            clauses.append((second, second_language, positive))
        if u() < _P_SECONDARY_THEME:
            other = self.pick_theme(u())
            if other != theme:
                other_positive = positive if u() < _P_SECONDARY_SAME_POLARITY else not positive
                other_language = plain(u())
                clause, _ = self._clause(other, other_language, other_positive, u)
                clauses.append((clause, other_language, other_positive))
        if u() < _P_GENERIC_CLAUSE:
            generic_language = plain(u())
            generic = (_pick(self.bank["praise"][generic_language], u()), generic_language, True)
            if u() < 0.5:
                clauses.insert(0, generic)
            else:
                clauses.append(generic)
        text = self._join(clauses, u)
        if u() < _P_CLOSER:
            text += _pick((". ", " ", "! "), u()) + _pick(self.bank["closers"][plain(u())], u())
        if u() < _P_YEAR:
            text = _pick(self.bank["years"], u()) + _pick((": ", " - "), u()) + text
        return self._finish(text, u), theme, language

    def _with_course(self, clause: str, language: str, u: Callable[[], float]) -> str:
        course = _pick(self.bank["courses"], u())
        frames = self.bank["course_frames"]
        if u() < 0.5:
            return _pick(frames["prefix"][language], u()).replace("{course}", course) + clause
        return clause + _pick(frames["suffix"][language], u()).replace("{course}", course)

    def _finish(self, text: str, u: Callable[[], float]) -> str:
        """Sentence case, then the surface noise of hurried typing."""
        text = _sentence_case(text)
        if u() < _P_TYPO:
            text = _typo(text, u(), u())
        if u() < _P_ELONGATION:
            text = _elongate(text, self.bank["emphatic_words"], u(), u())
        if text[-1] not in ".!?)":
            text += self.pick_ending(u())
        if u() < _P_EMPHASIS:
            text += " " + _pick(self.bank["emphasis"], u())
        case = u()
        if case < _P_LOWERCASE:
            text = text.lower()
        elif case < _P_LOWERCASE + _P_UPPERCASE:
            text = text.upper()
        return text


def _sentence_case(text: str) -> str:
    sentences = text.split(". ")
    return ". ".join(s[:1].upper() + s[1:] for s in sentences)


def _near_copy(text: str, u: float) -> str:
    """An earlier comment again: verbatim, lowercased, or with its ending changed."""
    if u < 0.4:
        return text
    if u < 0.7:
        return text.lower()
    stripped = text.rstrip(".!")
    return stripped if stripped != text else text + "!"


def _typo(text: str, u_word: float, u_kind: float) -> str:
    """One slip of the fingers in a word of four or more letters: swap, drop or double a letter."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = candidates[int(u_word * len(candidates))]
    word = words[i]
    at = 1 + int(u_kind * 3 % 1 * (len(word) - 2))  # an inner position, from the same draw
    if u_kind < 1 / 3:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif u_kind < 2 / 3:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def _elongate(text: str, emphatic: Sequence[str], u_word: float, u_count: float) -> str:
    """Stretch the last vowel of one emphatic word: "kaayo" -> "kaayooo", "galing" -> "galiiing"."""
    words = text.split(" ")
    emphatic_set = {w.lower() for w in emphatic}
    candidates = [i for i, w in enumerate(words) if w.lower() in emphatic_set]
    if not candidates:
        return text
    i = candidates[int(u_word * len(candidates))]
    word = words[i]
    at = max(word.lower().rfind(v) for v in "aeiou")
    if at < 0:
        return text
    words[i] = word[: at + 1] + word[at] * (1 + int(u_count * 3)) + word[at + 1 :]
    return " ".join(words)


def _draw_stream(row: list[float]) -> Callable[[], float]:
    stream: Iterator[float] = iter(row)

    def next_draw() -> float:
        try:
            return next(stream)
        except StopIteration:
            raise RuntimeError(
                f"a comment used more than {_DRAWS_PER_DOCUMENT} random draws; raise the budget"
            ) from None

    return next_draw


def make_feedback_corpus(n_documents: int, random_state: int = 0) -> FeedbackCorpus:
    """Generate a realistic synthetic corpus of multilingual student comments.

    Parameters
    ----------
    n_documents : int
        Number of comments, at least 1 (a few thousand to 20,000 for benchmarks; 20,000 take well
        under a second).
    random_state : int, default=0
        Seed of the ``numpy.random.Generator`` all choices are drawn from.

    Returns
    -------
    FeedbackCorpus
        ``n_documents`` comments with ids ``"syn-000001"`` ..., each labelled with its primary
        theme (or ``"general"``) and its language ("en", "ceb", "tl" or "mixed", about
        40/20/20/20%).
    """
    if isinstance(n_documents, bool) or not isinstance(n_documents, (int, np.integer)):
        raise TypeError(f"n_documents must be an int, got {type(n_documents).__name__}")
    if n_documents < 1:
        raise ValueError(f"n_documents must be at least 1, got {n_documents}")
    composer = _Composer(_load_phrase_bank())
    rng = np.random.default_rng(random_state)
    # One block of uniform draws up front: numpy per-call overhead would dominate otherwise, and a
    # fixed row per document keeps each comment's choices independent of how many the others use.
    rows = rng.random((int(n_documents), _DRAWS_PER_DOCUMENT)).tolist()
    texts: list[str] = []
    labels: list[tuple[str, str]] = []
    for index, row in enumerate(rows):
        text, theme, language = composer.compose(_draw_stream(row), index, texts, labels)
        texts.append(text)
        labels.append((theme, language))
    return FeedbackCorpus(
        ids=[f"syn-{i:06d}" for i in range(1, len(texts) + 1)],
        texts=texts,
        themes=[theme for theme, _ in labels],
        languages=[language for _, language in labels],
    )
