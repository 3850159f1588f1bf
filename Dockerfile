# Faculytics topic worker for RunPod serverless.
#
#   docker build -t faculytics-worker .          (from the repository root)
#   docker run --gpus all faculytics-worker      (or deploy the image as a RunPod endpoint)
#
# At the repository root because RunPod's Hub builds the Dockerfile it finds there (or in
# .runpod/). The build steps that matter live in packages/worker/docker/build_steps.py, which the
# tests run outside Docker.

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# torch's PyPI wheels carry their own CUDA 13 libraries (cuBLAS, cuDNN, NCCL ...), so the small
# "base" flavour (CUDA runtime and the container toolkit's driver hooks) is all the image needs;
# the "runtime" and "cudnn" flavours would ship those libraries a second time.
FROM nvidia/cuda:13.0.1-base-ubuntu24.04

COPY --from=uv /uv /uvx /usr/local/bin/

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_INSTALL_DIR=/opt/python \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
RUN uv python install 3.11

# 1. Third-party dependencies, from the lock only: rebuilt when a pyproject or uv.lock changes,
#    not when the source does.
COPY pyproject.toml uv.lock ./
COPY packages/contracts/pyproject.toml packages/contracts/
COPY packages/embedder/pyproject.toml packages/embedder/
COPY packages/clusterer/pyproject.toml packages/clusterer/
COPY packages/worker/pyproject.toml packages/worker/
RUN uv sync --frozen --no-dev --package faculytics-worker --no-install-workspace

# 2. The embedding model, baked with the embedder's own download command (safetensors, no
#    remote code) and verified offline. Only contracts and embedder are needed, so this ~2 GB
#    layer survives changes to the clusterer and worker.
COPY packages/contracts/ packages/contracts/
COPY packages/embedder/ packages/embedder/
COPY packages/worker/docker/build_steps.py /opt/build_steps.py
RUN uv sync --frozen --no-dev --no-editable --inexact --package faculytics-embedder \
 && python /opt/build_steps.py bake --model labse --to /models/labse

# 3. The rest of the source.
COPY packages/ packages/
RUN uv sync --frozen --no-dev --no-editable --package faculytics-worker

# 4. Compile UMAP's numba code into the image. A generic CPU target keeps the cached code valid
#    on whichever host CPU RunPod schedules the worker on (numba keys its cache by CPU).
ENV NUMBA_CACHE_DIR=/opt/numba-cache \
    NUMBA_CPU_NAME=generic
RUN python /opt/build_steps.py warm

# Run time: the baked model, never the network.
ENV FACULYTICS_EMBED_MODEL=/models/labse \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

CMD ["python", "-m", "faculytics_worker"]
