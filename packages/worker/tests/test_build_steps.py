"""The image's bake and warm steps, run outside Docker exactly as the Dockerfile runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from faculytics_embedder import Embedder

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[1] / "docker" / "build_steps.py"


def _run(args, env_extra=None, unset=()):
    env = dict(os.environ, **(env_extra or {}))
    for name in unset:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_bake_saves_safetensors_that_load_offline_and_embed_like_the_source(tmp_path, minilm_path):
    target = tmp_path / "models" / "minilm"
    result = _run(["bake", "--model", "minilm", "--to", str(target)])
    assert result.returncode == 0, result.stderr
    assert "bake: minilm ->" in result.stdout
    assert (target / "model.safetensors").exists()
    assert not [p for p in target.rglob("*") if p.suffix in {".bin", ".pt", ".pkl"}]
    probe = ["Maayo kaayo siya mo explain.", "Late always and absent often."]
    baked = Embedder(str(target), device="cpu", use_cache=False).encode(probe)
    source = Embedder(str(minilm_path), device="cpu", use_cache=False).encode(probe)
    np.testing.assert_allclose(baked, source, atol=1e-5)


def test_bake_fails_for_a_missing_model(tmp_path):
    missing = tmp_path / "nothing"
    result = _run(["bake", "--model", str(missing), "--to", str(tmp_path / "out")])
    assert result.returncode != 0
    assert "bake: `faculytics-embed download" in result.stderr
    assert str(missing) in result.stderr  # the embedder's own message names the folder
    assert not (tmp_path / "out" / "model.safetensors").exists()


def test_warm_needs_a_numba_cache_dir():
    result = _run(["warm"], unset=["NUMBA_CACHE_DIR"])
    assert result.returncode != 0
    assert "NUMBA_CACHE_DIR" in result.stderr


def test_warm_writes_compiled_code_to_the_numba_cache(tmp_path):
    cache = tmp_path / "numba-cache"
    result = _run(["warm"], env_extra={"NUMBA_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    indexes = list(cache.rglob("*.nbi"))
    data = list(cache.rglob("*.nbc"))
    assert indexes and data
    # pynndescent's neighbour search (used above 4,096 documents) is among what gets cached.
    assert any("pynndescent" in str(path) for path in indexes)
    assert f"warm: {len(indexes)} numba cache entries" in result.stdout
