"""The bundled sample: about 300 hand-written student comments about instructors.

Written by hand to read like real evaluation forms at Philippine universities: English, Cebuano,
Tagalog and code-switched comments (Taglish, Bisaya-English) with informal spelling, a few typos,
some one-word answers and some long ones. Each comment is labelled with one of nine themes that
follow the academic aspects of guided mode, and role words (sir, maam, teacher) run through every
theme as they do in real data. Use it for tests, demos and the quality benchmark's small corpus;
:func:`faculytics_clusterer.datasets.make_feedback_corpus` makes larger synthetic ones.
"""

from __future__ import annotations

import json
from importlib.resources import files

from faculytics_clusterer.datasets.corpus import FeedbackCorpus

SAMPLE_FILE = "sample_feedback.jsonl"


def load_sample_feedback() -> FeedbackCorpus:
    """Load the bundled hand-written corpus (package data, one JSON record per line).

    Returns
    -------
    FeedbackCorpus
        About 300 comments; ``themes`` holds the theme each was written for and ``languages``
        one of "en", "ceb", "tl", "mixed".
    """
    ids: list[str] = []
    texts: list[str] = []
    themes: list[str] = []
    languages: list[str] = []
    resource = files("faculytics_clusterer.datasets").joinpath(SAMPLE_FILE)
    for line in resource.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        ids.append(record["id"])
        texts.append(record["text"])
        themes.append(record["theme"])
        languages.append(record["language"])
    return FeedbackCorpus(ids=ids, texts=texts, themes=themes, languages=languages)
