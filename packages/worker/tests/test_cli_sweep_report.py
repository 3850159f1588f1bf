"""``faculytics-topics sweep`` and ``report`` end to end on the packaged MiniLM model.

A CSV corpus with its own column names is swept over four combinations (two UMAP settings), a
second sweep on the same cache folder must read both reductions from disk, and reports are drawn
from a sweep run and from a response + corpus.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from faculytics_contracts import TopicModelResponse
from faculytics_worker.cli import main

GRID = ["min_topic_size=4,6", "umap_n_neighbors=8,12", "nr_topics=auto"]


@pytest.fixture(scope="module")
def corpus_csv(tmp_path_factory):
    from faculytics_clusterer.datasets import load_sample_feedback

    sample = load_sample_feedback()
    rows = list(range(0, len(sample.ids), 4))
    path = tmp_path_factory.mktemp("cli-corpus") / "comments.csv"
    pd.DataFrame(
        {"comment_id": [sample.ids[i] for i in rows], "comment": [sample.texts[i] for i in rows]}
    ).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def common(minilm_path, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cli-cache")
    return ["--model", str(minilm_path), "--cache-dir", str(cache), "--quiet"]


@pytest.fixture(scope="module")
def swept(corpus_csv, common, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-sweep")
    status = main(
        [
            "sweep",
            str(corpus_csv),
            "--grid",
            *GRID,
            "--text-column",
            "comment",
            "--id-column",
            "comment_id",
            "--sort-by",
            "outliers",
            "-o",
            str(out),
            *common,
        ]
    )
    return status, out


def test_sweep_writes_the_sorted_table_and_run_responses(swept, corpus_csv):
    status, out = swept
    assert status == 0
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4 and set(table["status"]) == {"ok"}
    assert list(table["outlier_ratio"]) == sorted(table["outlier_ratio"])
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "sweep.parquet")[["run_id", "n_topics"]],
        table[["run_id", "n_topics"]],
    )
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["reduction_stats"]["computed"] == 2
    ids = pd.read_csv(corpus_csv, dtype=str)["comment_id"].tolist()
    assert manifest["sort_by"] == "outlier_ratio" and manifest["n_documents"] == len(ids)
    response = TopicModelResponse.model_validate_json((out / "runs" / "r01.json").read_text())
    assert [a.submission_id for a in response.assignments] == ids


def test_a_second_sweep_reads_every_reduction_from_the_cache_folder(
    swept, corpus_csv, common, tmp_path
):
    args = ["sweep", str(corpus_csv), "--grid", *GRID, "--text-column", "comment"]
    assert main([*args, "--id-column", "comment_id", "-o", str(tmp_path), *common]) == 0
    stats = json.loads((tmp_path / "sweep.json").read_text())["reduction_stats"]
    assert stats["computed"] == 0 and stats["disk_hits"] == 2
    # Same numbers for every run, whether UMAP ran or the cache file answered.
    volatile = ["wall_seconds", "umap_reused"]
    again = pd.read_csv(tmp_path / "sweep.csv").drop(columns=volatile).sort_values("run_id")
    first = pd.read_csv(swept[1] / "sweep.csv").drop(columns=volatile).sort_values("run_id")
    pd.testing.assert_frame_equal(again.reset_index(drop=True), first.reset_index(drop=True))


def test_report_of_the_best_sweep_run(swept, common, tmp_path):
    _, out = swept
    best = pd.read_csv(out / "sweep.csv")["run_id"].iloc[0]
    html = tmp_path / "best.html"
    assert main(["report", "--sweep-dir", str(out), "-o", str(html), *common]) == 0
    page = html.read_text()
    assert f"Sweep run {best}" in page and "Plotly.newPlot" in page
    assert html.with_suffix(".png").stat().st_size > 10_000
    params = json.loads((out / "sweep.json").read_text())["runs"][best]["params_used"]
    assert f"<td>min_topic_size</td><td>{params['min_topic_size']}</td>" in page


def test_report_of_a_response_and_its_corpus(swept, corpus_csv, common, tmp_path):
    _, out = swept
    html = tmp_path / "r02.html"
    status = main(
        [
            "report",
            str(out / "runs" / "r02.json"),
            "--corpus",
            str(corpus_csv),
            "--text-column",
            "comment",
            "--id-column",
            "comment_id",
            "--no-png",
            "-o",
            str(html),
            *common,
        ]
    )
    assert status == 0 and html.is_file() and not html.with_suffix(".png").exists()
    response = json.loads((out / "runs" / "r02.json").read_text())
    for topic in response["topics"]:
        assert f"id='topic-{topic['topicIndex']}'" in html.read_text()


def test_budget_stops_the_sweep_after_the_first_run(corpus_csv, common, tmp_path, capsys):
    args = ["sweep", str(corpus_csv), "--grid", *GRID, "--text-column", "comment"]
    common_loud = [arg for arg in common if arg != "--quiet"]
    assert main([*args, "--budget", "0", "-o", str(tmp_path), *common_loud]) == 0
    manifest = json.loads((tmp_path / "sweep.json").read_text())
    assert list(manifest["runs"]) == ["r01"] and sorted(manifest["not_run"]) == [
        "r02",
        "r03",
        "r04",
    ]
    printed = capsys.readouterr().out
    assert "1/4 runs finished" in printed and "budget of 0s ran out" in printed


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--grid", "min_topic_size=0"], "min_topic_size=0: Input should be greater than 0"),
        (["--grid", "min_topic_sise=5"], "unknown parameter(s) 'min_topic_sise'"),
        (["--grid", "min_topic_size=5", "--sort-by", "best"], "Cannot sort a sweep by 'best'"),
        (["--grid", "min_topic_size=5", "--text-column", "body"], "no text column 'body'"),
        (["--grid", "min_topic_size=5", "--budget", "-1"], "--budget must be >= 0"),
    ],
)
def test_sweep_input_errors_exit_2_naming_the_problem(corpus_csv, tmp_path, capsys, argv, expected):
    # Input is checked before any model loads, so these need no --model.
    assert main(["sweep", str(corpus_csv), *argv, "-o", str(tmp_path)]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "sweep.csv").exists()


def test_report_input_errors_exit_2(swept, tmp_path, capsys):
    _, out = swept
    assert main(["report", "--sweep-dir", str(out), "--run", "r99", "-o", str(tmp_path / "x")]) == 2
    assert "has no run 'r99' (runs: r01, r02, r03, r04)" in capsys.readouterr().err
    assert main(["report", str(out / "runs" / "r01.json"), "-o", str(tmp_path / "x")]) == 2
    assert "--corpus is needed" in capsys.readouterr().err
