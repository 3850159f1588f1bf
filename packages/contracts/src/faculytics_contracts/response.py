"""The response: the RunPod ``output`` object the worker returns.

Dump it with :meth:`TopicModelResponse.to_payload`, which drops null fields, so a non-guided run
carries exactly the 1.0 fields and guided-only fields appear only when set.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from faculytics_contracts.errors import ErrorCode

OUTLIER_TOPIC = -1
OUTLIER_ASPECT = "outlier"


def _round4(value: float) -> float:
    return round(float(value), 4)


Probability = Annotated[float, Field(ge=0.0, le=1.0), AfterValidator(_round4)]
Similarity = Annotated[float, Field(ge=-1.0, le=1.0), AfterValidator(_round4)]


def _finite_or_zero(value: float) -> float:
    value = float(value)
    return value if math.isfinite(value) else 0.0


FiniteFloat = Annotated[float, AfterValidator(_finite_or_zero)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Topic(_Model):
    topic_index: int = Field(alias="topicIndex", ge=0)
    raw_label: str = Field(alias="rawLabel")
    keywords: list[str] = Field(max_length=10)
    doc_count: int = Field(alias="docCount", ge=0)
    # Guided mode only.
    aspect_label: str | None = Field(None, alias="aspectLabel")
    aspect_similarity: Similarity | None = Field(None, alias="aspectSimilarity")
    is_emergent: bool | None = Field(None, alias="isEmergent")
    keywords_mmr: list[str] | None = Field(None, alias="keywordsMmr")


class Assignment(_Model):
    """Where one comment went. Outliers carry ``topicIndex`` -1."""

    submission_id: str = Field(alias="submissionId")
    topic_index: int = Field(alias="topicIndex", ge=OUTLIER_TOPIC)
    probability: Probability
    # Guided mode only.
    is_multi_topic: bool | None = Field(None, alias="isMultiTopic")
    secondary_topic_index: int | None = Field(None, alias="secondaryTopicIndex")
    secondary_probability: Probability | None = Field(None, alias="secondaryProbability")


class Metrics(_Model):
    """The five quality metrics; NaN and infinities are reported as 0.0."""

    npmi_coherence: FiniteFloat
    topic_diversity: FiniteFloat
    outlier_ratio: FiniteFloat
    silhouette_score: FiniteFloat
    embedding_coherence: FiniteFloat


class AspectMatch(_Model):
    aspect: str
    similarity: Similarity


class SkippedItem(_Model):
    """A comment the worker could not model (for example a zero-vector embedding)."""

    submission_id: str = Field(alias="submissionId")
    reason: str


class TopicModelResponse(_Model):
    version: str
    status: Literal["completed", "failed"]
    completed_at: datetime = Field(alias="completedAt")
    # Failure only.
    error_message: str | None = Field(None, alias="errorMessage")
    error_code: ErrorCode | None = Field(None, alias="errorCode")
    # Success only.
    topics: list[Topic] | None = None
    assignments: list[Assignment] | None = None
    metrics: Metrics | None = None
    outlier_count: int | None = Field(None, alias="outlierCount", ge=0)
    # Guided mode only: topic index as a string ("-1", "0", ...) -> its aspect.
    aspect_mapping: dict[str, AspectMatch] | None = Field(None, alias="aspectMapping")
    # Only when non-empty.
    skipped: list[SkippedItem] | None = None

    @field_validator("completed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("completedAt needs a timezone offset")
        return value

    @field_validator("skipped")
    @classmethod
    def _none_when_empty(cls, value: list[SkippedItem] | None) -> list[SkippedItem] | None:
        return value or None

    @model_validator(mode="after")
    def _fields_match_status(self) -> TopicModelResponse:
        if self.status == "failed" and (self.error_code is None or not self.error_message):
            raise ValueError("a failed response needs errorCode and errorMessage")
        if self.status == "completed":
            missing = [
                name
                for name in ("topics", "assignments", "metrics", "outlier_count")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"a completed response needs {', '.join(missing)}")
        return self

    @field_serializer("completed_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    @classmethod
    def failed(
        cls, version: str, code: ErrorCode, message: str, completed_at: datetime | None = None
    ) -> TopicModelResponse:
        return cls(
            version=version,
            status="failed",
            completed_at=completed_at or datetime.now(UTC),
            error_code=code,
            error_message=message,
        )

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready ``output`` object: wire names, no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
