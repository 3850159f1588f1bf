"""Benchmark: the clusterer pipeline against plain BERTopic configured the same, per stage.

For each corpus size it runs, each in a fresh subprocess (honest peak memory, honest JIT cost):

- ``baseline``: plain BERTopic with the platform's configuration (UMAP 20/10 cosine min_dist 0,
  HDBSCAN 15/5 eom with prediction data, CountVectorizer (1, 2) with the same stop words,
  KeyBERTInspired, nr_topics 20) and the same embedding model (a SentenceTransformer, no cache);
- ``first``: ``TopicPipeline`` with cold caches (empty UMAP and embedding caches), metrics included;
- ``rerun``: ``TopicPipeline`` again on the same cache folder with ``min_topic_size`` 25 instead
  of 15, in a new process (so the UMAP reduction comes from disk, not memory).

A warm-up subprocess runs first so numba's on-disk JIT caches exist before any measured run.
Texts come from ``make_feedback_corpus``; the embedding model is the random-weight LaBSE-shaped
model (768-dim). Document embeddings are, by default, a deterministic synthetic clustered matrix
(768-dim, one centre per theme and language, unit norm): embedding 20,000 texts with a 12-layer
model on two CPU cores would take longer than everything measured here. ``--model-embeddings``
embeds the texts with the LaBSE-shaped model instead (slow; used for sizes up to 5,000).

Usage: ``flock /tmp/faculytics-heavy.lock uv run python benchmarks/clusterer_pipeline.py
[--sizes 1000,5000,20000] [--model-embeddings]``. The 20,000 size takes several minutes on a
2-core machine; the default is 1,000 and 5,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

GOAL_FIRST = 0.8
GOAL_RERUN = 0.15
BASE_PARAMS = {"min_topic_size": 15}
RERUN_PARAMS = {"min_topic_size": 25}


def synthetic_embeddings(themes: list[str], languages: list[str], dim: int = 768) -> np.ndarray:
    """Deterministic clustered unit vectors: theme centre + language offset + noise."""
    rng = np.random.default_rng(42)
    theme_names = sorted(set(themes))
    language_names = sorted(set(languages))
    centres = rng.normal(size=(len(theme_names), dim))
    offsets = 0.5 * rng.normal(size=(len(language_names), dim))
    theme_row = np.array([theme_names.index(theme) for theme in themes])
    language_row = np.array([language_names.index(language) for language in languages])
    vectors = centres[theme_row] + offsets[language_row] + 1.2 * rng.normal(size=(len(themes), dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- children ---------------------------------------------------------------------------------


def child_warmup(_: argparse.Namespace) -> dict:
    import hdbscan
    import umap

    rng = np.random.default_rng(0)
    data = rng.normal(size=(4200, 32)).astype(np.float32)
    reduced = umap.UMAP(n_neighbors=15, n_components=5, metric="cosine", random_state=42)
    hdbscan.HDBSCAN(min_cluster_size=15, prediction_data=True).fit(reduced.fit_transform(data))
    return {}


def _load(workdir: Path) -> tuple[list[str], np.ndarray]:
    texts = json.loads((workdir / "texts.json").read_text())
    return texts, np.load(workdir / "embeddings.npy", allow_pickle=False)


def child_baseline(args: argparse.Namespace) -> dict:
    from baseline import plain_bertopic
    from sentence_transformers import SentenceTransformer

    from faculytics_contracts import TopicParams

    texts, embeddings = _load(args.workdir)
    params = TopicParams(**BASE_PARAMS)
    model = SentenceTransformer(str(args.model_dir), device="cpu")
    topic_model = plain_bertopic(params, model)
    umap_model, hdbscan_model = topic_model.umap_model, topic_model.hdbscan_model
    timings: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    # Instance attributes: BERTopic calls these methods, the models are unchanged.
    umap_model.fit_transform = timed("umap", umap_model.fit_transform)
    hdbscan_model.fit = timed("hdbscan", hdbscan_model.fit)
    start = time.perf_counter()
    topics, _ = topic_model.fit_transform(texts, embeddings)
    timings["total"] = time.perf_counter() - start
    timings["topics"] = timings["total"] - timings["umap"] - timings["hdbscan"]
    n_topics = len(set(topics) - {-1})
    return {"timings": timings, "n_topics": n_topics, "outliers": int(np.sum(np.array(topics) < 0))}


def child_pipeline(args: argparse.Namespace) -> dict:
    from faculytics_clusterer import TopicPipeline
    from faculytics_contracts import TopicParams
    from faculytics_embedder import Embedder

    texts, embeddings = _load(args.workdir)
    embedder = Embedder(str(args.model_dir), cache_dir=args.cache_dir, device="cpu")
    params = TopicParams(**(RERUN_PARAMS if args.child == "rerun" else BASE_PARAMS))
    pipeline = TopicPipeline(params, embedder=embedder)
    start = time.perf_counter()
    result = pipeline.fit(texts, embeddings)
    timings = dict(result.timings)
    timings["total"] = time.perf_counter() - start
    return {
        "timings": timings,
        "n_topics": len(result.topics),
        "outliers": result.outlier_count,
        "umap_cache_hit": result.details["umap_cache_hit"],
        "metrics": result.metrics.model_dump(),
    }


CHILDREN = {
    "warmup": child_warmup,
    "baseline": child_baseline,
    "first": child_pipeline,
    "rerun": child_pipeline,
}


def run_child(name: str, workdir: Path, model_dir: Path, cache_dir: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--workdir",
        str(workdir),
        "--model-dir",
        str(model_dir),
        "--cache-dir",
        str(cache_dir),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- parent -----------------------------------------------------------------------------------


def prepare(n_documents: int, workdir: Path, model_dir: Path, model_embeddings: bool) -> str:
    from faculytics_clusterer.datasets import make_feedback_corpus

    corpus = make_feedback_corpus(n_documents, random_state=0)
    (workdir / "texts.json").write_text(json.dumps(corpus.texts))
    if model_embeddings:
        from faculytics_embedder import Embedder

        embedder = Embedder(str(model_dir), use_cache=False, device="cpu")
        embeddings = embedder.encode(corpus.texts)
        kind = "LaBSE-shaped model (random weights)"
    else:
        embeddings = synthetic_embeddings(corpus.themes, corpus.languages)
        kind = "synthetic clustered 768-dim"
    np.save(workdir / "embeddings.npy", embeddings, allow_pickle=False)
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated corpus sizes")
    parser.add_argument("--model-embeddings", action="store_true")
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")

    if args.child:
        output = CHILDREN[args.child](args)
        output["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(output))
        return

    from faculytics_embedder.testing import build_labse_shaped_model

    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="clusterer-bench-") as root:
        root = Path(root)
        model_dir = build_labse_shaped_model(root / "labse-shaped")
        run_child("warmup", root, model_dir, root)
        print(
            f"{'size':>6} {'variant':<9} {'umap':>7} {'hdbscan':>8} {'topics':>7} "
            f"{'metrics':>8} {'total':>7} {'x base':>7} {'topics#':>7} {'peak MiB':>9}"
        )
        summary = []
        for n_documents in sizes:
            workdir = root / f"n{n_documents}"
            workdir.mkdir()
            kind = prepare(n_documents, workdir, model_dir, args.model_embeddings)
            cache_dir = workdir / "cache"
            results = {
                name: run_child(name, workdir, model_dir, cache_dir)
                for name in ("baseline", "first", "rerun")
            }
            base = results["baseline"]["timings"]["total"]
            for name, result in results.items():
                t = result["timings"]
                ratio = t["total"] / base
                print(
                    f"{n_documents:>6} {name:<9} {t['umap']:>7.2f} {t['hdbscan']:>8.2f} "
                    f"{t['topics']:>7.2f} {t.get('metrics', 0.0):>8.2f} {t['total']:>7.2f} "
                    f"{ratio:>7.2f} {result['n_topics']:>7} {result['peak_rss_mib']:>9.0f}"
                )
            first = results["first"]["timings"]
            first_ratio = first["total"] / base
            rerun_ratio = results["rerun"]["timings"]["total"] / base
            no_metrics = (first["total"] - first["metrics"]) / base
            summary.append(
                f"n={n_documents} ({kind} embeddings): first run {first_ratio:.2f}x baseline "
                f"(goal <= {GOAL_FIRST}; {no_metrics:.2f}x without the metrics plain BERTopic "
                f"does not compute), re-run {rerun_ratio:.2f}x (goal <= {GOAL_RERUN}; UMAP "
                f"cache hit: {results['rerun']['umap_cache_hit']})"
            )
        print()
        print("\n".join(summary))


if __name__ == "__main__":
    main()
