"""Benchmark: a 12-combination parameter sweep against 12 independent plain BERTopic runs.

Both sides model the same 5,000 comments (``make_feedback_corpus``) with the same 768-dim
document embeddings, one after the other in this process:

- ``sweep``: ``ParameterSweep`` over min_topic_size 10/15/25 x nr_topics 20/auto x
  umap_n_neighbors 15/20 (12 combinations, two UMAP settings), cold caches (a fresh UMAP cache
  folder and a fresh embedding cache for keywords), metrics included in every run;
- ``independent``: for each combination, plain BERTopic configured as the platform does (UMAP
  cosine min_dist 0, HDBSCAN eom with prediction data, the same CountVectorizer and stop words,
  KeyBERTInspired) with the LaBSE-shaped SentenceTransformer as its embedding model and no cache:
  what an analyst re-running a notebook a dozen times does. No metrics.

A warm-up fit runs first so numba's JIT compilation is paid before either side is timed.

Document embeddings (``--embeddings``): ``model`` (default) encodes the texts with the random-weight
LaBSE-shaped model (12 layers, 768 hidden), cached under ``--work-dir`` so a second run skips it;
``synthetic`` uses the clusterer benchmark's deterministic clustered 768-dim vectors (one centre
per theme and language), which give topic structure a random-weight model cannot. Goal: sweep
wall time at most 0.25 x the independent runs.

Usage: ``flock /tmp/faculytics-heavy.lock uv run python benchmarks/sweep_vs_independent.py
[--n 5000] [--embeddings model|synthetic] [--work-dir DIR]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

GOAL = 0.25
GRID = ["min_topic_size=10,15,25", "nr_topics=20,auto", "umap_n_neighbors=15,20"]


def synthetic_embeddings(themes: list[str], languages: list[str]) -> np.ndarray:
    """The clusterer benchmark's clustered vectors (one definition, imported from its script)."""
    path = Path(__file__).with_name("clusterer_pipeline.py")
    spec = importlib.util.spec_from_file_location("clusterer_pipeline_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_embeddings(themes, languages)


def warm_up() -> None:
    import hdbscan
    import umap

    data = np.random.default_rng(0).normal(size=(600, 32)).astype(np.float32)
    reduced = umap.UMAP(n_neighbors=15, n_components=5, metric="cosine", random_state=42)
    hdbscan.HDBSCAN(min_cluster_size=15, prediction_data=True).fit(reduced.fit_transform(data))


def plain_run(params, texts: list[str], embeddings: np.ndarray, sentence_model) -> int:
    """One plain BERTopic fit with the platform's configuration; returns its topic count."""
    from baseline import plain_bertopic

    model = plain_bertopic(params, sentence_model)
    topics, _ = model.fit_transform(texts, embeddings)
    return len(set(topics) - {-1})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of comments (default 5000)")
    parser.add_argument("--embeddings", choices=("model", "synthetic"), default="model")
    parser.add_argument("--work-dir", type=Path, help="keeps the model and document embeddings")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")

    from sentence_transformers import SentenceTransformer

    from faculytics_clusterer.datasets import make_feedback_corpus
    from faculytics_clusterer.sweeps import ParameterGrid, ParameterSweep
    from faculytics_embedder import Embedder
    from faculytics_embedder.testing import build_labse_shaped_model

    work = args.work_dir or Path(tempfile.gettempdir()) / "faculytics-sweep-bench"
    work.mkdir(parents=True, exist_ok=True)
    model_dir = build_labse_shaped_model(work / "labse-shaped")
    corpus = make_feedback_corpus(args.n, random_state=0)
    if args.embeddings == "model":
        # The document embeddings are an input of both sides, not part of either timing; the
        # embedder's cache keeps them for the next run of this script.
        start = time.perf_counter()
        encoder = Embedder(str(model_dir), cache_dir=work / "doc-cache", device="cpu")
        embeddings = encoder.encode(corpus.texts)
        source = (
            f"the random-weight LaBSE-shaped model (12 layers, 768 hidden), "
            f"{time.perf_counter() - start:.0f}s to encode or read from cache"
        )
    else:
        embeddings = synthetic_embeddings(corpus.themes, corpus.languages)
        source = "synthetic clustered 768-dim vectors (clusterer benchmark's generator)"
    print(f"{args.n} comments, embeddings {embeddings.shape} from {source}")

    grid = ParameterGrid.from_args(GRID)
    warm_up()

    # Cold caches for the sweep: nothing reduced, no keyword embedded before.
    sweep_cache = work / "sweep-cache"
    shutil.rmtree(sweep_cache, ignore_errors=True)
    embedder = Embedder(str(model_dir), cache_dir=sweep_cache, device="cpu")
    sweep = ParameterSweep(grid, embedder=embedder, cache_dir=sweep_cache)
    start = time.perf_counter()
    result = sweep.fit(corpus.texts, embeddings)
    sweep_seconds = time.perf_counter() - start
    print(result.summary())
    timings = [r.result.timings for r in result.records if r.result is not None]
    stages = {
        stage: sum(t.get(stage, 0.0) for t in timings)
        for stage in ("umap", "hdbscan", "topics", "metrics")
    }
    print("sweep stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))

    sentence_model = SentenceTransformer(str(model_dir), device="cpu")
    start = time.perf_counter()
    independent = []
    for params in grid.combinations():
        run_start = time.perf_counter()
        n_topics = plain_run(params, corpus.texts, embeddings, sentence_model)
        independent.append((params, n_topics, time.perf_counter() - run_start))
    independent_seconds = time.perf_counter() - start
    for params, n_topics, seconds in independent:
        print(
            f"plain min_topic_size={params.min_topic_size:<3} nr_topics={params.nr_topics!s:<5}"
            f" umap_n_neighbors={params.umap_n_neighbors}: {n_topics:>3} topics {seconds:6.1f}s"
        )

    ratio = sweep_seconds / independent_seconds
    print()
    print(f"embeddings: {source}")
    print(
        f"sweep of {len(grid)} combinations ({result.reduction_stats['computed']} UMAP "
        f"reductions, metrics included): {sweep_seconds:.1f}s"
    )
    print(f"{len(grid)} independent plain BERTopic runs (no caches): {independent_seconds:.1f}s")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"ratio sweep / independent: {ratio:.3f} (goal <= {GOAL}: {verdict})")


if __name__ == "__main__":
    main()
