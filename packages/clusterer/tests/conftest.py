"""Session-wide fixtures of the clusterer tests: real models, embeddings and fits computed once.

Fits are the expensive part (UMAP's numba compilation happens once per session), so tests share
fitted results and only fit again when the behaviour under test is the fit itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from faculytics_clusterer import TopicPipeline
from faculytics_clusterer.datasets import load_sample_feedback
from faculytics_contracts import TopicParams
from faculytics_embedder import Embedder
from faculytics_embedder.testing import build_tiny_model, packaged_minilm_path

# The 310-comment sample has nine themes of ~35 comments: topics of at least 10 comments with a
# 15-neighbour UMAP separate them (the 20/15 defaults are tuned for thousands of comments).
SAMPLE_PARAMS = TopicParams(min_topic_size=10, umap_n_neighbors=15, hdbscan_min_samples=3)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> str:
    return str(build_tiny_model(tmp_path_factory.mktemp("tiny-model")))


@pytest.fixture(scope="session")
def tiny_embedder(tiny_model_dir, tmp_path_factory) -> Embedder:
    return Embedder(tiny_model_dir, cache_dir=tmp_path_factory.mktemp("tiny-cache"), device="cpu")


@pytest.fixture(scope="session")
def minilm(tmp_path_factory) -> Embedder:
    """The real all-MiniLM-L6-v2 (384-dim) with its own cache folder."""
    cache = tmp_path_factory.mktemp("minilm-cache")
    return Embedder(str(packaged_minilm_path()), cache_dir=cache, device="cpu")


@pytest.fixture(scope="session")
def sample():
    return load_sample_feedback()


@pytest.fixture(scope="session")
def sample_embeddings(sample, minilm) -> np.ndarray:
    return minilm.encode(sample.texts)


@pytest.fixture(scope="session")
def umap_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pipeline-cache")


@pytest.fixture(scope="session")
def sample_result(sample, sample_embeddings, minilm, umap_cache_dir):
    """Non-guided fit of the whole sample (cold UMAP cache)."""
    pipeline = TopicPipeline(SAMPLE_PARAMS, embedder=minilm, cache_dir=umap_cache_dir)
    return pipeline.fit(sample.texts, sample_embeddings)


@pytest.fixture(scope="session")
def guided_result(sample, sample_embeddings, minilm, umap_cache_dir):
    params = SAMPLE_PARAMS.model_copy(update={"tier1_guided": True, "min_topic_size": 8})
    pipeline = TopicPipeline(params, embedder=minilm, cache_dir=umap_cache_dir)
    return pipeline.fit(sample.texts, sample_embeddings)
