"""The topic engine: one loaded embedding model serving many topic-model jobs.

The RunPod handler and the ``faculytics-topics`` command line both call
:meth:`TopicEngine.run`, so a job gives the same answer whichever way it arrives.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from faculytics_contracts import JobInputError, TopicModelResponse
from faculytics_embedder import MODEL_ENV
from faculytics_worker import __version__
from faculytics_worker.validation import ValidatedJob, validate_job

logger = logging.getLogger(__name__)

#: Environment variables the worker reads itself. The model ($FACULYTICS_EMBED_MODEL) and cache
#: folder ($FACULYTICS_CACHE_DIR) are resolved by the embedder when not given.
ENV_WARM = "FACULYTICS_WARM"
#: TEST-ONLY. When set, a job containing this submissionId raises a RuntimeError in its embed
#: stage, standing in for an infrastructure fault (GPU out of memory, a lost volume) so the
#: end-to-end tests can check that such faults reach RunPod as FAILED jobs. Never set it in a
#: deployment.
ENV_TEST_FAULT = "FACULYTICS_TEST_FAULT_SUBMISSION_ID"


class ModelLoadError(RuntimeError):
    """The embedding model could not be loaded; the worker must not take jobs."""


class TopicEngine:
    """Validate, embed and model topic jobs with one embedding model loaded once.

    Parameters
    ----------
    model : str, optional
        Model path, hub name or alias ("labse", "minilm"); ``None`` means
        ``$FACULYTICS_EMBED_MODEL`` or the embedder's default (LaBSE).
    cache_dir : str or Path, optional
        Folder of the embedding and UMAP caches; ``None`` means the embedder's default
        (``$FACULYTICS_CACHE_DIR``, the RunPod volume when mounted, else the user cache).
    device : str, optional
        Torch device; ``None`` lets the embedder choose (CUDA, MPS, CPU).
    show_progress_bar : bool
        Progress bars on embedding and modelling (the command line turns them on).
    warm : bool
        Compile UMAP's numba code during :meth:`preflight` rather than in the first job.
    random_state : int
        Seed of every random step; the same request gives the same answer.
    fault_submission_id : str, optional
        TEST-ONLY fault injection, see :data:`ENV_TEST_FAULT`.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        cache_dir: str | Path | None = None,
        device: str | None = None,
        show_progress_bar: bool = False,
        warm: bool = True,
        random_state: int = 42,
        fault_submission_id: str | None = None,
    ) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.device = device
        self.show_progress_bar = show_progress_bar
        self.warm = warm
        self.random_state = random_state
        self.fault_submission_id = fault_submission_id
        self.version = __version__
        self.embedder_ = None
        self.last_timings_: dict[str, float] = {}
        self.last_result_ = None

    @classmethod
    def from_env(cls, **overrides: Any) -> TopicEngine:
        """An engine configured from the worker's environment variables."""
        settings: dict[str, Any] = {
            "warm": os.environ.get(ENV_WARM, "1").strip().lower() not in {"0", "false", "no"},
            "fault_submission_id": os.environ.get(ENV_TEST_FAULT) or None,
        }
        settings.update(overrides)
        return cls(**settings)

    # ------------------------------------------------------------------ start-up
    def preflight(self) -> TopicEngine:
        """Load the embedding model (and warm numba) before any job is taken.

        Raises
        ------
        ModelLoadError
            The model is missing or unreadable; the message names it and how to set it.
        """
        if self.embedder_ is not None:
            return self
        from faculytics_embedder import Embedder, resolve_model

        started = time.perf_counter()
        name = resolve_model(self.model)
        if _looks_like_path(name) and not Path(name).exists():
            raise ModelLoadError(
                f"Embedding model folder {name} does not exist. Point {MODEL_ENV} (or --model) "
                "at a model folder (bake one with `faculytics-embed download --to DIR`), or use "
                "'minilm' for the packaged offline model."
            )
        try:
            self.embedder_ = Embedder(
                name,
                cache_dir=self.cache_dir,
                device=self.device,
                show_progress_bar=self.show_progress_bar,
            )
        except Exception as error:
            offline = os.environ.get("HF_HUB_OFFLINE", "") not in {"", "0"}
            hint = " (HF_HUB_OFFLINE is set: hub names must already be cached)" if offline else ""
            raise ModelLoadError(
                f"Could not load embedding model {name!r}{hint}: {error}. Set {MODEL_ENV} "
                "(or --model) to a baked model folder, e.g. /models/labse, or 'minilm'."
            ) from error
        embedder = self.embedder_
        logger.info(
            "stage=load_model model=%s dim=%d device=%s cache_dir=%s seconds=%.2f",
            embedder.model_name,
            embedder.dimension,
            embedder.device,
            embedder.cache_dir,
            time.perf_counter() - started,
        )
        if self.warm:
            from faculytics_worker.warmup import warm_numba

            warm_numba(self.random_state)
        return self

    @property
    def embedder(self):
        """The loaded :class:`faculytics_embedder.Embedder` (loads it on first use)."""
        return self.preflight().embedder_

    # ---------------------------------------------------------------------- jobs
    def run(self, payload: Any, job_id: str = "local") -> dict[str, Any]:
        """Answer one job: the ``output`` payload of a :class:`TopicModelResponse`.

        Input problems come back as ``status: "failed"`` with ``errorCode`` and
        ``errorMessage``; anything else (an infrastructure fault) is logged with the job id and
        re-raised so RunPod reports the job FAILED and the API retries it.
        """
        embedder = self.embedder
        started = time.perf_counter()
        self.last_timings_ = {}
        job: ValidatedJob | None = None
        stage = "validate"
        try:
            with _Stage(self.last_timings_, "validate") as timer:
                job = validate_job(payload, embedder.dimension)
            logger.info(
                "job=%s stage=validate items=%d modelled=%d provided_embeddings=%d skipped=%d "
                "seconds=%.3f",
                job_id,
                len(job.submission_ids),
                len(job.ids),
                int((~job.needs_embedding).sum()),
                len(job.skipped),
                timer.seconds,
            )
            stage = "embed"
            embeddings = self._embed(job, job_id)
            stage = "fit"
            response = self._fit(job, embeddings, job_id)
        except JobInputError as error:
            logger.info(
                "job=%s stage=%s status=failed code=%s seconds=%.3f",
                job_id,
                stage,
                error.code.value,
                time.perf_counter() - started,
            )
            failed = TopicModelResponse.failed(self.version, error.code, error.message)
            if job is not None and job.skipped:
                # Say which items were set aside even though the job as a whole failed.
                failed = failed.model_copy(update={"skipped": job.skipped})
            return failed.to_payload()
        except Exception:
            logger.exception("job=%s stage=%s infrastructure fault; re-raising", job_id, stage)
            raise
        payload_out = response.to_payload()
        logger.info(
            "job=%s status=completed topics=%d outliers=%d skipped=%d seconds=%.3f",
            job_id,
            len(response.topics or []),
            response.outlier_count,
            len(response.skipped or []),
            time.perf_counter() - started,
        )
        return payload_out

    def _embed(self, job: ValidatedJob, job_id: str) -> np.ndarray:
        """Fill the rows of items that came without an embedding. Shape (n_model, dim)."""
        if self.fault_submission_id is not None and self.fault_submission_id in job.ids:
            raise RuntimeError(
                f"injected infrastructure fault ({ENV_TEST_FAULT}={self.fault_submission_id}); "
                "test-only"
            )
        embeddings = job.embeddings
        rows = np.flatnonzero(job.needs_embedding)
        if rows.size:
            with _Stage(self.last_timings_, "embed") as timer:
                vectors = self.embedder.encode([job.texts[row] for row in rows])
                embeddings[rows] = vectors
            stats = self.embedder.last_stats
            logger.info(
                "job=%s stage=embed texts=%d cache_hits=%d cache_misses=%d seconds=%.3f",
                job_id,
                rows.size,
                stats.hits,
                stats.misses,
                timer.seconds,
            )
        return embeddings

    def _fit(self, job: ValidatedJob, embeddings: np.ndarray, job_id: str) -> TopicModelResponse:
        from faculytics_clusterer import TopicPipeline

        pipeline = TopicPipeline(
            job.params,
            embedder=self.embedder,
            # None: the embedder's cache folder, or no UMAP cache when the embedder has none.
            cache_dir=None,
            random_state=self.random_state,
            show_progress_bar=self.show_progress_bar,
        )
        with _Stage(self.last_timings_, "fit") as timer:
            result = pipeline.fit(job.texts, embeddings)
        for name, seconds in result.timings.items():
            logger.info("job=%s stage=fit.%s seconds=%.3f", job_id, name, seconds)
            self.last_timings_[f"fit.{name}"] = seconds
        logger.info(
            "job=%s stage=fit documents=%d dim=%d topics=%d seconds=%.3f",
            job_id,
            embeddings.shape[0],
            embeddings.shape[1],
            len(result.topics),
            timer.seconds,
        )
        self.last_result_ = result
        fields = result.to_response_fields(job.ids)
        return TopicModelResponse(
            version=self.version,
            status="completed",
            completed_at=datetime.now(UTC),
            skipped=job.skipped,
            **fields,
        )


class _Stage:
    """Times a block and records the seconds under ``name``."""

    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings = timings
        self.name = name
        self.seconds = 0.0

    def __enter__(self) -> _Stage:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._started
        self.timings[self.name] = self.seconds


def _looks_like_path(name: str) -> bool:
    # Hub names ("sentence-transformers/LaBSE") contain a slash too; only an absolute or
    # explicitly relative name is surely meant as a folder.
    return name.startswith(("/", "./", "../", "~"))
