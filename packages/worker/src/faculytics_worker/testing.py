"""Helpers for testing the worker: the id-accounting check and a local RunPod API server.

:class:`LocalWorker` starts the real worker process, ``python -m faculytics_worker
--rp_serve_api``, which serves the RunPod SDK's own development API (``POST /runsync``,
``/run``, ``/status/{id}``) on a loopback port, and talks to it over HTTP with the standard
library, the way the Faculytics API talks to a RunPod endpoint.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from faculytics_contracts import OUTLIER_TOPIC, TopicModelResponse


def check_accounting(request: dict[str, Any], response: dict[str, Any]) -> TopicModelResponse:
    """Assert that every incoming submissionId ends in exactly one place.

    A completed response puts each id in exactly one assignment (outliers: topicIndex -1,
    counted in outlierCount) or in ``skipped``. A failed response carries an error code and a
    message, assigns nothing, and may only list ids of the request as skipped. Returns the
    validated response.
    """
    parsed = TopicModelResponse.model_validate(response)
    incoming = [item["submissionId"] for item in request["items"]]
    assigned = [a.submission_id for a in parsed.assignments or []]
    skipped = [s.submission_id for s in parsed.skipped or []]
    placed = Counter(assigned) + Counter(skipped)
    twice = sorted(sid for sid, count in placed.items() if count > 1)
    assert not twice, f"ids placed more than once: {twice[:10]}"
    unknown = sorted(set(placed) - set(incoming))
    assert not unknown, f"ids in the response that the request did not send: {unknown[:10]}"
    if parsed.status == "completed":
        lost = [sid for sid in incoming if sid not in placed]
        assert not lost, f"ids neither assigned nor skipped: {lost[:10]}"
        outliers = sum(a.topic_index == OUTLIER_TOPIC for a in parsed.assignments)
        assert parsed.outlier_count == outliers, (parsed.outlier_count, outliers)
        sizes = Counter(a.topic_index for a in parsed.assignments if a.topic_index >= 0)
        indexes = {t.topic_index for t in parsed.topics}
        assert set(sizes) <= indexes, f"assignments to unknown topics: {set(sizes) - indexes}"
    else:
        assert parsed.error_code is not None and parsed.error_message
        assert parsed.assignments is None and parsed.topics is None, "a failed job assigned ids"
    return parsed


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalWorker:
    """``python -m faculytics_worker --rp_serve_api`` on a free loopback port.

    Parameters
    ----------
    env : dict
        Extra environment for the worker (``FACULYTICS_EMBED_MODEL``, ``FACULYTICS_CACHE_DIR``,
        ...), added to the current environment.
    log_path : Path
        File that receives the worker's stdout and stderr.
    startup_timeout : float
        Seconds to wait for the model to load and the server to answer.
    """

    def __init__(
        self, env: dict[str, str], log_path: Path, *, startup_timeout: float = 240.0
    ) -> None:
        self.env = env
        self.log_path = Path(log_path)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> LocalWorker:
        command = [
            sys.executable,
            "-m",
            "faculytics_worker",
            "--rp_serve_api",
            "--rp_api_host",
            "127.0.0.1",
            "--rp_api_port",
            str(self.port),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"worker exited with status {self.process.returncode}:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/openapi.json", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"worker not ready after {self.startup_timeout}s:\n{self.log()}")

    def post(self, path: str, body: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
        """POST JSON to the worker's API; returns the decoded JSON reply."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return json.loads(reply.read())

    def runsync(self, job_input: Any, timeout: float = 300.0) -> dict[str, Any]:
        """``POST /runsync {"input": job_input}``: RunPod's ``{id, status, output | error}``."""
        return self.post("/runsync", {"input": job_input}, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> LocalWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
