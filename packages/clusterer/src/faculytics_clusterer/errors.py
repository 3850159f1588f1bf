"""Errors the clusterer raises for input it cannot model."""

from __future__ import annotations

from faculytics_contracts import ErrorCode, JobInputError


class NoTopicsError(JobInputError):
    """BERTopic found no topic in the corpus: every document is an outlier.

    An input problem (too few or too uniform comments for the parameters), answered with
    ``status: "failed"`` and ``errorCode: "no_topics"``.
    """

    def __init__(self, detail: str = "") -> None:
        message = "BERTopic produced 0 topics"
        super().__init__(ErrorCode.NO_TOPICS, f"{message}: {detail}" if detail else message)
