"""``faculytics-topics demo``: the bundled multilingual sample through the whole pipeline.

The sample is sent texts-only, like a fresh request from the API, so the demo exercises
embedding, caching, UMAP, HDBSCAN, c-TF-IDF and the metrics, then prints what an analyst would
look at: each topic's keywords and size, which theme of the sample it gathered, and the five
quality metrics against their targets.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from faculytics_worker.cli._common import add_engine_arguments, load_engine, write_json

DEFAULT_OUTPUT = Path("artifacts/demo/response.json")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="model the bundled multilingual sample feedback and print a summary",
        description="Run the bundled sample of English, Cebuano, Tagalog and code-switched "
        "student comments (texts only) through embedding and topic modeling, print the topics "
        "and quality metrics, and write the response JSON. The default model is LaBSE; "
        "--model minilm uses the packaged all-MiniLM-L6-v2 and runs offline.",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"response JSON file (default: {DEFAULT_OUTPUT})",
    )
    add_engine_arguments(parser)
    parser.set_defaults(func=main)


def sample_request() -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The sample as a texts-only request, plus submissionId -> theme and -> language."""
    from faculytics_clusterer.datasets import load_sample_feedback

    corpus = load_sample_feedback()
    request = {
        "items": [
            {"submissionId": sid, "text": text}
            for sid, text in zip(corpus.ids, corpus.texts, strict=True)
        ]
    }
    themes = dict(zip(corpus.ids, corpus.themes, strict=True))
    languages = dict(zip(corpus.ids, corpus.languages, strict=True))
    return request, themes, languages


def main(args: argparse.Namespace) -> int:
    request, themes, languages = sample_request()
    engine = load_engine(args)
    if engine is None:
        return 2
    response = engine.run(request, "demo")
    write_json(response, args.output)
    if response["status"] == "failed":
        print(
            f"faculytics-topics: the demo job failed ({response['errorCode']}): "
            f"{response['errorMessage']}",
            file=sys.stderr,
        )
        return 1
    if not args.quiet:
        embedder = engine.embedder
        header = (
            f"Faculytics topic demo: {len(request['items'])} sample comments "
            f"({_counts(languages.values())}), model {embedder.model_name} "
            f"({embedder.dimension}-dim, {embedder.device})"
        )
        print(format_summary(response, themes, header, engine.last_timings_))
        if _is_packaged_minilm(embedder.model_name):
            print(
                "\nNote: all-MiniLM-L6-v2 is an English-only model, so Cebuano and Tagalog "
                "comments tend to gather by language rather than by theme. The worker's model, "
                "LaBSE, is multilingual: run the demo without --model where LaBSE is available."
            )
        print(f"\nResponse JSON: {args.output}")
    return 0


def format_summary(
    response: dict[str, Any],
    themes: dict[str, str],
    header: str,
    timings: dict[str, float] | None = None,
) -> str:
    """A readable report of a completed response: topics, outliers, metrics, stage times."""
    from faculytics_clusterer.reports import check_metrics

    members: dict[int, list[str]] = {}
    for assignment in response["assignments"]:
        members.setdefault(assignment["topicIndex"], []).append(assignment["submissionId"])
    lines = [header, ""]
    lines.append(f"{'#':>3}  {'size':>4}  {'keywords':<58}  sample theme (share)")
    for topic in response["topics"]:
        index = topic["topicIndex"]
        keywords = ", ".join(topic["keywords"][:6])
        if len(keywords) > 58:
            keywords = keywords[:55] + "..."
        theme, share = _dominant(members.get(index, []), themes)
        aspect = f"  [{topic['aspectLabel']}]" if topic.get("aspectLabel") else ""
        lines.append(
            f"{index:>3}  {topic['docCount']:>4}  {keywords:<58}  {theme} ({share:.0%}){aspect}"
        )
    n_docs = len(response["assignments"])
    outliers = response["outlierCount"]
    lines.append(
        f"\n{len(response['topics'])} topics; {outliers} of {n_docs} comments are outliers "
        f"({outliers / max(n_docs, 1):.1%})."
    )
    if response.get("skipped"):
        lines.append(f"{len(response['skipped'])} items skipped.")
    lines.append("")
    lines.append(f"{'metric':<20} {'value':>7}  target")
    for check in check_metrics(response["metrics"]):
        verdict = "ok" if check["met"] else "MISSED"
        lines.append(
            f"{check['label']:<20} {check['value']:>7.3f}  {check['target']:<7} {verdict}  "
            f"({check['meaning']})"
        )
    if timings:
        top = [name for name in timings if "." not in name]
        fit_parts = ", ".join(
            f"{name[4:]} {seconds:.1f}s"
            for name, seconds in timings.items()
            if name.startswith("fit.") and name != "fit.total"
        )
        stages = ", ".join(f"{name} {timings[name]:.1f}s" for name in top)
        lines.append(f"\nStages: {stages}" + (f" (fit: {fit_parts})" if fit_parts else ""))
    return "\n".join(lines)


def _is_packaged_minilm(model_name: str) -> bool:
    from faculytics_embedder import resolve_model

    return Path(model_name).resolve() == Path(resolve_model("minilm")).resolve()


def _dominant(ids: list[str], themes: dict[str, str]) -> tuple[str, float]:
    if not ids:
        return "-", 0.0
    theme, count = Counter(themes.get(sid, "?") for sid in ids).most_common(1)[0]
    return theme, count / len(ids)


def _counts(values: Any) -> str:
    return ", ".join(f"{count} {name}" for name, count in Counter(values).most_common())
