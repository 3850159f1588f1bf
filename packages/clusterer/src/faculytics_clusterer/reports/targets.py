"""Quality targets of the five metrics: the one place they are written down.

The report, the sweep summary and the worker's demo summary all read :data:`METRIC_TARGETS`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class MetricTarget:
    """A metric (a ``Metrics`` field name) and the side of a bound it should be on."""

    metric: str
    label: str
    direction: Literal[">", "<"]
    bound: float
    meaning: str

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target; NaN never does."""
        compare = operator.gt if self.direction == ">" else operator.lt
        return math.isfinite(value) and compare(value, self.bound)

    @property
    def text(self) -> str:
        return f"{self.direction} {self.bound:g}"


METRIC_TARGETS: tuple[MetricTarget, ...] = (
    MetricTarget(
        "npmi_coherence",
        "NPMI coherence",
        ">",
        0.1,
        "keywords of a topic occur together in the comments",
    ),
    MetricTarget(
        "topic_diversity",
        "Topic diversity",
        ">",
        0.7,
        "share of distinct keywords over all topics' top-10 lists",
    ),
    MetricTarget(
        "outlier_ratio",
        "Outlier ratio",
        "<",
        0.2,
        "share of comments that fit no topic",
    ),
    MetricTarget(
        "silhouette_score",
        "Silhouette",
        ">",
        0.0,
        "topics separate in the embedding space",
    ),
    MetricTarget(
        "embedding_coherence",
        "Embedding coherence",
        ">",
        0.5,
        "keywords of a topic mean similar things",
    ),
)


def check_metrics(metrics: Mapping[str, float] | Any) -> list[dict[str, Any]]:
    """Each target with its value and whether it is met.

    ``metrics`` is a ``Metrics`` model or a mapping of its field names (wire aliases are the same
    names) to numbers. Returns one dict per target: metric, label, value, target, met, meaning.
    """
    values = metrics.model_dump() if hasattr(metrics, "model_dump") else dict(metrics)
    rows = []
    for target in METRIC_TARGETS:
        value = float(values.get(target.metric, math.nan))
        rows.append(
            {
                "metric": target.metric,
                "label": target.label,
                "value": value,
                "target": target.text,
                "met": target.met(value),
                "meaning": target.meaning,
            }
        )
    return rows
