"""Model naming, cache-folder choice, fingerprints and the refusal of unsafe model folders."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

import faculytics_embedder.cache as cache_module
import faculytics_embedder.fingerprint as fingerprint_module
from faculytics_embedder import (
    DEFAULT_MODEL,
    Embedder,
    UnsafeModelError,
    model_fingerprint,
    resolve_cache_dir,
    resolve_model,
)
from faculytics_embedder.models import check_model_folder, pick_device
from faculytics_embedder.testing import packaged_minilm_path


def test_resolve_model_precedence_and_aliases(monkeypatch, tmp_path):
    monkeypatch.delenv("FACULYTICS_EMBED_MODEL", raising=False)
    assert resolve_model() == DEFAULT_MODEL == "sentence-transformers/LaBSE"
    monkeypatch.setenv("FACULYTICS_EMBED_MODEL", "org/from-env")
    assert resolve_model() == "org/from-env"
    assert resolve_model("") == "org/from-env"  # an empty argument is no argument
    assert resolve_model("org/from-arg") == "org/from-arg"
    assert resolve_model(tmp_path) == str(tmp_path)  # paths pass through
    assert resolve_model("LaBSE") == DEFAULT_MODEL
    assert resolve_model("minilm") == str(packaged_minilm_path())
    monkeypatch.setenv("FACULYTICS_EMBED_MODEL", "minilm")
    assert resolve_model() == str(packaged_minilm_path())


def test_resolve_cache_dir_precedence(monkeypatch, tmp_path):
    volume = tmp_path / "runpod-volume"
    monkeypatch.setattr(cache_module, "RUNPOD_VOLUME", volume)
    monkeypatch.delenv("FACULYTICS_CACHE_DIR", raising=False)
    import platformdirs

    assert resolve_cache_dir() == platformdirs.user_cache_path("faculytics")
    volume.mkdir()
    assert resolve_cache_dir() == volume / "faculytics-cache"
    monkeypatch.setenv("FACULYTICS_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_cache_dir(str(tmp_path / "arg")) == tmp_path / "arg"


def test_pick_device_prefers_the_request_then_cuda():
    import torch

    assert pick_device("cpu") == "cpu"
    assert pick_device("cuda:1") == "cuda:1"
    if torch.cuda.is_available():
        assert pick_device() == "cuda"
    else:
        assert pick_device() in {"mps", "cpu"}


def test_fingerprint_is_stable_and_differs_between_models(tiny_model, other_tiny_model, tmp_path):
    first = model_fingerprint(tiny_model)
    fingerprint_module._DIGESTS.clear()  # as a new process would
    assert model_fingerprint(tiny_model) == first
    assert len(first) == 32
    assert model_fingerprint(other_tiny_model) != first
    assert model_fingerprint(packaged_minilm_path()) not in {
        first,
        model_fingerprint(other_tiny_model),
    }

    # Any changed weight byte changes it, even with the same size (the header is untouched).
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    assert model_fingerprint(copy) == first
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert model_fingerprint(copy) != first


def test_fingerprint_sidecar_is_remembered_and_invalidated(tiny_model, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(tiny_model, copy)
    memo = tmp_path / "memo"
    first = model_fingerprint(copy, memo_dir=memo)
    (sidecar,) = memo.glob("*.json")
    assert json.loads(sidecar.read_text())["fingerprint"] == first
    assert not (copy / fingerprint_module.SIDECAR_NAME).exists()  # model folders stay untouched

    fingerprint_module._DIGESTS.clear()
    config = copy / "config.json"
    text = config.read_text()
    config.write_text(text.replace('"hidden_act"', '"hidden_act" ', 1))  # new size and mtime
    changed = model_fingerprint(copy, memo_dir=memo)
    assert changed != first  # the stale sidecar entry was not trusted


def _copy_model(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_folder_needing_remote_code_is_refused(tiny_model, tmp_path):
    folder = _copy_model(tiny_model, tmp_path / "custom")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "modeling_evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsafeModelError, match=r"trust_remote_code.*auto_map"):
        check_model_folder(folder)
    with pytest.raises(UnsafeModelError, match="trust_remote_code"):
        Embedder(folder, use_cache=False)

    modules = _copy_model(tiny_model, tmp_path / "custom-module")
    listing = json.loads((modules / "modules.json").read_text())
    listing[1]["type"] = "evil_package.Pooling"
    (modules / "modules.json").write_text(json.dumps(listing))
    with pytest.raises(UnsafeModelError, match=r"custom module type 'evil_package\.Pooling'"):
        check_model_folder(modules)


def test_folder_with_only_pickle_weights_is_refused(tiny_model, tmp_path):
    folder = _copy_model(tiny_model, tmp_path / "pickled")
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(UnsafeModelError, match=r"pickles only \(pytorch_model.bin\)"):
        check_model_folder(folder)
    with pytest.raises(UnsafeModelError):
        Embedder(folder, use_cache=False)

    # Pickles beside safetensors are tolerated (never loaded) and do not change the fingerprint.
    both = _copy_model(tiny_model, tmp_path / "both")
    (both / "pytorch_model.bin").write_bytes(b"never read")
    check_model_folder(both)
    assert model_fingerprint(both) == model_fingerprint(tiny_model)


def test_missing_model_folder_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        Embedder(tmp_path / "nowhere", use_cache=False)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_local_folder_loads_without_any_network(tiny_model, tmp_path, no_network):
    embedder = Embedder(tiny_model, cache_dir=tmp_path)
    assert embedder.encode(["offline"]).shape == (1, 32)
    minilm = Embedder("minilm", use_cache=False)
    assert minilm.dimension == 384
    assert no_network == []


def test_hub_name_uses_the_local_snapshot_without_network(
    tiny_model, tmp_path, monkeypatch, no_network
):
    from huggingface_hub import constants

    hub = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = hub / "models--faculytics--tiny"
    shutil.copytree(tiny_model, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)

    embedder = Embedder("faculytics/tiny", use_cache=False)
    assert embedder.model_folder == (repo / "snapshots" / commit).resolve()
    assert embedder.fingerprint == model_fingerprint(tiny_model)
    with pytest.raises(FileNotFoundError, match="faculytics-embed download"):
        Embedder("faculytics/not-cached", use_cache=False)
    assert no_network == []
