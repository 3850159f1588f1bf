"""JSON Schemas of the request and response, generated from the models.

The committed files in ``schemas/`` are what other services validate against; a test fails when
they drift from the models. Regenerate with ``faculytics-contracts-schema --write``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from faculytics_contracts.request import TopicModelRequest
from faculytics_contracts.response import TopicModelResponse
from faculytics_contracts.version import CONTRACT_VERSION

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_FILES = {
    "request.schema.json": (TopicModelRequest, "validation"),
    "response.schema.json": (TopicModelResponse, "serialization"),
}


def build_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (draft 2020-12) of each wire model."""
    schemas = {}
    for name, (model, mode) in SCHEMA_FILES.items():
        schema = model.model_json_schema(by_alias=True, mode=mode)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$comment"] = f"Faculytics topic-model contract {CONTRACT_VERSION}; generated."
        schemas[name] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the committed schema files")
    args = parser.parse_args(argv)
    stale = []
    for name, schema in build_schemas().items():
        path = SCHEMA_DIR / name
        text = render(schema)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    if stale:
        print(f"stale schema files: {', '.join(stale)}; run with --write")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
