"""Request/response models of the Faculytics topic-model job: the single source of truth."""

from faculytics_contracts.errors import (
    ErrorCode,
    JobInputError,
    describe_validation_error,
    name_some,
)
from faculytics_contracts.params import DEFAULT_PARAMS, TopicParams
from faculytics_contracts.request import SubmissionItem, TopicModelRequest, parse_request
from faculytics_contracts.response import (
    OUTLIER_ASPECT,
    OUTLIER_TOPIC,
    AspectMatch,
    Assignment,
    Metrics,
    SkippedItem,
    Topic,
    TopicModelResponse,
)
from faculytics_contracts.version import CONTRACT_VERSION

__all__ = [
    "CONTRACT_VERSION",
    "DEFAULT_PARAMS",
    "OUTLIER_ASPECT",
    "OUTLIER_TOPIC",
    "AspectMatch",
    "Assignment",
    "ErrorCode",
    "JobInputError",
    "Metrics",
    "SkippedItem",
    "SubmissionItem",
    "Topic",
    "TopicModelRequest",
    "TopicModelResponse",
    "TopicParams",
    "describe_validation_error",
    "name_some",
    "parse_request",
]
