"""Order a grid's runs so that runs sharing one UMAP setting follow each other.

The reduction itself is reused by the pipeline's UMAP cache (keyed by the embeddings and the UMAP
parameters); the plan only makes that reuse visible and keeps the cache's in-memory copy hot.
Grouping uses the parameters the pipeline will really use after its small-corpus scaling, so two
requested neighbourhood sizes that scale to the same value count as one setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from faculytics_clusterer.pipeline import scale_params
from faculytics_clusterer.sweeps.grid import ParameterGrid
from faculytics_contracts import TopicParams

# Parameters that decide the UMAP reduction: its two sizes, and guided mode, whose seeding moves
# the embeddings UMAP receives. Runs equal in these share one (cached) reduction.
REDUCTION_PARAMETERS = ("umap_n_neighbors", "umap_n_components", "tier1_guided")

Setting = tuple[tuple[str, int | bool], ...]


@dataclass(frozen=True)
class PlannedRun:
    """One combination of a sweep.

    Attributes
    ----------
    run_id : str
        Stable name ("r01", "r02", ...) in plan order; used for file names and ``--run``.
    params : TopicParams
        The parameters as the grid asked for them.
    umap_setting : tuple of (name, value) pairs
        The effective reduction parameters (after small-corpus scaling) of this run.
    umap_group : int
        0-based index of ``umap_setting`` among the sweep's distinct settings.
    """

    run_id: str
    params: TopicParams
    umap_setting: Setting
    umap_group: int

    @property
    def umap_label(self) -> str:
        """``"n_neighbors=15 n_components=10"``, plus ``" guided"`` for guided runs."""
        setting = dict(self.umap_setting)
        label = (
            f"n_neighbors={setting['umap_n_neighbors']} n_components={setting['umap_n_components']}"
        )
        return label + (" guided" if setting["tier1_guided"] else "")


def _effective_umap(params: TopicParams, n_documents: int) -> Setting:
    used = scale_params(params, n_documents)
    return tuple((name, getattr(used, name)) for name in REDUCTION_PARAMETERS)


def plan_runs(
    grid: ParameterGrid, n_documents: int, base: TopicParams | None = None
) -> list[PlannedRun]:
    """Every grid combination, grouped by effective UMAP setting (first-seen order).

    Within a group the grid's own order is kept, so a plan is the same for the same grid.
    """
    combos = grid.combinations(base)
    settings = [_effective_umap(params, n_documents) for params in combos]
    groups: dict[tuple[tuple[str, int | bool], ...], int] = {}
    for setting in settings:
        groups.setdefault(setting, len(groups))
    order = sorted(range(len(combos)), key=lambda i: (groups[settings[i]], i))
    width = max(2, len(str(len(combos))))
    return [
        PlannedRun(
            run_id=f"r{position + 1:0{width}d}",
            params=combos[i],
            umap_setting=settings[i],
            umap_group=groups[settings[i]],
        )
        for position, i in enumerate(order)
    ]
