"""Multilingual student-feedback corpora: a hand-written sample and a synthetic generator.

- :func:`load_sample_feedback`: about 300 hand-written comments (English, Cebuano, Tagalog and
  code-switched) labelled with nine themes; for tests, demos and small quality checks.
- :func:`make_feedback_corpus`: deterministic synthetic corpora of any size built from phrase
  banks, with the noise of real forms; for benchmarks and the larger quality benchmark.
"""

from faculytics_clusterer.datasets.corpus import LANGUAGES, FeedbackCorpus
from faculytics_clusterer.datasets.sample import load_sample_feedback
from faculytics_clusterer.datasets.synthetic import GENERAL_THEME, make_feedback_corpus

__all__ = [
    "GENERAL_THEME",
    "LANGUAGES",
    "FeedbackCorpus",
    "load_sample_feedback",
    "make_feedback_corpus",
]
