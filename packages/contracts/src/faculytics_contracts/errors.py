"""Stable error codes and readable validation messages.

A failed job is answered with ``status: "failed"``, an ``errorCode`` from :class:`ErrorCode`
(machine-readable, never renamed) and an ``errorMessage`` a person can act on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ValidationError


class ErrorCode(StrEnum):
    """Why a job could not be modelled. Input problems only: the API does not retry these."""

    INVALID_REQUEST = "invalid_request"
    TOO_FEW_ITEMS = "too_few_items"
    DUPLICATE_SUBMISSION_IDS = "duplicate_submission_ids"
    EMBEDDING_DIMENSION_MISMATCH = "embedding_dimension_mismatch"
    NON_FINITE_EMBEDDING = "non_finite_embedding"
    ALL_ZERO_EMBEDDINGS = "all_zero_embeddings"
    TOO_FEW_VALID_ITEMS = "too_few_valid_items"
    NO_TOPICS = "no_topics"


class JobInputError(ValueError):
    """An input problem that a job answers with ``status: "failed"`` instead of raising."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message


def name_some(values: list[str], limit: int = 5) -> str:
    """``"a", "b", "c" and 4 more`` style list for error messages."""
    shown = ", ".join(repr(value) for value in values[:limit])
    extra = len(values) - limit
    return f"{shown} and {extra} more" if extra > 0 else shown


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def _submission_id(raw: Any, loc: tuple[int | str, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int) and isinstance(raw, dict):
        items = raw.get("items")
        if isinstance(items, list) and 0 <= loc[1] < len(items) and isinstance(items[loc[1]], dict):
            sid = items[loc[1]].get("submissionId")
            return str(sid) if sid is not None else None
    return None


def describe_validation_error(error: ValidationError, raw: Any = None, limit: int = 3) -> str:
    """Turn a pydantic error into one sentence naming each field and item index.

    ``raw`` is the payload that failed; when given, item errors also name the item's
    submissionId. Example: ``Invalid request: items[3].text (submissionId 's-4'): String should
    have at least 1 character; params.min_topic_size: Input should be greater than 0.``
    """
    problems = []
    for detail in error.errors(include_url=False)[:limit]:
        loc = tuple(detail["loc"])
        where = _location(loc)
        sid = _submission_id(raw, loc)
        if sid is not None:
            where += f" (submissionId {sid!r})"
        problems.append(f"{where}: {detail['msg']}")
    more = error.error_count() - limit
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    return "Invalid request: " + "; ".join(problems) + tail + "."
