"""Benchmark: one worker job cold, the same job re-run with a new min_topic_size, request sizes.

Prints, side by side from one run:

- ``cold``: a texts-only job of ``--n`` comments (default 5,000, from ``make_feedback_corpus``)
  on a worker whose cache folder is empty: every text is embedded, UMAP is computed;
- ``rerun``: the same request with ``min_topic_size`` changed (15 -> 25): embeddings come from the
  embedder's cache and the UMAP reduction from the reduction cache, so only HDBSCAN, c-TF-IDF,
  keywords and metrics run again. Goal: at most 0.1 x the cold job;
- the request size in bytes of the texts-only job against the same job carrying 768-dim
  embeddings as JSON numbers (what the API sent before texts-only requests existed).

The embedding model is the random-weight LaBSE-shaped model (12 layers, 768 hidden), the stand-in
for LaBSE's speed; it runs on the CPU here (2 cores), so the cold job is dominated by embedding
and takes several minutes at n = 5,000. Both jobs run in one engine after its preflight (model
loaded, numba compiled), as on a warm RunPod worker.

Usage: ``flock /tmp/faculytics-heavy.lock uv run python benchmarks/worker_job.py [--n 5000]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

GOAL_RERUN = 0.1
BASE_PARAMS = {"min_topic_size": 15}
RERUN_PARAMS = {"min_topic_size": 25}
MODEL_DIR = Path(".bench/labse-shaped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="comments in the job (default 5000)")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="model folder to build/use")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from faculytics_clusterer.datasets import make_feedback_corpus
    from faculytics_embedder.testing import build_labse_shaped_model
    from faculytics_worker.engine import TopicEngine

    model = build_labse_shaped_model(args.model)
    corpus = make_feedback_corpus(args.n, random_state=0)
    items = [
        {"submissionId": sid, "text": text}
        for sid, text in zip(corpus.ids, corpus.texts, strict=True)
    ]
    with tempfile.TemporaryDirectory(prefix="worker-bench-") as cache:
        started = time.perf_counter()
        engine = TopicEngine(str(model), cache_dir=cache, device=args.device).preflight()
        preflight = time.perf_counter() - started
        runs = {}
        for name, params in (("cold", BASE_PARAMS), ("rerun", RERUN_PARAMS)):
            started = time.perf_counter()
            response = engine.run({"items": items, "params": params}, f"bench-{name}")
            seconds = time.perf_counter() - started
            assert response["status"] == "completed", response.get("errorMessage")
            runs[name] = (seconds, dict(engine.last_timings_), response)
        vectors = engine.embedder.encode([item["text"] for item in items])

    texts_only = json.dumps({"items": items, "params": BASE_PARAMS}).encode("utf-8")
    with_embeddings = json.dumps(
        {
            "items": [
                {**item, "embedding": vector.tolist()}
                for item, vector in zip(items, vectors, strict=True)
            ],
            "params": BASE_PARAMS,
        }
    ).encode("utf-8")

    cold = runs["cold"][0]
    print(
        f"worker job benchmark: n={args.n} texts-only comments, model {model.name} "
        f"({engine.embedder.dimension}-dim, random weights), device {engine.embedder.device}, "
        f"{os.cpu_count()} CPU cores"
    )
    print(f"preflight (load model, compile numba): {preflight:.1f} s (before any job)\n")
    print(f"{'job':<44} {'seconds':>9} {'x cold':>8}  topics  outliers")
    for name, label in (
        ("cold", f"cold (empty cache), {BASE_PARAMS}"),
        ("rerun", f"rerun, {RERUN_PARAMS}"),
    ):
        seconds, _, response = runs[name]
        print(
            f"{label:<44} {seconds:>9.1f} {seconds / cold:>8.3f}  {len(response['topics']):>6}"
            f"  {response['outlierCount']:>8}"
        )
    ratio = runs["rerun"][0] / cold
    verdict = "met" if ratio <= GOAL_RERUN else "MISSED"
    print(f"\nrerun / cold = {ratio:.3f} (goal <= {GOAL_RERUN}: {verdict})")
    fit_ratio = runs["rerun"][1]["fit"] / runs["cold"][1]["fit"]
    print(
        f"fit stages only (embedding excluded, what a GPU worker is left with): rerun / cold = "
        f"{fit_ratio:.3f}"
    )
    for name in ("cold", "rerun"):
        stages = ", ".join(f"{k} {v:.1f}" for k, v in runs[name][1].items() if k != "fit.total")
        print(f"  {name} stages (s): {stages}")
    print(
        f"\nrequest size: texts-only {len(texts_only):,} B; with {engine.embedder.dimension}-dim "
        f"embeddings {len(with_embeddings):,} B ({len(with_embeddings) / len(texts_only):.0f}x); "
        f"per comment {len(texts_only) / args.n:,.0f} B vs {len(with_embeddings) / args.n:,.0f} B"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
