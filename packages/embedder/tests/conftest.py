"""Session-wide real models for the embedder tests: built or loaded once, never downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from faculytics_embedder import Embedder
from faculytics_embedder.testing import build_tiny_model, packaged_minilm_path

# Short feedback in the three languages of the platform, with one exact repeat.
TEXTS = [
    "The teacher explains the lessons clearly.",
    "Maayo kaayo siya mo explain.",
    "Masyadong mabilis siyang magsalita.",
    "The exam was too difficult.",
    "Init kaayo ang classroom.",
    "The teacher explains the lessons clearly.",
    "",
]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 32-dim, 2-layer random BERT sentence-transformer folder."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def other_tiny_model(tmp_path_factory) -> Path:
    """A second model with the same dimension (32) as ``tiny_model`` but one layer."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-1layer") / "model", num_layers=1)


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    """The real all-MiniLM-L6-v2 (384-dim), uncached."""
    return Embedder(str(packaged_minilm_path()), device="cpu", use_cache=False)


@pytest.fixture
def texts() -> list[str]:
    return list(TEXTS)
