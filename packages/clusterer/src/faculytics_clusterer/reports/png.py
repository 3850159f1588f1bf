"""A PNG of the document map for places that cannot show HTML.

matplotlib's Agg backend draws it: pure Python + C, no browser, works offline and in CI
(plotly's own image export, kaleido, needs a Chrome install).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from faculytics_clusterer.reports.data import ReportData
from faculytics_clusterer.reports.html import topic_colour
from faculytics_contracts import OUTLIER_TOPIC

LEGEND_TOPICS = 12


def write_map_png(data: ReportData, coordinates: np.ndarray, path: str | Path) -> Path:
    """Draw ``coordinates`` (ndarray of shape (n_documents, 2)) coloured by topic into ``path``."""
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, no display backend needed.
    figure = Figure(figsize=(10, 7), dpi=110)
    axes = figure.add_subplot()
    labels = {topic.index: topic.label for topic in data.topics}
    by_size = sorted(data.topics, key=lambda t: (-t.doc_count, t.index))
    in_legend = {topic.index for topic in by_size[:LEGEND_TOPICS]}
    for index in [OUTLIER_TOPIC, *sorted(labels)]:
        rows = np.flatnonzero(data.doc_topics == index)
        if len(rows) == 0:
            continue
        label = labels.get(index, "outliers")
        axes.scatter(
            coordinates[rows, 0],
            coordinates[rows, 1],
            s=6,
            c=topic_colour(index),
            alpha=0.8,
            linewidths=0,
            label=label if index in in_legend or index == OUTLIER_TOPIC else None,
        )
    axes.set_axis_off()
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_title(f"{data.title}: {len(data.texts)} comments, {len(data.topics)} topics")
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, markerscale=2)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, format="png", metadata={"Software": None})
    return path
