"""The sweep's table: one row per run, sorted by a chosen metric, written as CSV and Parquet."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from faculytics_clusterer.sweeps.grid import GridError
from faculytics_clusterer.sweeps.plan import PlannedRun
from faculytics_contracts import CONTRACT_VERSION, Metrics, TopicModelResponse

if TYPE_CHECKING:
    from faculytics_clusterer import TopicResult

METRIC_COLUMNS = tuple(Metrics.model_fields)
# Lower is better for these; every other sortable column is "higher is better".
ASCENDING_COLUMNS = frozenset({"outlier_ratio", "wall_seconds"})
SORTABLE_COLUMNS = (*METRIC_COLUMNS, "n_topics", "wall_seconds")
SORT_ALIASES = {
    "npmi": "npmi_coherence",
    "diversity": "topic_diversity",
    "outliers": "outlier_ratio",
    "silhouette": "silhouette_score",
    "coherence": "embedding_coherence",
    "topics": "n_topics",
    "time": "wall_seconds",
}

TABLE_FILE = "sweep.csv"
PARQUET_FILE = "sweep.parquet"
MANIFEST_FILE = "sweep.json"
RUNS_DIR = "runs"


def resolve_sort_column(name: str) -> str:
    """``"npmi"`` -> ``"npmi_coherence"``; :class:`GridError` naming the choices otherwise."""
    column = SORT_ALIASES.get(name, name)
    if column not in SORTABLE_COLUMNS:
        choices = ", ".join([*SORTABLE_COLUMNS, *SORT_ALIASES])
        raise GridError(f"Cannot sort a sweep by {name!r}; choose one of {choices}.")
    return column


@dataclass
class RunRecord:
    """What one run produced: its result, or why it produced none."""

    planned: PlannedRun
    wall_seconds: float
    result: TopicResult | None = None
    status: str = "ok"
    error: str | None = None
    umap_reused: bool | None = None

    def row(self, swept: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = {"run_id": self.planned.run_id}
        for name in swept:
            row[name] = getattr(self.planned.params, name)
        row["umap_setting"] = self.planned.umap_label
        result = self.result
        row["n_topics"] = len(result.topics) if result is not None else 0
        metrics = result.metrics.model_dump() if result is not None else {}
        for name in METRIC_COLUMNS:
            row[name] = float(metrics[name]) if name in metrics else np.nan
        row["wall_seconds"] = round(self.wall_seconds, 3)
        row["umap_reused"] = self.umap_reused
        row["status"] = self.status
        row["error"] = self.error or ""
        return row


@dataclass
class SweepResult:
    """Runs of a sweep and their table.

    Attributes
    ----------
    records : list of RunRecord
        The runs that were started, in plan order.
    not_run : list of PlannedRun
        Runs never started because ``budget_seconds`` ran out.
    swept : list of str
        The parameters the table shows a column for.
    sort_by : str
        The column :attr:`table` is sorted by (best first).
    embed_seconds, total_seconds : float
    reduction_stats : dict
        The UMAP cache's counters over the sweep (``computed`` = reductions actually run).
    """

    records: list[RunRecord]
    not_run: list[PlannedRun]
    swept: list[str]
    sort_by: str
    embed_seconds: float = 0.0
    total_seconds: float = 0.0
    budget_seconds: float | None = None
    reduction_stats: dict[str, int] = field(default_factory=dict)

    @property
    def stopped_early(self) -> bool:
        return bool(self.not_run)

    @property
    def results(self) -> dict[str, TopicResult]:
        """run id -> TopicResult of every run that produced topics."""
        return {r.planned.run_id: r.result for r in self.records if r.result is not None}

    @property
    def table(self) -> pd.DataFrame:
        """One row per started run, best first by :attr:`sort_by` (failed runs last)."""
        frame = pd.DataFrame([record.row(self.swept) for record in self.records])
        if frame.empty:
            return frame
        for name in self.swept:
            # "auto" beside integers (nr_topics) makes a column Parquet cannot type; text can.
            if len({type(value) for value in frame[name]}) > 1:
                frame[name] = frame[name].map(str)
        return frame.sort_values(
            [self.sort_by, "run_id"],
            ascending=[self.sort_by in ASCENDING_COLUMNS, True],
            na_position="last",
            kind="stable",
        ).reset_index(drop=True)

    def summary(self) -> str:
        """Printable table plus a line on what ran, what the budget stopped and UMAP reuse."""
        table = self.table
        shown = table.drop(columns=["error"]) if not table.empty else table
        lines = [shown.to_string(index=False, float_format=lambda v: f"{v:.4f}")]
        done = len(self.records)
        planned = done + len(self.not_run)
        line = f"{done}/{planned} runs finished in {self.total_seconds:.1f}s"
        line += f" (embedding {self.embed_seconds:.1f}s)"
        if self.reduction_stats:
            line += f"; UMAP reductions computed: {self.reduction_stats.get('computed', '?')}"
        lines.append(line)
        if self.not_run:
            names = ", ".join(run.run_id for run in self.not_run)
            lines.append(
                f"budget of {self.budget_seconds:g}s ran out: not started {names}"
                if self.budget_seconds is not None
                else f"not started: {names}"
            )
        return "\n".join(lines)

    def write(
        self,
        directory: str | Path,
        *,
        ids: list[str] | None = None,
        manifest: dict[str, Any] | None = None,
    ) -> dict[str, Path]:
        """Write ``sweep.csv``, ``sweep.parquet``, ``sweep.json`` and ``runs/<id>.json``.

        Each run file is a complete ``TopicModelResponse`` payload (the worker's wire format), so
        ``faculytics-topics report`` reads a sweep run and a worker response alike. ``ids`` are the
        corpus ids (submissionIds) for those payloads; without them no run files are written.
        ``manifest`` adds fields (corpus path, columns, model) to ``sweep.json``.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        table = self.table
        paths = {"csv": directory / TABLE_FILE, "parquet": directory / PARQUET_FILE}
        table.to_csv(paths["csv"], index=False)
        table.to_parquet(paths["parquet"], index=False)
        runs: dict[str, Any] = {}
        for record in self.records:
            entry: dict[str, Any] = {
                "params": record.planned.params.model_dump(mode="json"),
                "umap_setting": record.planned.umap_label,
                "status": record.status,
            }
            if record.result is not None:
                entry["params_used"] = record.result.params_used.model_dump(mode="json")
                if ids is not None:
                    run_path = directory / RUNS_DIR / f"{record.planned.run_id}.json"
                    run_path.parent.mkdir(exist_ok=True)
                    response = TopicModelResponse(
                        version=CONTRACT_VERSION,
                        status="completed",
                        completed_at=datetime.now(UTC),
                        **record.result.to_response_fields(ids),
                    )
                    run_path.write_text(json.dumps(response.to_payload(), indent=1), "utf-8")
                    entry["response"] = f"{RUNS_DIR}/{run_path.name}"
            if record.error:
                entry["error"] = record.error
            runs[record.planned.run_id] = entry
        document = {
            **(manifest or {}),
            "sort_by": self.sort_by,
            "swept": self.swept,
            "budget_seconds": self.budget_seconds,
            "embed_seconds": round(self.embed_seconds, 3),
            "total_seconds": round(self.total_seconds, 3),
            "reduction_stats": self.reduction_stats,
            "runs": runs,
            "not_run": {run.run_id: run.params.model_dump(mode="json") for run in self.not_run},
        }
        paths["manifest"] = directory / MANIFEST_FILE
        paths["manifest"].write_text(json.dumps(document, indent=1), encoding="utf-8")
        return paths
