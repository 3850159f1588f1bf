"""``faculytics-topics report``: one self-contained HTML page (and a PNG map) of a topic model.

From a response JSON plus the corpus it was made from, or from one run of a sweep folder. The
page needs no network: plotly.js is inlined. The map is a 2-D UMAP of the corpus embeddings
(from the corpus file when it has them, else embedded through the cache), itself cached.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from faculytics_contracts import JobInputError, TopicParams, describe_validation_error
from faculytics_worker.cli._common import add_corpus_arguments, add_engine_arguments, load_engine


def register(subparsers: argparse._SubParsersAction) -> None:

    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report (and a PNG map) of a response or sweep run",
        description="Draw a topic model as one HTML file that opens without network: metrics "
        "against their targets, a 2-D map of the comments by topic, each topic's keywords, "
        "size, aspect and representative comments, and the parameters used. Give a response "
        "JSON and --corpus, or --sweep-dir (and --run; default: the sweep's best run).",
    )
    parser.add_argument("response", nargs="?", type=Path, help="response JSON file")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="the comments the response was made from (CSV, JSON Lines, Parquet, Arrow, or the "
        "request JSON); a sweep folder remembers its own",
    )
    parser.add_argument("--sweep-dir", type=Path, help="a folder written by `sweep`")
    parser.add_argument("--run", help="run id in --sweep-dir (e.g. r03)")
    parser.add_argument(
        "--request",
        type=Path,
        help="request JSON whose params to show (a request given as --corpus is used itself)",
    )
    add_corpus_arguments(parser)
    parser.add_argument("--title", default=None, help="page title")
    parser.add_argument("--no-png", action="store_true", help="skip the PNG map")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("report.html"),
        help="HTML file (default: report.html)",
    )
    add_engine_arguments(parser)
    parser.set_defaults(func=main)


class _UsageError(Exception):
    pass


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise _UsageError(f"cannot read {path}: {error}") from None


def _request_params(path: Path) -> dict[str, Any]:
    data = _read_json(path)
    if isinstance(data, dict) and isinstance(data.get("input"), dict):
        data = data["input"]
    if not isinstance(data, dict):
        raise _UsageError(f"{path} is not a request JSON object")
    return data.get("params") or {}


def _sweep_source(args: argparse.Namespace) -> tuple[Path, dict[str, Any], dict[str, Any] | None]:
    """Response path, manifest and params of ``--run`` in ``--sweep-dir`` (best run by default)."""
    from faculytics_clusterer.sweeps import MANIFEST_FILE, TABLE_FILE

    manifest = _read_json(args.sweep_dir / MANIFEST_FILE)
    runs = manifest.get("runs", {})
    run_id = args.run
    if run_id is None:
        import pandas as pd

        table = pd.read_csv(args.sweep_dir / TABLE_FILE)
        finished = table[table["status"] == "ok"]
        if finished.empty:
            raise _UsageError(f"no run in {args.sweep_dir} produced topics")
        run_id = str(finished.iloc[0]["run_id"])
    if run_id not in runs:
        known = ", ".join(sorted(runs)) or "none"
        raise _UsageError(f"{args.sweep_dir} has no run {run_id!r} (runs: {known})")
    entry = runs[run_id]
    if "response" not in entry:
        raise _UsageError(
            f"run {run_id} produced no topics ({entry.get('error', entry.get('status'))})"
        )
    args.run = run_id
    return args.sweep_dir / entry["response"], manifest, entry.get("params_used")


def main(args: argparse.Namespace) -> int:
    from faculytics_clusterer import TopicPipeline, scale_params
    from faculytics_clusterer.reports import ReportData, write_report
    from faculytics_clusterer.sweeps import read_corpus

    try:
        params: dict[str, Any] | None = None
        manifest: dict[str, Any] = {}
        if args.sweep_dir is not None:
            if args.response is not None:
                raise _UsageError("give a response JSON or --sweep-dir, not both")
            response_path, manifest, params = _sweep_source(args)
        elif args.response is not None:
            response_path = args.response
        else:
            raise _UsageError("give a response JSON (with --corpus) or --sweep-dir")
        corpus_path = args.corpus or (Path(manifest["corpus"]) if "corpus" in manifest else None)
        if corpus_path is None:
            raise _UsageError("--corpus is needed to draw a response")
        payload = _read_json(response_path)
        corpus = read_corpus(
            corpus_path,
            text_column=args.text_column or manifest.get("text_column"),
            id_column=args.id_column or manifest.get("id_column"),
        )
        if params is None:
            raw = _request_params(args.request) if args.request else corpus.params
            if raw is not None:
                # The pipeline reports what it used after the small-corpus rule; show the same.
                used = scale_params(TopicParams.model_validate(raw), len(corpus))
                params = used.model_dump(mode="json")
    except _UsageError as error:
        print(f"faculytics-topics: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"faculytics-topics: {describe_validation_error(error)}", file=sys.stderr)
        return 2
    except JobInputError as error:
        print(f"faculytics-topics: {error}", file=sys.stderr)
        return 2

    embeddings = corpus.embeddings
    if embeddings is None:
        if args.model is None and manifest.get("model"):
            args.model = manifest["model"]  # the sweep's model embedded (and cached) these
        engine = load_engine(args)
        if engine is None:
            return 2
        embeddings = engine.embedder.encode(corpus.texts)
    from faculytics_embedder import resolve_cache_dir

    # The pipeline's own UMAP cache folder, so a report after a sweep or a run reuses layouts.
    umap_cache = TopicPipeline(
        embedder=None, cache_dir=resolve_cache_dir(args.cache_dir)
    ).umap_cache
    title = args.title or (
        f"Sweep run {args.run}" if args.sweep_dir is not None else f"Topics of {corpus_path.name}"
    )
    try:
        data = ReportData.from_response(
            payload, corpus.ids, corpus.texts, embeddings, params=params, title=title
        )
    except JobInputError as error:
        print(f"faculytics-topics: {error}", file=sys.stderr)
        return 2
    paths = write_report(data, args.output, cache=umap_cache, png=not args.no_png)
    if not args.quiet:
        written = " and ".join(str(path) for path in paths.values())
        print(f"report: {written}", file=sys.stderr)
    return 0
