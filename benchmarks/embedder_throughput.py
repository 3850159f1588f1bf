"""Embedder throughput: cold vs plain SentenceTransformer.encode, cache hits, Arrow round trip.

Prints, for N short multilingual feedback texts (default 20,000):

1. Cold throughput of ``Embedder.encode`` with the cache on and empty, against plain
   ``SentenceTransformer.encode`` of the same loaded LaBSE-shaped random model in the same run
   (ratio; goal >= 1.0, i.e. the cache layer costs nothing measurable). On a small CPU a 12-layer
   768-wide model needs minutes per few thousand texts, so this is measured on the first
   ``--cold-n`` texts (default 2,000), alternating the two contenders ``--repeats`` times.
2. Cache-hit throughput of ``Embedder.encode`` over all N texts (goal >= 50,000 texts/s). The
   cache is filled directly with N unit vectors under the embedder's own keys, because what a hit
   costs (hashing, lookup, assembly) does not involve the model.
3. The Arrow IPC and Parquet round trip (write, then read back zero-copy) of the N x 768 table.

Run it alone (the machine has 2 cores):

    flock /tmp/faculytics-heavy.lock uv run python benchmarks/embedder_throughput.py
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from faculytics_embedder import Embedder
from faculytics_embedder.arrow import read_embeddings, write_embeddings
from faculytics_embedder.cache import EmbeddingCache, cache_key
from faculytics_embedder.testing import TINY_CORPUS, build_labse_shaped_model

_CONNECTORS = (" but ", " pero ", " at ", " ug ")


def make_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct short comments: two halves of built-in feedback lines joined code-switched."""
    halves = []
    for line in TINY_CORPUS:
        words = line.rstrip(".!").split()
        cut = max(1, len(words) // 2)
        halves += [" ".join(words[:cut]), " ".join(words[cut:])]
    halves = sorted({half for half in halves if half})
    space = len(halves) * len(halves) * len(_CONNECTORS)
    if n > space:
        raise SystemExit(f"--n {n} exceeds the {space} distinct texts this generator can make")
    picks = np.random.default_rng(seed).choice(space, size=n, replace=False)
    texts = []
    for pick in picks:
        first, rest = divmod(int(pick), len(halves) * len(_CONNECTORS))
        second, connector = divmod(rest, len(_CONNECTORS))
        texts.append(f"{halves[first]}{_CONNECTORS[connector]}{halves[second]}.")
    return texts


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} texts/s ({seconds:.2f} s for {count:,})"


class _Timed:
    """Wraps a SentenceTransformer's encode to add up the seconds spent inside it."""

    def __init__(self, encode) -> None:
        self.encode, self.seconds = encode, 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.encode(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def _plain_run(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, float]:
    model = embedder.sentence_transformer
    started = time.perf_counter()
    out = model.encode(texts, batch_size=embedder._batch_size, convert_to_numpy=True)
    return out, time.perf_counter() - started


def _embedder_run(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, float, float, float]:
    """Vectors, seconds of encode(), seconds of it spent outside the model, and the seconds the
    background cache write still needed after encode() returned."""
    model = embedder.sentence_transformer
    timed = _Timed(model.encode)
    model.encode = timed  # an instance attribute: only this object, only this run
    try:
        started = time.perf_counter()
        out = embedder.encode(texts)
        seconds = time.perf_counter() - started
    finally:
        del model.encode
    assert embedder.last_stats.misses == len(texts), embedder.last_stats
    started = time.perf_counter()
    embedder.flush()  # not on encode()'s path: the write overlaps the caller's next step
    return out, seconds, seconds - timed.seconds, time.perf_counter() - started


def cold(embedder: Embedder, texts: list[str], repeats: int, work: Path, chunk: int) -> None:
    """Paired, interleaved timing: each chunk of texts is encoded by both contenders back to back
    (alternating who goes first), so load from other processes hits both sides alike."""
    plain_total = cached_total = layer_total = write_total = 0.0
    pair_ratios = []
    for round_ in range(repeats):
        # A fresh Embedder on an empty cache folder; the baseline runs on its very model object.
        fresh = Embedder(
            embedder.model_folder,
            cache_dir=work / f"cold-cache-{round_}",
            device=embedder.device,
            batch_size=embedder.batch_size,
        )
        fresh.sentence_transformer.encode(texts[:64], batch_size=fresh._batch_size)  # warm-up
        round_plain = round_cached = 0.0
        for index, start in enumerate(range(0, len(texts), chunk)):
            part = texts[start : start + chunk]
            if (index + round_) % 2 == 0:
                baseline, plain = _plain_run(fresh, part)
                vectors, cached, layer, write = _embedder_run(fresh, part)
            else:
                vectors, cached, layer, write = _embedder_run(fresh, part)
                baseline, plain = _plain_run(fresh, part)
            np.testing.assert_allclose(vectors, baseline, atol=1e-5)
            round_plain += plain
            round_cached += cached
            layer_total += layer
            write_total += write
            pair_ratios.append(plain / cached)
        plain_total += round_plain
        cached_total += round_cached
        print(
            f"  round {round_ + 1}: plain encode {_rate(len(texts), round_plain)}; "
            f"Embedder (cache on, empty) {_rate(len(texts), round_cached)}; "
            f"ratio {round_plain / round_cached:.3f}"
        )
        fresh.close()
    n = len(texts) * repeats
    print(
        f"COLD on {len(texts):,} texts x {repeats} rounds, in pairs of {chunk}: plain "
        f"{n / plain_total:,.1f} texts/s, Embedder {n / cached_total:,.1f} texts/s, ratio "
        f"Embedder/plain = {plain_total / cached_total:.3f} (median pair "
        f"{statistics.median(pair_ratios):.3f}; goal >= 1.0). Time the Embedder spent outside "
        f"the model (hashing, lookup, dedupe, normalising): {layer_total * 1000:.0f} ms = "
        f"{100 * layer_total / cached_total:.2f}% of its time; background cache writes "
        f"finished {write_total * 1000:.0f} ms after encode() returned, in total"
    )


def hits(embedder_folder: Path, device: str, texts: list[str], work: Path) -> Embedder:
    cache_root = work / "hit-cache"
    embedder = Embedder(embedder_folder, cache_dir=cache_root, device=device)
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(texts), embedder.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = EmbeddingCache(cache_root / "embeddings", embedder.dimension)
    started = time.perf_counter()
    store.set_many([cache_key(embedder.fingerprint, text) for text in texts], vectors)
    filled = time.perf_counter() - started
    print(f"  cache fill (set_many, one transaction): {_rate(len(texts), filled)}")
    store.close()

    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        got = embedder.encode(texts)
        seconds.append(time.perf_counter() - started)
        assert embedder.last_stats.misses == 0, embedder.last_stats
    assert got.tobytes() == vectors.tobytes()
    print(
        f"CACHE HITS on {len(texts):,} texts: best {len(texts) / min(seconds):,.0f} texts/s, "
        f"median {len(texts) / statistics.median(seconds):,.0f} texts/s (goal >= 50,000)"
    )
    return embedder


def arrow_round_trip(embedder: Embedder, texts: list[str], work: Path) -> None:
    vectors = embedder.encode(texts)  # all hits
    ids = [f"s-{i}" for i in range(len(texts))]
    for suffix in (".arrow", ".parquet"):
        path = work / f"embeddings{suffix}"
        started = time.perf_counter()
        write_embeddings(
            path, ids, texts, vectors, model_name="labse-shaped", fingerprint=embedder.fingerprint
        )
        written = time.perf_counter() - started
        started = time.perf_counter()
        table = read_embeddings(path)
        matrix = table.embeddings
        read = time.perf_counter() - started
        assert matrix.shape == vectors.shape and matrix.tobytes() == vectors.tobytes()
        print(
            f"ARROW {suffix}: {len(texts):,} x {vectors.shape[1]} written in {written:.3f} s, "
            f"read back in {read:.3f} s (zero-copy view: {not matrix.flags.owndata}), "
            f"{path.stat().st_size / 2**20:.1f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=20_000, help="texts for hits and Arrow")
    parser.add_argument("--cold-n", type=int, default=2_000, help="texts for the cold figure")
    parser.add_argument("--repeats", type=int, default=2, help="cold rounds per contender")
    parser.add_argument("--chunk", type=int, default=250, help="texts per cold timing pair")
    parser.add_argument("--device", default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "faculytics-bench" / "labse-shaped",
        help="where the LaBSE-shaped random model is built (reused when present)",
    )
    args = parser.parse_args()

    import torch

    texts = make_texts(args.n)
    started = time.perf_counter()
    folder = build_labse_shaped_model(args.model_dir)
    built = time.perf_counter() - started
    print(f"LaBSE-shaped model (12 layers, 768 hidden, random weights): {folder} ({built:.1f} s)")
    with tempfile.TemporaryDirectory(prefix="faculytics-bench-") as tmp:
        work = Path(tmp)
        embedder = Embedder(folder, device=args.device, batch_size=args.batch_size, use_cache=False)
        print(
            f"device {embedder.device}, torch threads {torch.get_num_threads()}, batch size "
            f"{embedder._batch_size}, {len(texts):,} texts of "
            f"{statistics.mean(len(t.split()) for t in texts):.1f} words on average"
        )
        cold_n = min(args.cold_n, len(texts))
        print(f"Cold figure measured on the first {cold_n:,} of the {len(texts):,} texts:")
        cold(embedder, texts[:cold_n], args.repeats, work, args.chunk)
        hit_embedder = hits(folder, embedder.device, texts, work)
        arrow_round_trip(hit_embedder, texts, work)


if __name__ == "__main__":
    main()
