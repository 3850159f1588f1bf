"""HTML reports: content, self-containment, the PNG map, the cached layout, and real rendering.

The page is opened in headless Chromium (Debian's ``chromium``): every plotly chart must have drawn
its SVG and the browser must log nothing to the console. A screenshot is kept under the test's tmp
folder and copied to ``$FACULYTICS_ARTIFACTS`` when set. Without a Chromium binary the rendering
tests skip, unless ``FACULYTICS_REQUIRE_CHROMIUM=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from faculytics_clusterer import ReductionCache, TopicPipeline
from faculytics_clusterer.datasets import load_sample_feedback
from faculytics_clusterer.reports import (
    METRIC_TARGETS,
    ReportData,
    check_metrics,
    document_map,
    keyword_share,
    write_report,
)
from faculytics_contracts import (
    CONTRACT_VERSION,
    JobInputError,
    Metrics,
    TopicModelResponse,
    TopicParams,
)
from faculytics_embedder import Embedder
from faculytics_embedder.testing import packaged_minilm_path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


# ---------------------------------------------------------------- targets and helpers


def test_targets_are_the_five_metrics_with_their_bounds():
    assert [t.metric for t in METRIC_TARGETS] == list(Metrics.model_fields)
    bounds = {t.metric: (t.direction, t.bound) for t in METRIC_TARGETS}
    assert bounds == {
        "npmi_coherence": (">", 0.1),
        "topic_diversity": (">", 0.7),
        "outlier_ratio": ("<", 0.2),
        "silhouette_score": (">", 0.0),
        "embedding_coherence": (">", 0.5),
    }


def test_check_metrics_is_strict_at_the_bound_and_fails_nan():
    checks = check_metrics(
        {
            "npmi_coherence": 0.1,  # on the bound: not above it
            "topic_diversity": 0.71,
            "outlier_ratio": 0.19,
            "silhouette_score": math.nan,
            "embedding_coherence": 0.2,
        }
    )
    assert {c["metric"]: c["met"] for c in checks} == {
        "npmi_coherence": False,
        "topic_diversity": True,
        "outlier_ratio": True,
        "silhouette_score": False,
        "embedding_coherence": False,
    }


def test_keyword_share_counts_whole_words_and_bigrams():
    texts = ["Good teacher, very clear", "the teacher is good", "teaching is goodness"]
    assert keyword_share("good teacher", texts) == pytest.approx(1 / 3)
    assert keyword_share("teacher", texts) == pytest.approx(2 / 3)
    assert keyword_share("good", texts) == pytest.approx(2 / 3)  # not "goodness"
    assert keyword_share("anything", []) == 0.0


# ---------------------------------------------------------------- a real guided model


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A guided fit of 120 sample comments (MiniLM): texts, ids, embeddings, result."""
    cache = tmp_path_factory.mktemp("report-cache")
    embedder = Embedder(str(packaged_minilm_path()), cache_dir=cache, device="cpu")
    sample = load_sample_feedback()
    rows = list(range(1, len(sample.ids), 2))[:120]
    texts = [sample.texts[i] for i in rows]
    ids = [sample.ids[i] for i in rows]
    embeddings = embedder.encode(texts)
    params = TopicParams(min_topic_size=5, tier1_guided=True)
    result = TopicPipeline(params, embedder=embedder, cache_dir=cache).fit(texts, embeddings)
    return {"ids": ids, "texts": texts, "embeddings": embeddings, "result": result, "cache": cache}


@pytest.fixture(scope="module")
def report(model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    data = ReportData.from_result(
        model["result"], model["texts"], model["embeddings"], ids=model["ids"], title="Sample"
    )
    cache = ReductionCache(folder / "umap")
    paths = write_report(data, folder / "report.html", cache=cache)
    return {"data": data, "paths": paths, "cache": cache, "html": paths["html"].read_text()}


def test_report_shows_metrics_topics_aspects_and_params(model, report):
    result, page = model["result"], report["html"]
    assert result.guided and len(result.topics) >= 2
    for check in check_metrics(result.metrics):
        assert f"{check['value']:.4f}" in page
        assert html.escape(check["target"]) in page
    for topic in result.topics:
        assert f"id='topic-{topic.index}'" in page
        assert f"{topic.doc_count} comments" in page
        assert f"aspect: <b>{topic.aspect}" in page
    # Representative comments are members of their topic.
    data = report["data"]
    for topic in data.topics:
        members = {model["texts"][i] for i in np.flatnonzero(result.doc_topics == topic.index)}
        assert topic.representative and set(topic.representative) <= members
    assert "<td>min_topic_size</td><td>5</td>" in page
    assert "<td>tier1_guided</td><td>true</td>" in page


def test_report_is_one_self_contained_file(report):
    page = report["html"]
    assert "<script src" not in page and "<link" not in page
    outside_scripts = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", outside_scripts)
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js inlined


def test_png_map_is_written_beside_the_html(report):
    from matplotlib.image import imread

    png = report["paths"]["png"]
    assert png == report["paths"]["html"].with_suffix(".png")
    image = imread(png)
    assert image.shape[0] > 400 and image.shape[1] > 600
    colours = np.unique(image.reshape(-1, image.shape[-1]).round(2), axis=0)
    assert len(colours) > len(report["data"].topics)  # topics drawn, not a blank canvas


def test_map_layout_comes_from_the_reduction_cache(model, report):
    cache = report["cache"]
    assert cache.stats.misses == 1 and cache.stats.writes == 1
    first = document_map(model["embeddings"], cache=cache)
    assert cache.stats.memory_hits == 1 and cache.stats.misses == 1
    # A new process (a fresh cache object on the same folder) reads the file, same layout.
    again = document_map(model["embeddings"], cache=ReductionCache(cache.directory))
    assert first.shape == (len(model["texts"]), 2)
    np.testing.assert_array_equal(first, again)


def _payload(result, ids):
    return TopicModelResponse(
        version=CONTRACT_VERSION,
        status="completed",
        completed_at="2026-01-01T00:00:00Z",
        **result.to_response_fields(ids),
    ).to_payload()


def test_report_from_a_response_aligns_comments_by_submission_id(model, report):
    result, ids, texts = model["result"], model["ids"], model["texts"]
    payload = _payload(result, ids)
    # The corpus in another order: alignment must go by id, not by row.
    order = np.arange(len(ids))[::-1]
    data = ReportData.from_response(
        {"output": payload},
        [ids[i] for i in order],
        [texts[i] for i in order],
        model["embeddings"][order],
    )
    expected = report["data"]
    assert data.ids == ids and data.texts == texts
    np.testing.assert_array_equal(data.doc_topics, result.doc_topics)
    assert [t.keywords for t in data.topics] == [t.keywords for t in expected.topics]
    assert [t.representative for t in data.topics] == [t.representative for t in expected.topics]
    assert [t.aspect for t in data.topics] == [t.aspect for t in expected.topics]
    assert data.guided and data.params is None
    assert data.metrics == pytest.approx(
        {k: round(v, 4) for k, v in result.metrics.model_dump().items()}, abs=1e-4
    )


def test_report_from_a_response_refuses_a_corpus_without_its_ids(model):
    payload = _payload(model["result"], model["ids"])
    with pytest.raises(
        JobInputError, match=re.escape("2 submissionId(s) the corpus does not have")
    ):
        ReportData.from_response(
            payload, model["ids"][2:], model["texts"][2:], model["embeddings"][2:]
        )
    failed = {"status": "failed", "errorCode": "no_topics", "errorMessage": "BERTopic produced 0"}
    with pytest.raises(JobInputError, match=re.escape("status 'failed': BERTopic produced 0")):
        ReportData.from_response(failed, [], [], np.zeros((0, 2)))


# ---------------------------------------------------------------- headless Chromium


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("FACULYTICS_REQUIRE_CHROMIUM") == "1":
        pytest.fail("Chromium is required (FACULYTICS_REQUIRE_CHROMIUM=1) but not installed")
    pytest.skip("no Chromium binary (Debian: apt-get install -y chromium)")


def _run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        # Virtual time lets every inline script and plotly's async drawing finish first.
        "--virtual-time-budget=20000",
        "--hide-scrollbars",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


class _PlotlyDivs(HTMLParser):
    """Which plotly chart divs of a rendered DOM contain an ``svg.main-svg``."""

    def __init__(self) -> None:
        super().__init__()
        self.drawn: dict[str, bool] = {}
        self._stack: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "svg" and "main-svg" in classes:
            for chart in self._stack:
                if chart is not None:
                    self.drawn[chart] = True
        if tag in ("svg", "div"):
            chart = attributes.get("id") if "plotly-graph-div" in classes else None
            if chart is not None:
                self.drawn.setdefault(chart, False)
            if tag == "div":
                self._stack.append(chart)

    def handle_endtag(self, tag):
        if tag == "div" and self._stack:
            self._stack.pop()


def test_report_renders_its_charts_in_headless_chromium(report, tmp_path):
    page = report["paths"]["html"]
    dumped = _run_chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    console = [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "the page logged to the browser console:\n" + "\n".join(console)
    dom = dumped.stdout
    assert not re.search(r"<html[^>]*data-report-errors", dom)
    charts = _PlotlyDivs()
    charts.feed(dom)
    topics = report["data"].topics
    expected = {"document-map", *(f"keywords-{t.index}" for t in topics)}
    assert set(charts.drawn) == expected
    assert all(charts.drawn.values()), f"charts without SVG: {charts.drawn}"
    # The map's legend was drawn with every topic's label.
    legend = set(re.findall(r'class="legendtext"[^>]*>([^<]*)<', dom))
    assert {t.label for t in topics} <= legend

    screenshot = tmp_path / "report-screenshot.png"
    shot = _run_chromium(
        page, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,3000"
    )
    assert shot.returncode == 0 and screenshot.stat().st_size > 20_000, shot.stderr[-2000:]
    artifacts = os.environ.get("FACULYTICS_ARTIFACTS")
    if artifacts:
        target = Path(artifacts) / "report"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, target / screenshot.name)
        shutil.copy(page, target / page.name)
        shutil.copy(report["paths"]["png"], target / "report-map.png")


def test_a_broken_chart_is_caught(report, tmp_path):
    """The rendering check itself can fail: a page whose script throws is reported."""
    broken = tmp_path / "broken.html"
    broken.write_text(report["html"].replace("Plotly.newPlot(", "Plotly.noSuchCall(", 1))
    dumped = _run_chromium(broken, tmp_path / "profile", "--dump-dom")
    assert any(":CONSOLE" in line and "Uncaught" in line for line in dumped.stderr.splitlines())
    assert re.search(r'<html[^>]*data-report-errors="1"', dumped.stdout)
    charts = _PlotlyDivs()
    charts.feed(dumped.stdout)
    assert charts.drawn["document-map"] is False
