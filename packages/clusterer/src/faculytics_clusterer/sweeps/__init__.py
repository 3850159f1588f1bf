"""Parameter sweeps: fit every combination of a grid over one corpus and tabulate the metrics.

Embedding happens once (through the Embedder's cache) and runs sharing a UMAP setting reuse one
reduction (through the pipeline's UMAP cache); see :class:`ParameterSweep`.
"""

from faculytics_clusterer.sweeps.corpus import Corpus, CorpusError, read_corpus
from faculytics_clusterer.sweeps.grid import GridError, ParameterGrid
from faculytics_clusterer.sweeps.plan import REDUCTION_PARAMETERS, PlannedRun, plan_runs
from faculytics_clusterer.sweeps.result import (
    MANIFEST_FILE,
    PARQUET_FILE,
    RUNS_DIR,
    SORTABLE_COLUMNS,
    TABLE_FILE,
    RunRecord,
    SweepResult,
    resolve_sort_column,
)
from faculytics_clusterer.sweeps.runner import ParameterSweep, cache_counters

__all__ = [
    "MANIFEST_FILE",
    "PARQUET_FILE",
    "REDUCTION_PARAMETERS",
    "RUNS_DIR",
    "SORTABLE_COLUMNS",
    "TABLE_FILE",
    "Corpus",
    "CorpusError",
    "GridError",
    "ParameterGrid",
    "ParameterSweep",
    "PlannedRun",
    "RunRecord",
    "SweepResult",
    "cache_counters",
    "plan_runs",
    "read_corpus",
    "resolve_sort_column",
]
