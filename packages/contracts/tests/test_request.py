import pytest

from faculytics_contracts import (
    DEFAULT_PARAMS,
    ErrorCode,
    JobInputError,
    TopicModelRequest,
    TopicParams,
    parse_request,
)


def _item(i: int, **extra):
    return {"submissionId": f"s-{i}", "text": f"comment {i}", **extra}


def test_envelope_fields_are_ignored():
    payload = {
        "jobId": "job-1",
        "version": "1.0",
        "type": "TOPIC_MODEL",
        "metadata": {"semester": "2026-1"},
        "publishedAt": "2026-12-04T10:00:00+08:00",
        "items": [_item(1, embedding=[0.1, 0.2], extraItemField=True)],
    }
    request = parse_request(payload)
    assert request.submission_ids == ["s-1"]
    assert request.items[0].embedding == [0.1, 0.2]
    assert "jobId" not in request.model_dump(by_alias=True)


def test_texts_only_items_are_valid():
    request = parse_request({"items": [_item(1), _item(2)]})
    assert [item.embedding for item in request.items] == [None, None]


def test_every_default():
    expected = {
        "min_topic_size": 15,
        "nr_topics": 20,
        "umap_n_neighbors": 20,
        "umap_n_components": 10,
        "hdbscan_min_samples": 5,
        "tier1_guided": False,
        "match_threshold": 0.65,
        "primary_threshold": 0.20,
        "secondary_threshold": 0.15,
        "secondary_gap_max": 0.20,
        "mmr_diversity": 0.4,
        "demote_shared_words": True,
        "reduce_frequent_words": False,
        "keyword_candidates": 100,
        "fold_plurals": True,
        "reduce_outliers": True,
        "outlier_threshold": 0.5,
    }
    for field, value in expected.items():
        assert getattr(DEFAULT_PARAMS, field) == value, field
    # Missing params, null params and null fields all mean "the defaults".
    assert parse_request({"items": [_item(1)]}).params == DEFAULT_PARAMS
    for params in (None, {}, {"min_topic_size": None, "nr_topics": None}):
        assert parse_request({"items": [_item(1)], "params": params}).params == DEFAULT_PARAMS


def test_given_params_override_only_themselves():
    params = parse_request({"items": [_item(1)], "params": {"min_topic_size": 8}}).params
    assert params.min_topic_size == 8
    assert params.nr_topics == DEFAULT_PARAMS.nr_topics
    assert TopicParams(nr_topics="auto").nr_topics == "auto"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"min_topic_size": 0}, "params.min_topic_size", "greater than 0"),
        ({"nr_topics": -3}, "params.nr_topics", "greater than 0"),
        ({"umap_n_components": 2.5}, "params.umap_n_components", "integer"),
        ({"match_threshold": 1.5}, "params.match_threshold", "less than or equal to 1"),
        ({"primary_threshold": -0.1}, "params.primary_threshold", "greater than or equal to 0"),
    ],
)
def test_out_of_range_params_are_rejected_with_a_clear_message(params, field, words):
    with pytest.raises(JobInputError) as caught:
        parse_request({"items": [_item(1)], "params": params})
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    message = caught.value.message
    assert message.startswith("Invalid request: ")
    assert field in message
    assert words in message


def test_item_errors_name_the_index_and_submission_id():
    payload = {"items": [_item(0), {"submissionId": "s-bad", "text": ""}]}
    with pytest.raises(JobInputError) as caught:
        parse_request(payload)
    message = caught.value.message
    assert "items[1].text" in message
    assert "'s-bad'" in message
    assert message.count(".") >= 1 and "\n" not in message


def test_many_errors_stay_one_sentence():
    payload = {"items": [{"submissionId": f"s-{i}", "text": ""} for i in range(10)]}
    with pytest.raises(JobInputError) as caught:
        parse_request(payload)
    assert "and 7 more problems" in caught.value.message


def test_items_must_be_a_list():
    with pytest.raises(JobInputError, match="items"):
        parse_request({"params": {}})
    with pytest.raises(JobInputError, match="Invalid request"):
        parse_request("not an object")


def test_python_names_work_too():
    request = TopicModelRequest(items=[{"submission_id": "a", "text": "x"}])
    assert request.items[0].submission_id == "a"
