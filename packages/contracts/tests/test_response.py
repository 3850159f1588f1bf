from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from faculytics_contracts import ErrorCode, TopicModelResponse

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
V1_FIELDS = {
    "version",
    "status",
    "completedAt",
    "topics",
    "assignments",
    "metrics",
    "outlierCount",
}


def _completed(**extra) -> TopicModelResponse:
    return TopicModelResponse(
        version="0.1.0",
        status="completed",
        completed_at=NOW,
        topics=[{"topicIndex": 0, "rawLabel": "0_a_b_c_d", "keywords": ["a", "b"], "docCount": 2}],
        assignments=[
            {"submissionId": "s-1", "topicIndex": 0, "probability": 0.912345},
            {"submissionId": "s-2", "topicIndex": -1, "probability": 0.0},
        ],
        metrics={
            "npmi_coherence": 0.12,
            "topic_diversity": 0.8,
            "outlier_ratio": 0.5,
            "silhouette_score": float("nan"),
            "embedding_coherence": float("inf"),
        },
        outlier_count=1,
        **extra,
    )


def test_success_payload_has_exactly_the_v1_fields_when_not_guided():
    payload = _completed().to_payload()
    assert set(payload) == V1_FIELDS
    assert set(payload["topics"][0]) == {"topicIndex", "rawLabel", "keywords", "docCount"}
    assert set(payload["assignments"][0]) == {"submissionId", "topicIndex", "probability"}
    assert payload["assignments"][0]["probability"] == 0.9123
    assert payload["metrics"]["silhouette_score"] == 0.0
    assert payload["metrics"]["embedding_coherence"] == 0.0


def test_guided_fields_appear_only_when_set():
    response = _completed(aspect_mapping={"-1": {"aspect": "outlier", "similarity": 0.0}})
    response.topics[0].aspect_label = "teaching_clarity"
    payload = response.to_payload()
    assert payload["aspectMapping"] == {"-1": {"aspect": "outlier", "similarity": 0.0}}
    assert payload["topics"][0]["aspectLabel"] == "teaching_clarity"
    assert "aspectSimilarity" not in payload["topics"][0]


def test_skipped_appears_only_when_non_empty():
    assert "skipped" not in _completed(skipped=[]).to_payload()
    payload = _completed(skipped=[{"submissionId": "s-3", "reason": "zero-vector"}]).to_payload()
    assert payload["skipped"] == [{"submissionId": "s-3", "reason": "zero-vector"}]


def test_failure_payload_has_no_nulls_and_no_error_key():
    payload = TopicModelResponse.failed("0.1.0", ErrorCode.TOO_FEW_ITEMS, "Received 2").to_payload()
    assert set(payload) == {"version", "status", "completedAt", "errorMessage", "errorCode"}
    assert payload["status"] == "failed"
    assert payload["errorCode"] == "too_few_items"
    assert "error" not in payload


def test_completed_at_carries_its_offset():
    manila = timezone(timedelta(hours=8))
    text = _completed().model_copy(update={"completed_at": NOW.astimezone(manila)}).to_payload()
    assert text["completedAt"].endswith("+08:00")
    assert datetime.fromisoformat(_completed().to_payload()["completedAt"]).utcoffset() is not None
    with pytest.raises(ValidationError, match="timezone"):
        TopicModelResponse.failed("v", ErrorCode.NO_TOPICS, "m", completed_at=datetime(2026, 1, 1))


def test_status_and_fields_must_agree():
    with pytest.raises(ValidationError, match="needs topics"):
        TopicModelResponse(version="v", status="completed", completed_at=NOW)
    with pytest.raises(ValidationError, match="errorCode"):
        TopicModelResponse(version="v", status="failed", completed_at=NOW)


def test_probability_out_of_range_is_rejected():
    with pytest.raises(ValidationError, match="probability"):
        _completed().assignments[0].model_validate(
            {"submissionId": "s", "topicIndex": 0, "probability": 1.2}
        )


def test_payload_round_trips():
    payload = _completed().to_payload()
    assert TopicModelResponse.model_validate(payload).to_payload() == payload
