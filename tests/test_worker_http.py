"""End to end over HTTP: the real worker process behind the RunPod SDK's own local API server.

``python -m faculytics_worker --rp_serve_api`` loads the packaged all-MiniLM-L6-v2, warms numba
and serves ``POST /runsync`` on a loopback port; the tests post jobs the way the Faculytics API
does and read RunPod's envelope ``{id, status, output | error}``.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest

from faculytics_clusterer.datasets import load_sample_feedback
from faculytics_contracts import ErrorCode
from faculytics_embedder import Embedder
from faculytics_embedder.testing import packaged_minilm_path
from faculytics_worker.testing import LocalWorker, check_accounting

pytestmark = pytest.mark.slow

FAULT_ID = "inject-infrastructure-fault"


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    folder = tmp_path_factory.mktemp("http-worker")
    env = {
        "FACULYTICS_EMBED_MODEL": str(packaged_minilm_path()),
        "FACULYTICS_CACHE_DIR": str(folder / "cache"),
        "FACULYTICS_TEST_FAULT_SUBMISSION_ID": FAULT_ID,
        "HF_HUB_OFFLINE": "1",
        "CUDA_VISIBLE_DEVICES": "",
        # Compiling numba ahead of the first job is covered by test_build_steps (the same
        # function); skipping it here saves ~30 s of test time.
        "FACULYTICS_WARM": "0",
    }
    with LocalWorker(env, folder / "worker.log") as running:
        yield running


@pytest.fixture(scope="module")
def request_60():
    corpus = load_sample_feedback()
    rows = list(range(3, len(corpus.ids), 5))[:60]
    return {"items": [{"submissionId": corpus.ids[i], "text": corpus.texts[i]} for i in rows]}


def test_texts_only_job_completes(worker, request_60):
    reply = worker.runsync(request_60)
    assert reply["status"] == "COMPLETED", reply
    response = check_accounting(request_60, reply["output"])
    assert response.status == "completed"
    assert response.topics
    assert f"job={reply['id']} stage=fit" in worker.log()


def test_embedding_carrying_job_completes(worker, request_60):
    embedder = Embedder(str(packaged_minilm_path()), device="cpu", use_cache=False)
    request = copy.deepcopy(request_60)
    vectors = embedder.encode([item["text"] for item in request["items"]])
    for item, vector in zip(request["items"], vectors, strict=True):
        item["embedding"] = vector.tolist()
    request["items"][7]["embedding"] = [0.0] * embedder.dimension
    reply = worker.runsync(request)
    assert reply["status"] == "COMPLETED", reply
    response = check_accounting(request, reply["output"])
    assert response.status == "completed"
    assert [s.submission_id for s in response.skipped] == [request["items"][7]["submissionId"]]
    assert f"job={reply['id']} stage=validate items=60 modelled=59 provided_embeddings=59" in (
        worker.log()
    )


def test_domain_error_is_a_completed_job_with_a_failed_output(worker, request_60):
    request = copy.deepcopy(request_60)
    request["items"][4]["submissionId"] = request["items"][1]["submissionId"]
    reply = worker.runsync(request)
    assert reply["status"] == "COMPLETED", reply
    assert "error" not in reply
    response = check_accounting(request, reply["output"])
    assert response.status == "failed"
    assert response.error_code is ErrorCode.DUPLICATE_SUBMISSION_IDS
    assert request["items"][1]["submissionId"] in response.error_message


def test_invalid_request_is_a_failed_output_naming_the_field(worker):
    reply = worker.runsync(
        {"items": [{"submissionId": "a", "text": "x"}], "params": {"nr_topics": 0}}
    )
    assert reply["status"] == "COMPLETED", reply
    assert reply["output"]["errorCode"] == "invalid_request"
    assert "params.nr_topics" in reply["output"]["errorMessage"]


def test_infrastructure_fault_is_a_failed_runpod_job(worker, request_60):
    request = copy.deepcopy(request_60)
    request["items"][0]["submissionId"] = FAULT_ID
    reply = worker.runsync(request)
    assert reply["status"] == "FAILED", reply
    assert "injected infrastructure fault" in reply["error"]
    assert "output" not in reply
    assert f"job={reply['id']} stage=embed infrastructure fault" in worker.log()
    # The worker keeps serving after a fault.
    assert worker.runsync(request_60)["status"] == "COMPLETED"


def test_missing_model_stops_the_worker_before_it_serves(tmp_path):
    env = dict(os.environ, FACULYTICS_EMBED_MODEL=str(tmp_path / "no-model"), HF_HUB_OFFLINE="1")
    completed = subprocess.run(
        [sys.executable, "-m", "faculytics_worker", "--rp_serve_api", "--rp_api_port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 2
    assert str(tmp_path / "no-model") in completed.stderr
    assert "FACULYTICS_EMBED_MODEL" in completed.stderr
    assert "Uvicorn running" not in completed.stderr + completed.stdout
