"""``faculytics-topics run REQUEST.json``: one job, exactly as the RunPod handler runs it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from faculytics_worker.cli._common import add_engine_arguments, load_engine, write_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run one job (a request JSON file) and write the response",
        description="Run one topic-model job through the same engine as the RunPod handler. "
        'REQUEST.json is the job input ({"items": [...], "params": {...}}) or a RunPod '
        "envelope ({\"input\": {...}}); '-' reads standard input. Exit status 1 when the job "
        "failed on its input (the failed response is still written).",
    )
    parser.add_argument("request", help="request JSON file, or - for standard input")
    parser.add_argument(
        "-o", "--output", type=Path, help="response JSON file (default: standard output)"
    )
    parser.add_argument("--job-id", default="cli", help="job id used in log lines")
    add_engine_arguments(parser)
    parser.set_defaults(func=main)


def read_request(source: str) -> Any:
    """The job input from a file or stdin, unwrapping a RunPod ``{"input": ...}`` envelope."""
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    data = json.loads(text)
    if isinstance(data, dict) and set(data) <= {"input", "id", "webhook"} and "input" in data:
        return data["input"]
    return data


def main(args: argparse.Namespace) -> int:
    try:
        payload = read_request(args.request)
    except (OSError, json.JSONDecodeError) as error:
        print(f"faculytics-topics: cannot read {args.request}: {error}", file=sys.stderr)
        return 2
    engine = load_engine(args)
    if engine is None:
        return 2
    response = engine.run(payload, args.job_id)
    write_json(response, args.output)
    if response["status"] == "failed":
        print(
            f"faculytics-topics: job failed ({response['errorCode']}): {response['errorMessage']}",
            file=sys.stderr,
        )
        return 1
    if args.output is not None and not args.quiet:
        print(
            f"{len(response['topics'])} topics, {len(response['assignments'])} assignments "
            f"({response['outlierCount']} outliers) -> {args.output}",
            file=sys.stderr,
        )
    return 0
