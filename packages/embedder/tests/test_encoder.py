"""Embedder behaviour on real models: quality, normalisation, caching and its faults."""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from faculytics_embedder import CacheWarning, Embedder
from faculytics_embedder.cache import cache_key


class RowCounter:
    """Counts the texts that reach the transformer, and the padded length of each batch."""

    def __init__(self, embedder: Embedder) -> None:
        self.rows = 0
        self.batch_lengths: list[int] = []
        transformer = embedder.sentence_transformer[0]
        self._handle = transformer.register_forward_pre_hook(self._hook, with_kwargs=True)

    def _hook(self, module, args, kwargs):
        features = args[0] if args else kwargs["features"]
        self.rows += int(features["input_ids"].shape[0])
        self.batch_lengths.append(int(features["input_ids"].shape[1]))

    def close(self) -> None:
        self._handle.remove()


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_paraphrase_scores_closer_than_unrelated_sentence(minilm):
    vectors = minilm.encode(
        [
            "The teacher explains the lessons very clearly.",
            "Our instructor gives clear explanations of each lesson.",
            "The parking lot near the gym is always full.",
        ]
    )
    paraphrase = _cos(vectors[0], vectors[1])
    unrelated = _cos(vectors[0], vectors[2])
    assert paraphrase > unrelated + 0.3, (paraphrase, unrelated)


def test_vectors_have_unit_norm_and_float32(minilm, tiny_model, tmp_path, texts):
    tiny = Embedder(tiny_model, cache_dir=tmp_path)
    for embedder in (minilm, tiny):
        vectors = embedder.encode(texts)
        assert vectors.dtype == np.float32
        assert vectors.shape == (len(texts), embedder.dimension)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.dimension == 384 and tiny.dimension == 32


def test_cached_vectors_equal_fresh_ones_bitwise(tiny_model, tmp_path, texts):
    fresh = Embedder(tiny_model, use_cache=False).encode(texts)
    first = Embedder(tiny_model, cache_dir=tmp_path)
    computed = first.encode(texts)
    first.flush()  # the cache write runs in the background
    reloaded = Embedder(tiny_model, cache_dir=tmp_path)  # a new process would see the same
    cached = reloaded.encode(texts)
    assert reloaded.last_stats.misses == 0
    assert reloaded.last_stats.hits == len(set(texts))
    assert cached.tobytes() == computed.tobytes() == fresh.tobytes()


def test_only_cache_misses_reach_the_model(tiny_model, tmp_path, texts):
    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    counter = RowCounter(embedder)
    try:
        embedder.encode(texts)
        assert counter.rows == len(set(texts)) == embedder.last_stats.misses  # repeat computed once
        new = ["A brand new comment.", "Lain na pud nga komento."]
        embedder.encode(texts + new)
        assert counter.rows == len(set(texts)) + len(new)
        assert embedder.last_stats.hits == len(set(texts))
        assert embedder.last_stats.misses == len(new)
        embedder.encode(list(reversed(texts + new)))
        assert counter.rows == len(set(texts)) + len(new)  # nothing more computed
    finally:
        counter.close()


def test_duplicates_get_identical_rows_in_order(tiny_model, texts):
    embedder = Embedder(tiny_model, use_cache=False)
    vectors = embedder.encode(texts)
    assert embedder.last_stats.n_unique == len(set(texts)) < len(texts)
    np.testing.assert_array_equal(vectors[0], vectors[5])
    assert not np.array_equal(vectors[0], vectors[1])
    singles = np.stack([embedder.encode([text])[0] for text in texts[:3]])
    np.testing.assert_allclose(vectors[:3], singles, atol=1e-6)


def test_model_sees_batches_sorted_by_length(tiny_model):
    embedder = Embedder(tiny_model, use_cache=False, batch_size=2)
    words = ["maayo", "kaayo", "ang", "maestra", "sa", "klase", "ug", "sa", "exam"]
    # Distinct texts (no dedupe) of shuffled lengths.
    texts = [f"{i} " + " ".join(words[: (i * 7) % len(words)]) for i in range(12)]
    counter = RowCounter(embedder)
    try:
        embedder.encode(texts)
    finally:
        counter.close()
    assert len(counter.batch_lengths) == 6
    assert counter.batch_lengths == sorted(counter.batch_lengths, reverse=True)
    assert counter.batch_lengths[0] > counter.batch_lengths[-1]


def _row(cache_dir: Path, key: bytes) -> tuple[int, bytes]:
    with sqlite3.connect(cache_dir / "embeddings" / "cache.db") as con:
        return con.execute("SELECT mode, value FROM Cache WHERE key = ?", (key,)).fetchone()


def _write_row(cache_dir: Path, key: bytes, mode: int, value: bytes) -> None:
    con = sqlite3.connect(cache_dir / "embeddings" / "cache.db")
    with con:
        cursor = con.execute(
            "UPDATE Cache SET mode = ?, value = ? WHERE key = ? AND raw = 1", (mode, value, key)
        )
        assert cursor.rowcount == 1
    con.close()


def test_wrong_size_entry_is_recomputed_and_rewritten(tiny_model, tmp_path, texts):
    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    reference = embedder.encode(texts)
    embedder.flush()
    key = cache_key(embedder.fingerprint, texts[1])
    _write_row(tmp_path, key, 1, b"\x00" * 10)  # raw mode, but 10 bytes instead of 32 * 4

    with pytest.warns(CacheWarning, match="wrong size"):
        again = embedder.encode(texts)
    assert embedder.last_stats.misses == 1
    # Recomputed alone rather than in a padded batch: equal up to float rounding.
    np.testing.assert_allclose(again, reference, atol=1e-6)
    embedder.flush()
    assert len(_row(tmp_path, key)[1]) == embedder.dimension * 4  # rewritten

    embedder.encode(texts)
    assert embedder.last_stats.misses == 0


class _CreatesFile:
    """Unpickling this runs ``os.mkdir(path)``: the kind of payload a tampered cache could hold."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_pickle_payload_is_dangerous_when_unpickled(tmp_path):
    # Proves the payload used below really executes code when unpickled.
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_CreatesFile(marker)))
    assert marker.is_dir()


def test_crafted_pickle_row_is_refused_and_never_unpickled(tiny_model, tmp_path, texts):
    import diskcache

    from faculytics_embedder.cache import SafeDisk, UnsafeCacheEntryError

    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    reference = embedder.encode(texts)
    embedder.flush()
    marker = tmp_path / "pwned"
    key = cache_key(embedder.fingerprint, texts[2])
    _write_row(tmp_path, key, 4, pickle.dumps(_CreatesFile(marker)))  # 4 = diskcache MODE_PICKLE

    with pytest.warns(CacheWarning, match="refused storage mode"):
        again = embedder.encode(texts)
    assert not marker.exists()
    assert embedder.last_stats.misses == 1
    np.testing.assert_allclose(again, reference, atol=1e-6)
    embedder.flush()
    assert _row(tmp_path, key)[0] == 1  # replaced by a raw row

    # diskcache's own read paths through SafeDisk refuse the mode as well.
    _write_row(tmp_path, key, 4, pickle.dumps(_CreatesFile(marker)))
    raw = diskcache.Cache(str(tmp_path / "embeddings"), disk=SafeDisk)
    assert raw.get(key, default="missing") == "missing"
    with pytest.raises(UnsafeCacheEntryError):
        raw.disk.fetch(4, None, pickle.dumps(_CreatesFile(marker)), False)
    with pytest.raises(TypeError):
        raw.set(b"k", {"a": "dict would be pickled"})
    raw.close()
    assert not marker.exists()


def test_two_models_never_share_entries(tiny_model, other_tiny_model, tmp_path, texts):
    first = Embedder(tiny_model, cache_dir=tmp_path)
    second = Embedder(other_tiny_model, cache_dir=tmp_path)
    assert first.dimension == second.dimension
    assert first.fingerprint != second.fingerprint
    a = first.encode(texts)
    b = second.encode(texts)
    assert second.last_stats.hits == 0
    assert second.last_stats.misses == len(set(texts))
    assert not np.allclose(a, b)
    first.encode(texts)
    assert first.last_stats.misses == 0
    second.flush()
    assert len(first._cache) == 2 * len(set(texts))


def test_unwritable_cache_folder_still_embeds(tiny_model, tmp_path, texts):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    reference = Embedder(tiny_model, use_cache=False).encode(texts)
    with pytest.warns(CacheWarning, match="not usable"):
        embedder = Embedder(tiny_model, cache_dir=blocker / "cache")
    assert embedder.cache_dir is None
    assert embedder.encode(texts).tobytes() == reference.tobytes()
    assert embedder.last_stats.misses == len(set(texts))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_cache_folder_still_embeds(tiny_model, tmp_path, texts):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.warns(CacheWarning):
        embedder = Embedder(tiny_model, cache_dir=locked)
    assert embedder.cache_dir is None
    assert embedder.encode(texts).shape == (len(texts), 32)


def test_damaged_cache_file_is_moved_aside_and_rebuilt(tiny_model, tmp_path, texts):
    filled = Embedder(tiny_model, cache_dir=tmp_path)
    filled.encode(texts)
    filled.close()
    db = tmp_path / "embeddings" / "cache.db"
    for leftover in db.parent.glob("cache.db-*"):
        leftover.unlink()  # WAL files of the closed cache
    db.write_bytes(b"this is not an SQLite database" * 100)

    with pytest.warns(CacheWarning, match="damaged"):
        embedder = Embedder(tiny_model, cache_dir=tmp_path)
    assert embedder.cache_dir == tmp_path
    vectors = embedder.encode(texts)
    assert embedder.last_stats.misses == len(set(texts))
    assert list(db.parent.glob("cache.db.damaged-*"))  # kept, not deleted
    assert embedder.encode(texts).tobytes() == vectors.tobytes()
    assert embedder.last_stats.hits == len(set(texts))


def test_use_cache_false_touches_no_folder(tiny_model, tmp_path, monkeypatch, texts):
    monkeypatch.setenv("FACULYTICS_CACHE_DIR", str(tmp_path / "would-be-cache"))
    embedder = Embedder(tiny_model, use_cache=False)
    embedder.encode(texts)
    assert embedder.cache_dir is None
    assert not (tmp_path / "would-be-cache").exists()


def test_empty_input_and_bad_input(tiny_model):
    embedder = Embedder(tiny_model, use_cache=False)
    assert embedder.encode([]).shape == (0, 32)
    with pytest.raises(TypeError, match="single string"):
        embedder.encode("one text")
    with pytest.raises(TypeError, match="positions 1, 3"):
        embedder.encode(["ok", None, "ok", 3])


def test_same_input_same_output_across_embedders(tiny_model):
    texts = ["Same input, same output.", "Parehas nga resulta."]
    a = Embedder(tiny_model, use_cache=False).encode(texts)
    b = Embedder(tiny_model, use_cache=False).encode(texts)
    assert a.tobytes() == b.tobytes()


def test_logs_counts_but_never_comment_text(tiny_model, tmp_path, caplog):
    secret = ["Sir Juan is always late and rude.", "Confidential complaint about grading."]
    with caplog.at_level(logging.DEBUG, logger="faculytics_embedder"):
        embedder = Embedder(tiny_model, cache_dir=tmp_path)
        embedder.encode(secret)
        embedder.encode(secret)
    assert "2 from cache, 0 computed" in caplog.text
    assert "0 from cache, 2 computed" in caplog.text
    for text in secret:
        assert text not in caplog.text
        assert text.split()[1] not in caplog.text


def test_cache_writes_finish_in_the_background(tiny_model, tmp_path, texts):
    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    embedder.encode(texts)
    embedder.flush()
    other = Embedder(tiny_model, cache_dir=tmp_path)  # another worker on the same folder
    other.encode(texts)
    assert other.last_stats.misses == 0
    new = ["Bag-o nga komento."]
    embedder.encode(new)
    embedder.encode(new)  # waits for the previous write: a hit, never a second computation
    assert embedder.last_stats.hits == 1
    embedder.close()
    assert embedder.cache_dir is None
    assert embedder.encode(new).shape == (1, 32)  # uncached after close


def test_embedder_can_be_deep_copied(tiny_model, tmp_path, texts):
    import copy

    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    vectors = embedder.encode(texts)  # a write may still be pending
    clone = copy.deepcopy(embedder)
    assert clone.encode(texts).tobytes() == vectors.tobytes()
    assert clone.last_stats.misses == 0
    clone.encode(["Bag-o para sa kopya."])
    clone.flush()
    embedder.encode(["Bag-o para sa kopya."])
    assert embedder.last_stats.hits == 1  # the copy wrote to the same cache folder
