"""Self-contained HTML reports of a topic model (plotly, JavaScript inlined) with a PNG map.

>>> data = ReportData.from_result(result, texts, embeddings)       # doctest: +SKIP
>>> write_report(data, "report.html", cache=reduction_cache)      # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from faculytics_clusterer.reduction import ReductionCache
from faculytics_clusterer.reports.data import ReportData, ReportTopic, keyword_share
from faculytics_clusterer.reports.html import render_html
from faculytics_clusterer.reports.layout import document_map
from faculytics_clusterer.reports.png import write_map_png
from faculytics_clusterer.reports.targets import METRIC_TARGETS, MetricTarget, check_metrics


def write_report(
    data: ReportData,
    path: str | Path,
    *,
    cache: ReductionCache | None = None,
    random_state: int = 42,
    png: bool = True,
) -> dict[str, Path]:
    """Write ``path`` (the HTML page) and, when ``png``, the map as ``<stem>.png`` beside it.

    The 2-D layout comes from ``cache`` when it holds one for these embeddings.
    Returns ``{"html": ..., "png": ...}``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    coordinates = document_map(data.embeddings, cache=cache, random_state=random_state)
    path.write_text(render_html(data, coordinates), encoding="utf-8")
    paths = {"html": path}
    if png:
        paths["png"] = write_map_png(data, coordinates, path.with_suffix(".png"))
    return paths


__all__ = [
    "METRIC_TARGETS",
    "MetricTarget",
    "ReportData",
    "ReportTopic",
    "check_metrics",
    "document_map",
    "keyword_share",
    "render_html",
    "write_map_png",
    "write_report",
]
