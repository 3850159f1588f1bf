"""Multilingual student-feedback corpora: a hand-written sample.

- :func:`load_sample_feedback`: about 300 hand-written comments (English, Cebuano, Tagalog and
  code-switched) labelled with nine themes; for tests, demos and small quality checks.
"""

from faculytics_clusterer.datasets.corpus import LANGUAGES, FeedbackCorpus
from faculytics_clusterer.datasets.sample import load_sample_feedback

__all__ = ["LANGUAGES", "FeedbackCorpus", "load_sample_feedback"]
