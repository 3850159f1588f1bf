"""Shared, expensive fixtures of the worker tests: one engine on the packaged MiniLM model."""

from __future__ import annotations

import pytest

from faculytics_clusterer.datasets import load_sample_feedback
from faculytics_embedder.testing import packaged_minilm_path
from faculytics_worker.engine import TopicEngine


@pytest.fixture(scope="session")
def minilm_path():
    return packaged_minilm_path()


@pytest.fixture(scope="session")
def engine(tmp_path_factory, minilm_path):
    """A loaded engine on the real all-MiniLM-L6-v2 (384-dim), CPU, with its own cache folder."""
    cache = tmp_path_factory.mktemp("engine-cache")
    return TopicEngine(str(minilm_path), cache_dir=cache, device="cpu", warm=False).preflight()


@pytest.fixture(scope="session")
def sample():
    return load_sample_feedback()


@pytest.fixture(scope="session")
def small_request(sample):
    """A 60-comment texts-only request: every fifth comment of the sample (all themes)."""
    rows = list(range(0, len(sample.ids), 5))[:60]
    return {
        "items": [{"submissionId": sample.ids[i], "text": sample.texts[i]} for i in rows],
    }
