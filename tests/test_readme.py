"""The README's contract examples are real: each JSON block validates against the contracts."""

import json
import re
from pathlib import Path

from faculytics_contracts import ErrorCode, TopicModelResponse, parse_request

README = Path(__file__).resolve().parents[1] / "README.md"


def _json_blocks() -> list[dict]:
    text = README.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def test_readme_request_and_responses_validate():
    blocks = _json_blocks()
    requests = [block for block in blocks if "items" in block]
    responses = [block for block in blocks if "status" in block]
    assert len(requests) == 1 and len(responses) == 2

    request = parse_request(requests[0])
    for response in responses:
        # Dumping a validated response gives back exactly what the README shows.
        assert TopicModelResponse.model_validate(response).to_payload() == response

    completed = next(r for r in responses if r["status"] == "completed")
    assigned = {a["submissionId"] for a in completed["assignments"]}
    skipped = {s["submissionId"] for s in completed["skipped"]}
    assert assigned | skipped == set(request.submission_ids) and not assigned & skipped
    outliers = [a for a in completed["assignments"] if a["topicIndex"] == -1]
    assert completed["outlierCount"] == len(outliers)


def test_readme_lists_every_error_code():
    text = README.read_text(encoding="utf-8")
    assert all(f"`{code.value}`" in text for code in ErrorCode)
