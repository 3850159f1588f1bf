"""The CountVectorizer behind c-TF-IDF: multilingual stop words and letter-bearing tokens."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from sklearn.feature_extraction.text import CountVectorizer

STOPWORD_LISTS = ("english", "cebuano", "tagalog", "roles")
"""Files under ``data/stopwords`` (one word per line, ``#`` comments) merged into one list."""

TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w\w+\b"
"""Words of two or more characters that contain at least one letter.

The lookahead is why "417" and "2023" never become keywords while "cs101" still can.
"""

NGRAM_RANGE = (1, 2)
_TOKEN = re.compile(TOKEN_PATTERN)


@cache
def load_stopwords(names: tuple[str, ...] = STOPWORD_LISTS) -> frozenset[str]:
    """Union of the bundled stop-word lists, lowercased.

    Cached because the lists are read-only package data; a new word means editing a file.
    """
    words: set[str] = set()
    folder = resources.files("faculytics_clusterer") / "data" / "stopwords"
    for name in names:
        for line in (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                # "let's" or "kanus-a" reach c-TF-IDF as the tokens "let" and "kanus": list
                # those, so the stop words match what the tokenizer produces.
                words.update(_TOKEN.findall(word) or [word])
    return frozenset(words)


def make_vectorizer(*, guided: bool = False) -> CountVectorizer:
    """The platform's c-TF-IDF vectorizer: ngrams (1, 2); ``min_df`` 1, or 2 when guided."""
    return CountVectorizer(
        ngram_range=NGRAM_RANGE,
        min_df=2 if guided else 1,
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        # Sorted so the vectorizer's parameters (and anything hashed from them) are stable.
        stop_words=sorted(load_stopwords()),
    )
