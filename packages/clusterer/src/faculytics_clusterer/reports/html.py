"""Render a :class:`ReportData` as one self-contained HTML page (plotly, JavaScript inlined).

The page loads nothing from the network: plotly.js is embedded once and every chart is an inline
``Plotly.newPlot`` call, so the file can be mailed or opened from a USB stick. Charts use SVG
traces (not WebGL), which render the same with or without a GPU.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from faculytics_clusterer.reports.data import ReportData, ReportTopic
from faculytics_clusterer.reports.targets import check_metrics
from faculytics_contracts import OUTLIER_TOPIC

OUTLIER_COLOUR = "#c8c8c8"
# Plotly's "Dark24" and "Light24" give 48 distinct colours; topics beyond that wrap around.
PALETTE = [
    "#2E91E5",
    "#E15F99",
    "#1CA71C",
    "#FB0D0D",
    "#DA16FF",
    "#222A2A",
    "#B68100",
    "#750D86",
    "#EB663B",
    "#511CFB",
    "#00A08B",
    "#FB00D1",
    "#FC0080",
    "#B2828D",
    "#6C7C32",
    "#778AAE",
    "#862A16",
    "#A777F1",
    "#620042",
    "#1616A7",
    "#DA60CA",
    "#6C4516",
    "#0D2A63",
    "#AF0038",
    "#FD3216",
    "#00FE35",
    "#6A76FC",
    "#FED4C4",
    "#FE00CE",
    "#0DF9FF",
    "#F6F926",
    "#FF9616",
    "#479B55",
    "#EEA6FB",
    "#DC587D",
    "#D626FF",
    "#6E899C",
    "#00B5F7",
    "#B68E00",
    "#C9FBE5",
    "#FF0092",
    "#22FFA7",
    "#E3EE9E",
    "#86CE00",
    "#BC7196",
    "#7E7DCD",
    "#FC6955",
    "#E48F72",
]

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}

# Shows a banner when any script fails (a chart that did not draw), instead of a silent gap.
_ERROR_HOOK = """<script>
window.__reportErrors = [];
window.addEventListener("error", function (event) {
  window.__reportErrors.push(String(event.message));
  document.documentElement.setAttribute("data-report-errors", window.__reportErrors.length);
  var banner = document.getElementById("report-errors");
  if (banner) { banner.hidden = false; banner.textContent = "Some charts failed: " +
    window.__reportErrors.join("; "); }
});
</script>"""

_STYLE = """<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1100px; padding: 1.5rem; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
td, th { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #11701f; font-weight: 600; } .missed { color: #b3261e; font-weight: 600; }
.topic { border: 1px solid #e4e4e4; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
.topic h3 { margin: .2rem 0; } .muted { color: #666; }
.quotes li { margin: .3rem 0; } #report-errors { background: #fde7e9; padding: .5rem; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
</style>"""


def topic_colour(index: int) -> str:
    """Colour of a topic on every chart (outliers grey)."""
    return OUTLIER_COLOUR if index == OUTLIER_TOPIC else PALETTE[index % len(PALETTE)]


def _figure_html(figure: go.Figure, div_id: str, *, toolbar: bool = True) -> str:
    return pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={**_PLOT_CONFIG, "displayModeBar": toolbar},
        validate=True,
    )


def map_figure(data: ReportData, coordinates: np.ndarray) -> go.Figure:
    """Scatter of ``coordinates`` (ndarray of shape (n_documents, 2)), one trace per topic."""
    figure = go.Figure()
    labels = {topic.index: topic.label for topic in data.topics}
    for index in [OUTLIER_TOPIC, *sorted(labels)]:
        rows = np.flatnonzero(data.doc_topics == index)
        if len(rows) == 0:
            continue
        hover = [html.escape(_shorten(data.texts[i], 160)) for i in rows]
        figure.add_trace(
            go.Scatter(
                x=coordinates[rows, 0].round(4).tolist(),
                y=coordinates[rows, 1].round(4).tolist(),
                mode="markers",
                name=labels.get(index, "outliers"),
                marker={"size": 5, "color": topic_colour(index), "opacity": 0.8},
                text=hover,
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        height=620,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        legend={"itemsizing": "constant"},
        plot_bgcolor="white",
        title="Comments by topic (2-D UMAP of the embeddings)",
    )
    return figure


def keyword_figure(topic: ReportTopic) -> go.Figure:
    """Horizontal bars: share of the topic's comments containing each keyword (rank order)."""
    figure = go.Figure(
        go.Bar(
            x=[round(100 * share, 1) for share in reversed(topic.keyword_shares)],
            y=list(reversed(topic.keywords)),
            orientation="h",
            marker_color=topic_colour(topic.index),
            hovertemplate="%{y}: in %{x}% of the topic's comments<extra></extra>",
        )
    )
    figure.update_layout(
        height=60 + 24 * max(len(topic.keywords), 1),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        # Scaled to the topic's own words: shares are often a few percent, and a fixed 0-100
        # axis would leave every bar a sliver. The axis labels keep the numbers honest.
        xaxis={"title": "% of the topic's comments containing it", "rangemode": "tozero"},
        yaxis={"automargin": True},
        plot_bgcolor="white",
    )
    return figure


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "n/a"


def _metrics_table(data: ReportData) -> str:
    rows = []
    for check in check_metrics(data.metrics):
        verdict = "met" if check["met"] else "missed"
        rows.append(
            f"<tr><td>{html.escape(check['label'])}</td>"
            f"<td class='num'>{_number(check['value'])}</td>"
            f"<td>{html.escape(check['target'])}</td>"
            f"<td class='{verdict}'>{verdict}</td>"
            f"<td class='muted'>{html.escape(check['meaning'])}</td></tr>"
        )
    return (
        "<table id='metrics'><tr><th>Metric</th><th>Value</th><th>Target</th><th></th>"
        "<th>Meaning</th></tr>" + "".join(rows) + "</table>"
    )


def _params_table(data: ReportData) -> str:
    if not data.params:
        return "<p class='muted'>The source did not record the parameters used.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(json.dumps(value))}</td></tr>"
        for name, value in data.params.items()
    )
    return f"<table id='params'><tr><th>Parameter</th><th>Value</th></tr>{rows}</table>"


def _topic_section(data: ReportData, topic: ReportTopic, total: int) -> str:
    share = 100 * topic.doc_count / total if total else 0.0
    facts = [f"{topic.doc_count} comments ({share:.1f}%)"]
    if topic.aspect is not None:
        aspect = html.escape(topic.aspect)
        if topic.is_emergent:
            aspect += " (emergent)"
        if topic.aspect_similarity is not None:
            aspect += f", similarity {topic.aspect_similarity:.2f}"
        facts.append(f"aspect: <b>{aspect}</b>")
    mmr = (
        f"<p class='muted'>MMR keywords: {html.escape(', '.join(topic.keywords_mmr))}</p>"
        if topic.keywords_mmr
        else ""
    )
    quotes = "".join(f"<li>{html.escape(text)}</li>" for text in topic.representative)
    return (
        f"<section class='topic' id='topic-{topic.index}'>"
        f"<h3 style='color:{topic_colour(topic.index)}'>{html.escape(topic.label)}</h3>"
        f"<p>{' · '.join(facts)}</p>"
        "<div class='grid'><div>"
        + _figure_html(keyword_figure(topic), f"keywords-{topic.index}", toolbar=False)
        + f"</div><div><b>Representative comments</b><ul class='quotes'>{quotes}</ul>{mmr}"
        "</div></div></section>"
    )


def render_html(data: ReportData, coordinates: np.ndarray) -> str:
    """The whole page as a string.

    Parameters
    ----------
    data : ReportData
    coordinates : ndarray of shape (n_documents, 2)
        The 2-D document map, rows aligned with ``data.texts``.
    """
    total = len(data.texts)
    outliers = data.outlier_count
    skipped = (
        f" {len(data.skipped)} comment(s) were skipped by the worker and are not shown."
        if data.skipped
        else ""
    )
    mode = "guided (academic aspects)" if data.guided else "unguided"
    body = [
        f"<h1>{html.escape(data.title)}</h1>",
        f"<p class='muted'>{total} comments · {len(data.topics)} topics · {outliers} outliers"
        f" ({100 * outliers / total if total else 0:.1f}%) · {mode}.{skipped}</p>",
        "<div id='report-errors' hidden></div>",
        "<h2>Quality against targets</h2>",
        _metrics_table(data),
        "<h2>Document map</h2>",
        _figure_html(map_figure(data, coordinates), "document-map"),
        "<h2>Topics</h2>",
        *(_topic_section(data, topic, total) for topic in data.topics),
        "<h2>Parameters used</h2>",
        _params_table(data),
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(data.title)}</title>{_STYLE}{_ERROR_HOOK}"
        f"<script>{get_plotlyjs()}</script></head><body>" + "\n".join(body) + "</body></html>"
    )
