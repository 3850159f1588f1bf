"""The test-model builders other packages rely on: deterministic, cached, usable."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from faculytics_embedder import Embedder
from faculytics_embedder.testing import (
    _build_tokenizer,
    build_tiny_model,
    packaged_minilm_path,
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_tiny_model_is_deterministic_and_built_fast(tiny_model, tmp_path):
    started = time.perf_counter()
    again = build_tiny_model(tmp_path / "again")
    assert time.perf_counter() - started < 10  # generous: the goal is < 2 s, machines vary
    assert _files(again) == _files(tiny_model)


def test_tokenizer_vocabulary_does_not_depend_on_the_process():
    # Hash seeds differ between processes; the vocabulary must not follow them.
    code = (
        "from faculytics_embedder.testing import _build_tokenizer;"
        "print(_build_tokenizer(2000).to_str())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {_build_tokenizer(2000).to_str()}


def test_built_model_is_reused_and_rebuilt_for_another_recipe(tmp_path):
    folder = build_tiny_model(tmp_path / "m")
    weights = folder / "model.safetensors"
    stamp = weights.stat().st_mtime_ns
    assert build_tiny_model(tmp_path / "m") == folder
    assert weights.stat().st_mtime_ns == stamp  # not rewritten
    build_tiny_model(tmp_path / "m", hidden_size=48)
    assert Embedder(folder, use_cache=False).dimension == 48


def test_builder_never_deletes_foreign_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"notes\.txt"):
        build_tiny_model(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_tiny_vocabulary_covers_the_three_languages():
    tokenizer = _build_tokenizer(2000)
    vocab = tokenizer.get_vocab()
    for word in ("teacher", "kaayo", "magaling", "salamat"):
        assert word in vocab
    unseen = tokenizer.encode("Napakagaling ng propesor").tokens
    assert "[UNK]" not in unseen  # unseen Latin-script words split into pieces, never unknown


def test_tiny_model_embeds_shared_words_closer(tiny_model):
    vectors = Embedder(tiny_model, use_cache=False).encode(
        [
            "The exam was too difficult.",
            "The exam is difficult.",
            "Mainit ang silid-aralan at sira ang bentilador.",
        ]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_packaged_minilm_is_safetensors():
    path = packaged_minilm_path()
    assert (path / "model.safetensors").is_file()
    assert not list(path.glob("*.bin"))
