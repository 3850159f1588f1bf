"""Run every combination of a parameter grid over one corpus, embedding and reducing once.

The corpus is embedded once through the Embedder (and its cache). Each run is a plain
:class:`~faculytics_clusterer.TopicPipeline` fit, exactly what a worker job would do with those
parameters; runs that share a UMAP setting follow each other and the pipeline's reduction cache
serves the reduction after the first of them, so a sweep of N combinations over K settings runs
UMAP K times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from faculytics_clusterer.pipeline import TopicPipeline
from faculytics_clusterer.reduction import ReductionCache
from faculytics_clusterer.sweeps.grid import ParameterGrid
from faculytics_clusterer.sweeps.plan import PlannedRun, plan_runs
from faculytics_clusterer.sweeps.result import RunRecord, SweepResult, resolve_sort_column
from faculytics_contracts import JobInputError, TopicParams

logger = logging.getLogger(__name__)


class ParameterSweep:
    """Fit a topic pipeline for every combination of ``grid`` and tabulate the metrics.

    Parameters
    ----------
    grid : ParameterGrid
        The values to try; parameters it does not name keep ``base_params``.
    embedder : Embedder
        Embeds the corpus (once, through its cache) when no embeddings are given, and serves
        every keyword embedding the pipeline asks for.
    base_params : TopicParams, optional
        Parameters of every run before the grid's values are applied; contract defaults if None.
    sort_by : str, default "npmi_coherence"
        Column the table is sorted by, best first (``outlier_ratio`` and ``wall_seconds``
        ascending, the others descending); short names like ``"npmi"`` work too.
    budget_seconds : float, optional
        No further run starts once this many seconds have passed since :meth:`fit` began
        (embedding included); the first run always starts. The runs that finished are reported
        and the rest listed as not run. A run already going is never interrupted.
    cache_dir : str or Path, optional
        The pipeline's cache folder (its persistent UMAP cache).
    random_state : int, default 42
    show_progress_bar : bool, default False
        A bar with runs done and the estimated time left.
    """

    def __init__(
        self,
        grid: ParameterGrid,
        *,
        embedder: Any,
        base_params: TopicParams | None = None,
        sort_by: str = "npmi_coherence",
        budget_seconds: float | None = None,
        cache_dir: str | Path | None = None,
        random_state: int = 42,
        show_progress_bar: bool = False,
    ) -> None:
        self.grid = grid
        self.embedder = embedder
        self.base_params = base_params
        self.sort_by = sort_by
        self.budget_seconds = budget_seconds
        self.cache_dir = cache_dir
        self.random_state = random_state
        self.show_progress_bar = show_progress_bar

    def plan(self, n_documents: int) -> list[PlannedRun]:
        """The runs :meth:`fit` would start for a corpus of ``n_documents``, in order."""
        return plan_runs(self.grid, n_documents, self.base_params)

    def _pipeline(self, params: TopicParams, umap_cache: ReductionCache) -> TopicPipeline:
        return TopicPipeline(
            params,
            embedder=self.embedder,
            cache_dir=self.cache_dir,
            random_state=self.random_state,
            umap_cache=umap_cache,
        )

    def reduction_cache(self) -> ReductionCache:
        """A UMAP cache over the same folder a standalone pipeline would use.

        One instance serves every run of a sweep, so its in-memory copy answers runs after the
        first of a UMAP setting and its counters show how many reductions were computed.
        """
        return TopicPipeline(embedder=self.embedder, cache_dir=self.cache_dir).umap_cache

    def fit(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> SweepResult:
        """Run the sweep.

        Parameters
        ----------
        texts : sequence of str, length n_documents
        embeddings : ndarray of shape (n_documents, dim), optional
            Computed through the embedder when None.

        Returns
        -------
        SweepResult
            One record per started run (plan order) and the runs the budget left out.
        """
        sort_column = resolve_sort_column(self.sort_by)
        if self.budget_seconds is not None and self.budget_seconds < 0:
            raise ValueError(f"budget_seconds must be >= 0, got {self.budget_seconds}")
        texts = list(texts)
        start = time.perf_counter()
        if embeddings is None:
            embeddings = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        elif len(embeddings) != len(texts):
            raise ValueError(
                f"embeddings has {len(embeddings)} rows for {len(texts)} texts; they must match"
            )
        embed_seconds = time.perf_counter() - start
        planned = self.plan(len(texts))
        records: list[RunRecord] = []
        not_run: list[PlannedRun] = []
        umap_cache = self.reduction_cache()
        stats_before = cache_counters(umap_cache)
        bar = tqdm(total=len(planned), unit="run", desc="sweep", disable=not self.show_progress_bar)
        try:
            for position, run in enumerate(planned):
                elapsed = time.perf_counter() - start
                # The first run always starts: a sweep always has something to report.
                if position and self.budget_seconds is not None and elapsed >= self.budget_seconds:
                    not_run = planned[position:]
                    logger.warning(
                        "sweep budget of %.1fs used (%.1fs): %d of %d runs not started",
                        self.budget_seconds,
                        elapsed,
                        len(not_run),
                        len(planned),
                    )
                    break
                # tqdm's own estimate gives the time left for all runs; a budget may end sooner.
                postfix = f"{run.run_id} {run.umap_label}"
                if self.budget_seconds is not None:
                    postfix += f" budget left {max(0.0, self.budget_seconds - elapsed):.0f}s"
                bar.set_postfix_str(postfix)
                records.append(self._run(run, texts, embeddings, umap_cache))
                bar.update(1)
        finally:
            bar.close()
        stats_after = cache_counters(umap_cache)
        return SweepResult(
            records=records,
            not_run=not_run,
            swept=self.grid.swept or list(self.grid.values),
            sort_by=sort_column,
            embed_seconds=embed_seconds,
            total_seconds=time.perf_counter() - start,
            budget_seconds=self.budget_seconds,
            reduction_stats={
                key: stats_after.get(key, 0) - stats_before.get(key, 0) for key in stats_after
            },
        )

    def _run(
        self,
        run: PlannedRun,
        texts: list[str],
        embeddings: np.ndarray,
        umap_cache: ReductionCache,
    ) -> RunRecord:
        before = cache_counters(umap_cache)
        started = time.perf_counter()
        try:
            result = self._pipeline(run.params, umap_cache).fit(texts, embeddings)
        except JobInputError as error:
            # A combination that finds no topics is a finding of the sweep, not its end.
            logger.info("sweep run %s: %s", run.run_id, error.message)
            return RunRecord(
                planned=run,
                wall_seconds=time.perf_counter() - started,
                status=str(error.code),
                error=error.message,
                umap_reused=_reused(before, cache_counters(umap_cache)),
            )
        return RunRecord(
            planned=run,
            wall_seconds=time.perf_counter() - started,
            result=result,
            umap_reused=_reused(before, cache_counters(umap_cache)),
        )


def cache_counters(cache: ReductionCache) -> dict[str, int]:
    """A UMAP cache's counters; ``computed`` counts reductions UMAP actually ran (misses)."""
    stats = cache.stats
    return {
        "computed": stats.misses,
        "memory_hits": stats.memory_hits,
        "disk_hits": stats.disk_hits,
        "rejected": stats.rejected,
    }


def _reused(before: dict[str, int], after: dict[str, int]) -> bool:
    return after["computed"] == before["computed"]
