"""The engine end to end on the real all-MiniLM-L6-v2: success paths, the bad-input matrix,
infrastructure faults, determinism and logging. Every case checks that no submissionId is lost."""

from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path

import pytest

from faculytics_contracts import ErrorCode
from faculytics_worker import __version__
from faculytics_worker.engine import ModelLoadError, TopicEngine
from faculytics_worker.handler import make_handler
from faculytics_worker.testing import check_accounting

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def _with_embeddings(engine, request, zero=(), rows=None):
    """A copy of ``request`` whose items (or ``rows`` of them) carry their embedding."""
    request = copy.deepcopy(request)
    vectors = engine.embedder.encode([item["text"] for item in request["items"]])
    for i, item in enumerate(request["items"]):
        if rows is None or i in rows:
            item["embedding"] = [float(x) for x in vectors[i]]
        if i in zero:
            item["embedding"] = [0.0] * engine.embedder.dimension
    return request


@pytest.fixture(scope="module")
def texts_only_response(engine, small_request):
    return engine.run(small_request, "job-texts")


def test_texts_only_job_completes(texts_only_response, small_request, engine):
    response = check_accounting(small_request, texts_only_response)
    assert response.status == "completed"
    assert response.version == __version__
    assert len(response.topics) >= 2
    assert response.skipped is None
    assert all(0.0 <= a.probability <= 1.0 for a in response.assignments)
    assert set(engine.last_timings_) >= {"validate", "embed", "fit"}


def test_same_request_twice_gives_identical_topics_and_assignments(
    engine, small_request, texts_only_response
):
    # The second run reads embeddings and the UMAP reduction from the caches; the answer must
    # not change.
    again = engine.run(small_request, "job-texts-again")
    for field in ("topics", "assignments", "metrics", "outlierCount"):
        assert again[field] == texts_only_response[field], field


def test_embedding_carrying_job_with_zero_vectors(engine, small_request):
    request = _with_embeddings(engine, small_request, zero={4, 17, 33})
    response = check_accounting(request, engine.run(request, "job-embedded"))
    assert response.status == "completed"
    zero_ids = {request["items"][i]["submissionId"] for i in (4, 17, 33)}
    assert {s.submission_id for s in response.skipped} == zero_ids
    assert all("zero-vector" in s.reason for s in response.skipped)
    assert len(response.assignments) == len(request["items"]) - 3


def test_mixed_job_embeds_only_the_items_without_embedding(engine, sample, caplog):
    rows = range(1, len(sample.ids), 5)
    request = {
        "items": [{"submissionId": sample.ids[i], "text": sample.texts[i]} for i in rows][:50]
    }
    request = _with_embeddings(engine, request, rows=set(range(0, 50, 2)))
    with caplog.at_level(logging.INFO, logger="faculytics_worker"):
        response = check_accounting(request, engine.run(request, "job-mixed"))
    assert response.status == "completed"
    assert "job=job-mixed stage=validate items=50 modelled=50 provided_embeddings=25" in caplog.text
    # The 25 texts-only items, and nothing else, went through the embedder in the embed stage.
    assert "job=job-mixed stage=embed texts=25 " in caplog.text


def test_guided_job_carries_the_aspect_fields(engine, small_request):
    request = {**small_request, "params": {"tier1_guided": True}}
    payload = engine.run(request, "job-guided")
    response = check_accounting(request, payload)
    assert response.status == "completed"
    assert response.aspect_mapping is not None and "-1" in response.aspect_mapping
    assert all(topic.aspect_label for topic in response.topics)
    assert all(a.is_multi_topic is not None for a in response.assignments)


def test_runpod_hub_test_job_runs(engine):
    tests = json.loads((ROOT / ".runpod" / "tests.json").read_text(encoding="utf-8"))
    for case in tests["tests"]:
        response = check_accounting(case["input"], engine.run(case["input"], "hub-test"))
        assert response.status == "completed", response.error_message
        assert response.topics


def _bad_cases(engine, small_request):
    dim = engine.embedder.dimension
    items = small_request["items"]
    base = _with_embeddings(engine, small_request)

    def variant(change):
        request = copy.deepcopy(base)
        change(request["items"])
        return request

    def nan_in(rows, value):
        def change(request_items):
            for i in rows:
                request_items[i]["embedding"][7] = value

        return change

    def zero(rows):
        def change(request_items):
            for i in rows:
                request_items[i]["embedding"] = [0.0] * dim

        return change

    duplicate = copy.deepcopy(small_request)
    duplicate["items"][9]["submissionId"] = duplicate["items"][2]["submissionId"]
    missing_text = copy.deepcopy(small_request)
    del missing_text["items"][5]["text"]
    return {
        "invalid_request": (
            missing_text,
            ErrorCode.INVALID_REQUEST,
            ["items[5].text", items[5]["submissionId"]],
        ),
        "duplicates": (duplicate, ErrorCode.DUPLICATE_SUBMISSION_IDS, [items[2]["submissionId"]]),
        "too_few": (
            {"items": items[:2]},
            ErrorCode.TOO_FEW_ITEMS,
            ["Received 2 items, need at least 3 (min_topic_size) for topic modeling"],
        ),
        "dimension": (
            variant(lambda its: its[3].update(embedding=its[3]["embedding"][:100])),
            ErrorCode.EMBEDDING_DIMENSION_MISMATCH,
            [f"Expected {dim}-dim embeddings, got 100", items[3]["submissionId"]],
        ),
        "nan": (
            variant(nan_in([6, 8], math.nan)),
            ErrorCode.NON_FINITE_EMBEDDING,
            [items[6]["submissionId"], items[8]["submissionId"]],
        ),
        "infinity": (
            variant(nan_in([11], math.inf)),
            ErrorCode.NON_FINITE_EMBEDDING,
            [items[11]["submissionId"]],
        ),
        "all_zero": (
            variant(zero(range(len(items)))),
            ErrorCode.ALL_ZERO_EMBEDDINGS,
            ["All embeddings are zero vectors"],
        ),
        "too_few_valid": (
            {"items": variant(zero([0]))["items"][:3]},
            ErrorCode.TOO_FEW_VALID_ITEMS,
            ["After filtering zero vectors, only 2 items remain (need 3)"],
        ),
    }


BAD_CASES = [
    "invalid_request",
    "duplicates",
    "too_few",
    "dimension",
    "nan",
    "infinity",
    "all_zero",
    "too_few_valid",
]


@pytest.fixture(scope="module")
def bad_cases(engine, small_request):
    return _bad_cases(engine, small_request)


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_fails_cleanly_naming_the_problem(engine, bad_cases, case):
    request, code, phrases = bad_cases[case]
    payload = engine.run(request, f"bad-{case}")
    response = check_accounting(request, payload)
    assert response.status == "failed"
    assert response.error_code is code
    for phrase in phrases:
        assert phrase in response.error_message
    assert "error" not in payload  # a top-level error key would make RunPod retry the job


def test_no_topics_is_a_failed_job(engine, small_request):
    # Five comments pass the count check (the scaled min_topic_size is 3) but are too few for
    # HDBSCAN to find two clusters: every one is an outlier.
    request = {"items": small_request["items"][:5]}
    response = check_accounting(request, engine.run(request, "no-topics"))
    assert response.status == "failed"
    assert response.error_code is ErrorCode.NO_TOPICS
    assert response.error_message.startswith("BERTopic produced 0 topics")


def test_infrastructure_fault_is_logged_with_the_job_id_and_raised(engine, small_request, caplog):
    faulty = TopicEngine(
        engine.model,
        cache_dir=engine.cache_dir,
        device="cpu",
        warm=False,
        fault_submission_id=small_request["items"][0]["submissionId"],
    )
    faulty.embedder_ = engine.embedder  # share the loaded model
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="injected"):
        faulty.run(small_request, "job-fault-7")
    assert "job=job-fault-7" in caplog.text
    assert "infrastructure fault" in caplog.text
    # A request without that id runs normally on the same engine.
    other = {"items": small_request["items"][1:]}
    assert faulty.run(other, "job-after-fault")["status"] == "completed"


def test_logs_one_line_per_stage_with_job_id_and_no_comment_text(engine, sample, caplog):
    rows = range(2, len(sample.ids), 6)
    request = {"items": [{"submissionId": sample.ids[i], "text": sample.texts[i]} for i in rows]}
    with caplog.at_level(logging.INFO, logger="faculytics_worker"):
        engine.run(request, "job-logs-42")
    worker_lines = [
        r.getMessage() for r in caplog.records if r.name.startswith("faculytics_worker")
    ]
    for stage in ("validate", "embed", "fit"):
        line = next(m for m in worker_lines if f"stage={stage} " in m)
        assert "job=job-logs-42" in line and "seconds=" in line
    assert all("job=job-logs-42" in m for m in worker_lines)
    logged = caplog.text
    assert not [item["text"] for item in request["items"] if item["text"] in logged]


def test_missing_model_fails_before_any_job(tmp_path):
    engine = TopicEngine(str(tmp_path / "no-such-model"), cache_dir=tmp_path, warm=False)
    with pytest.raises(ModelLoadError, match=r"does not exist.*FACULYTICS_EMBED_MODEL"):
        engine.preflight()


def test_handler_passes_input_and_job_id_to_the_engine(engine, small_request, caplog):
    handler = make_handler(engine)
    with caplog.at_level(logging.INFO, logger="faculytics_worker"):
        output = handler({"id": "rp-job-9", "input": small_request})
    check_accounting(small_request, output)
    assert "job=rp-job-9 status=completed" in caplog.text
    failed = handler({"id": "rp-job-10"})  # no input at all
    assert failed["status"] == "failed" and failed["errorCode"] == "invalid_request"


@pytest.mark.parametrize(
    ("value", "warm"), [(None, True), ("1", True), ("0", False), ("no", False)]
)
def test_engine_settings_from_the_environment(monkeypatch, value, warm):
    if value is None:
        monkeypatch.delenv("FACULYTICS_WARM", raising=False)
    else:
        monkeypatch.setenv("FACULYTICS_WARM", value)
    monkeypatch.setenv("FACULYTICS_TEST_FAULT_SUBMISSION_ID", "probe-1")
    engine = TopicEngine.from_env()
    assert engine.warm is warm
    assert engine.fault_submission_id == "probe-1"
    monkeypatch.delenv("FACULYTICS_TEST_FAULT_SUBMISSION_ID")
    assert TopicEngine.from_env().fault_submission_id is None
