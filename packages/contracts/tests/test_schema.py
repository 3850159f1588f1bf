import json

import jsonschema

from faculytics_contracts import ErrorCode, TopicModelResponse
from faculytics_contracts.schema import SCHEMA_DIR, build_schemas, main, render


def test_committed_schemas_match_the_models():
    for name, schema in build_schemas().items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == render(schema), f"{name} drifted: faculytics-contracts-schema --write"
    assert main([]) == 0


def test_schemas_validate_real_payloads():
    schemas = {name: json.loads((SCHEMA_DIR / name).read_text()) for name in build_schemas()}
    request = {
        "jobId": "j",
        "items": [{"submissionId": "a", "text": "maayo kaayo siya mo explain"}],
        "params": {"min_topic_size": 5},
    }
    jsonschema.validate(request, schemas["request.schema.json"])
    bad = {"items": [{"submissionId": "a", "text": ""}]}
    assert list(jsonschema.Draft202012Validator(schemas["request.schema.json"]).iter_errors(bad))
    failed = TopicModelResponse.failed("0.1.0", ErrorCode.NO_TOPICS, "none").to_payload()
    jsonschema.validate(failed, schemas["response.schema.json"])
