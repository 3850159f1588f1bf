"""The RunPod handler: a thin shell over :class:`faculytics_worker.engine.TopicEngine`.

RunPod calls ``handler(job)`` with ``{"id": ..., "input": {...}}`` and returns what it gives back
as the job's ``output``. Input problems come back as a completed job whose output has
``status: "failed"``; an exception (infrastructure fault) makes RunPod report the job FAILED,
which the Faculytics API retries.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from faculytics_worker.engine import TopicEngine


@cache
def default_engine() -> TopicEngine:
    """The process's engine, configured from the environment and loaded on first use."""
    return TopicEngine.from_env().preflight()


def make_handler(engine: TopicEngine) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A RunPod handler bound to an already loaded engine."""

    def handler(job: dict[str, Any]) -> dict[str, Any]:
        return engine.run(job.get("input"), str(job.get("id", "unknown")))

    return handler


def handler(job: dict[str, Any]) -> dict[str, Any]:
    """RunPod handler using :func:`default_engine`."""
    return make_handler(default_engine())(job)
