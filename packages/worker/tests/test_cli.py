"""``faculytics-topics run`` and ``demo`` on the packaged all-MiniLM-L6-v2."""

from __future__ import annotations

import io
import json

import pytest

from faculytics_worker.cli import main
from faculytics_worker.testing import check_accounting

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One cache folder for the module: later runs read embeddings and reductions from it."""
    return str(tmp_path_factory.mktemp("cli-cache"))


@pytest.fixture
def request_file(tmp_path, small_request):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(small_request), encoding="utf-8")
    return path


def test_run_writes_the_response_file(tmp_path, request_file, small_request, minilm_path, cache):
    out = tmp_path / "out" / "response.json"
    status = main(
        ["run", str(request_file), "-o", str(out), "--model", str(minilm_path),
         "--cache-dir", cache, "--quiet"]
    )  # fmt: skip
    assert status == 0
    response = check_accounting(small_request, json.loads(out.read_text(encoding="utf-8")))
    assert response.status == "completed" and response.topics


def test_run_reads_a_runpod_envelope_from_stdin(small_request, monkeypatch, capsys, cache):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"input": small_request})))
    status = main(["run", "-", "--model", "minilm", "--cache-dir", cache, "--quiet"])
    assert status == 0
    response = check_accounting(small_request, json.loads(capsys.readouterr().out))
    assert response.status == "completed"


def test_run_exits_1_on_a_failed_job_and_still_writes_it(tmp_path, small_request, capsys, cache):
    request = {"items": small_request["items"][:2]}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    out = tmp_path / "response.json"
    args = ["run", str(path), "-o", str(out), "--model", "minilm", "--cache-dir", cache, "--quiet"]
    status = main(args)
    assert status == 1
    response = check_accounting(request, json.loads(out.read_text(encoding="utf-8")))
    assert response.error_code == "too_few_items"
    assert "too_few_items" in capsys.readouterr().err


def test_run_exits_2_when_it_cannot_start(tmp_path, request_file, capsys):
    assert main(["run", str(tmp_path / "missing.json"), "--model", "minilm"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["run", str(request_file), "--model", str(tmp_path / "no-model")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_demo_prints_topics_and_metrics_and_writes_the_json(tmp_path, sample, capsys, cache):
    out = tmp_path / "demo.json"
    status = main(["demo", "--model", "minilm", "--cache-dir", cache, "-o", str(out)])
    assert status == 0
    request = {"items": [{"submissionId": sid} for sid in sample.ids]}
    response = check_accounting(request, json.loads(out.read_text(encoding="utf-8")))
    printed = capsys.readouterr().out
    assert f"{len(sample.ids)} sample comments" in printed
    for topic in response.topics:
        assert ", ".join(topic.keywords[:2]) in printed
    for label in ("NPMI coherence", "Topic diversity", "Outlier ratio", "Silhouette",
                  "Embedding coherence"):  # fmt: skip
        assert label in printed
    assert f"Response JSON: {out}" in printed


def test_demo_quiet_prints_nothing(tmp_path, capsys, cache):
    out = tmp_path / "demo.json"
    args = ["demo", "--model", "minilm", "--cache-dir", cache, "-o", str(out), "--quiet"]
    assert main(args) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "completed"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "run" in text and "demo" in text
