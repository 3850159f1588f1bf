"""The request: the RunPod ``input`` object the Faculytics API sends."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from faculytics_contracts.errors import ErrorCode, JobInputError, describe_validation_error
from faculytics_contracts.params import TopicParams


class _Model(BaseModel):
    # Unknown fields (the API's envelope: jobId, version, type, metadata, publishedAt) are
    # ignored, and fields can be filled by their Python name as well as their wire alias.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SubmissionItem(_Model):
    """One student comment. ``embedding`` is optional: without it the worker embeds ``text``."""

    submission_id: str = Field(alias="submissionId", min_length=1)
    text: str = Field(min_length=1)
    embedding: list[float] | None = Field(
        None, description="Sentence embedding of text (768 floats for LaBSE); optional."
    )


class TopicModelRequest(_Model):
    """A batch of comments and the parameters to model them with."""

    items: list[SubmissionItem]
    params: TopicParams = Field(default_factory=TopicParams)

    @field_validator("params", mode="before")
    @classmethod
    def _null_params_means_defaults(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def submission_ids(self) -> list[str]:
        return [item.submission_id for item in self.items]


def parse_request(payload: Any) -> TopicModelRequest:
    """Validate a raw ``input`` object; raise :class:`JobInputError` with one readable sentence."""
    try:
        return TopicModelRequest.model_validate(payload)
    except ValidationError as error:
        raise JobInputError(
            ErrorCode.INVALID_REQUEST, describe_validation_error(error, payload)
        ) from None
