"""Parameter sweeps: grid parsing, run planning, UMAP reuse, budget, the table, determinism.

The fitting tests run the real pipeline (UMAP, HDBSCAN, BERTopic, gensim) on 120 comments of the
bundled sample embedded with the packaged all-MiniLM-L6-v2; one sweep is shared by the module.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from faculytics_clusterer import TopicPipeline
from faculytics_clusterer.datasets import load_sample_feedback
from faculytics_clusterer.sweeps import (
    CorpusError,
    GridError,
    ParameterGrid,
    ParameterSweep,
    plan_runs,
    read_corpus,
    resolve_sort_column,
)
from faculytics_contracts import TopicModelResponse, TopicParams
from faculytics_embedder import Embedder
from faculytics_embedder.arrow import write_embeddings
from faculytics_embedder.testing import packaged_minilm_path

# Four runs over two UMAP settings; nr_topics fixed so every run is cheap.
GRID_ARGS = ["min_topic_size=5,8", "umap_n_neighbors=10,15", "nr_topics=auto"]


# ---------------------------------------------------------------- grid parsing (no fitting)


def test_grid_from_args_parses_values_through_the_contract():
    grid = ParameterGrid.from_args(
        ["min_topic_size=10,15,25", "nr_topics=10,20,auto", "umap_n_neighbors=15,20"]
    )
    assert grid.values == {
        "min_topic_size": (10, 15, 25),
        "nr_topics": (10, 20, "auto"),
        "umap_n_neighbors": (15, 20),
    }
    assert len(grid) == 18
    combos = grid.combinations()
    assert len({c.model_dump_json() for c in combos}) == 18
    # Parameters the grid does not name keep the contract's defaults.
    assert {c.hdbscan_min_samples for c in combos} == {TopicParams().hdbscan_min_samples}


def test_single_valued_parameters_are_fixed_not_swept():
    grid = ParameterGrid.from_args(["min_topic_size=5,8", "tier1_guided=true", "mmr_diversity=0.3"])
    assert grid.swept == ["min_topic_size"]
    assert all(c.tier1_guided and c.mmr_diversity == 0.3 for c in grid.combinations())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["min_topic_sise=10"], "unknown parameter(s) 'min_topic_sise'"),
        (["min_topic_size=0"], "min_topic_size=0: Input should be greater than 0"),
        (["nr_topics=many"], "nr_topics='many'"),
        (["min_topic_size=2.5"], "min_topic_size=2.5"),
        (["umap_n_neighbors=1"], "umap_n_neighbors=1: Input should be greater than or equal to 2"),
        (["match_threshold=1.5"], "match_threshold=1.5"),
        (["tier1_guided=1"], "tier1_guided=1: expected true or false"),
        (["min_topic_size=true"], "min_topic_size=True: expected a number"),
        (["min_topic_size"], "'min_topic_size' is not NAME=VALUE"),
        (["min_topic_size=5,,8"], "has an empty value"),
        (["min_topic_size=5,5"], "min_topic_size repeats 5"),
        (["min_topic_size=5", "min_topic_size=8"], "min_topic_size is given twice"),
    ],
)
def test_grid_errors_name_the_parameter_and_value(args, expected):
    with pytest.raises(GridError) as caught:
        ParameterGrid.from_args(args)
    assert expected in str(caught.value)
    assert caught.value.code == "invalid_request"


def test_grid_from_toml(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(
        '[grid]\nmin_topic_size = [10, 15]\nnr_topics = [10, "auto"]\ntier1_guided = false\n'
    )
    grid = ParameterGrid.from_toml(path)
    assert grid.values["nr_topics"] == (10, "auto")
    assert grid.values["tier1_guided"] == (False,)
    assert len(grid) == 4
    # Parameters may also sit at the top level.
    path.write_text("umap_n_neighbors = [15, 20]\n")
    assert ParameterGrid.from_toml(path).values == {"umap_n_neighbors": (15, 20)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[grid]\nmin_topic_size = [10, -1]\n", "min_topic_size=-1"),
        ("[grid]\nnr_topic = [10]\n", "unknown parameter(s) 'nr_topic'"),
        ("[grid]\nmin_topic_size = [10]\n[sweep]\nx = 1\n", "unexpected top-level key(s) 'sweep'"),
        ("[grid]\nmin_topic_size = [10\n", "Invalid grid file"),
        ("[grid]\n", "names no parameters"),
        ("[grid]\nmin_topic_size = []\n", "min_topic_size has no values"),
    ],
)
def test_grid_file_errors(tmp_path, text, expected):
    path = tmp_path / "grid.toml"
    path.write_text(text)
    with pytest.raises(GridError) as caught:
        ParameterGrid.from_toml(path)
    assert expected in str(caught.value)


def test_sort_column_aliases_and_errors():
    assert resolve_sort_column("npmi") == "npmi_coherence"
    assert resolve_sort_column("outlier_ratio") == "outlier_ratio"
    with pytest.raises(GridError, match="Cannot sort a sweep by 'quality'"):
        resolve_sort_column("quality")


# ---------------------------------------------------------------- planning (no fitting)


def test_plan_groups_runs_sharing_a_umap_setting():
    grid = ParameterGrid.from_args(["umap_n_neighbors=15,20", "min_topic_size=10,15,25"])
    # Grid order alternates neighbourhood sizes fastest in the last name; the plan groups them.
    plan = plan_runs(grid, n_documents=1000)
    groups = [run.umap_group for run in plan]
    assert groups == sorted(groups) and set(groups) == {0, 1}
    assert [run.run_id for run in plan] == [f"r{i:02d}" for i in range(1, 7)]
    for run in plan:
        assert dict(run.umap_setting)["umap_n_neighbors"] == run.params.umap_n_neighbors


def test_plan_groups_by_the_scaled_setting_the_pipeline_will_use():
    grid = ParameterGrid.from_args(["umap_n_neighbors=15,20", "min_topic_size=5,8"])
    # Under 100 documents both sizes scale down to max(5, 40 // 4) = 10: one reduction.
    plan = plan_runs(grid, n_documents=40)
    assert {run.umap_group for run in plan} == {0}
    assert {run.umap_label for run in plan} == {"n_neighbors=10 n_components=5"}
    # Guided seeding changes what UMAP sees, so guided runs are a setting of their own.
    guided = ParameterGrid.from_args(["tier1_guided=true,false"])
    assert len({run.umap_group for run in plan_runs(guided, 1000)}) == 2


# ---------------------------------------------------------------- corpus files (no fitting)


def _frame():
    return pd.DataFrame(
        {"id": ["007", "a2", "a3"], "text": ["maayo kaayo", "late lagi si sir", "clear lessons"]}
    )


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".arrow"])
def test_read_corpus_formats(tmp_path, suffix):
    frame = _frame()
    path = tmp_path / f"corpus{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        table = pa.Table.from_pandas(frame)
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    corpus = read_corpus(path)
    assert corpus.ids == ["007", "a2", "a3"]  # "007" stays a string id
    assert corpus.texts == frame["text"].tolist()
    assert corpus.embeddings is None


def test_read_corpus_from_the_embedders_arrow_file_keeps_vectors_and_model(tmp_path):
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = write_embeddings(
        tmp_path / "e.arrow",
        ["a", "b", "c"],
        ["x y", "y z", "z x"],
        vectors,
        model_name="minilm-test",
        fingerprint="f" * 16,
    )
    corpus = read_corpus(path)
    assert corpus.ids == ["a", "b", "c"]
    np.testing.assert_array_equal(corpus.embeddings, vectors)
    assert corpus.model_name == "minilm-test"


def test_read_corpus_from_a_request_json_keeps_params(tmp_path):
    path = tmp_path / "request.json"
    request = {
        "items": [
            {"submissionId": "s1", "text": "good", "embedding": [1.0, 0.0]},
            {"submissionId": "s2", "text": "bad", "embedding": [0.0, 1.0]},
        ],
        "params": {"min_topic_size": 7},
    }
    path.write_text(json.dumps({"input": request}))
    corpus = read_corpus(path)
    assert corpus.ids == ["s1", "s2"] and corpus.params == {"min_topic_size": 7}
    assert corpus.embeddings.shape == (2, 2)


@pytest.mark.parametrize(
    ("rows", "kwargs", "expected"),
    [
        ({"id": ["a"], "body": ["x"]}, {}, "has no text column"),
        (
            {"id": ["a"], "text": ["x"]},
            {"text_column": "comment_text"},
            "no text column 'comment_text'",
        ),
        ({"id": ["a", "b", "c"], "text": ["x", " ", "y"]}, {}, "1 blank text(s): id(s) 'b'"),
        ({"id": ["a", "a", "c"], "text": ["x", "y", "z"]}, {}, "repeated: 'a'"),
    ],
)
def test_read_corpus_errors_name_the_rows(tmp_path, rows, kwargs, expected):
    path = tmp_path / "corpus.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(CorpusError) as caught:
        read_corpus(path, **kwargs)
    assert expected in str(caught.value)


def test_read_corpus_refuses_ragged_or_non_finite_embeddings(tmp_path):
    path = tmp_path / "corpus.jsonl"
    rows = [
        {"id": "a", "text": "x", "embedding": [0.1, 0.2]},
        {"id": "b", "text": "y", "embedding": [0.1, 0.2, 0.3]},
        {"id": "c", "text": "z", "embedding": [0.3, 0.1]},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    with pytest.raises(CorpusError, match=re.escape("must all have 2 values; id(s) 'b' differ")):
        read_corpus(path)
    with pytest.raises(CorpusError, match=re.escape("unknown file type '.txt'")):
        read_corpus(tmp_path / "corpus.txt")


# ---------------------------------------------------------------- fitting


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    cache = tmp_path_factory.mktemp("sweep-embed-cache")
    return Embedder(str(packaged_minilm_path()), cache_dir=cache, device="cpu")


@pytest.fixture(scope="module")
def corpus(embedder):
    sample = load_sample_feedback()
    rows = list(range(0, len(sample.ids), 2))[:120]
    texts = [sample.texts[i] for i in rows]
    return [sample.ids[i] for i in rows], texts, embedder.encode(texts)


@pytest.fixture(scope="module")
def sweep_result(embedder, corpus, tmp_path_factory):
    _, texts, embeddings = corpus
    sweep = ParameterSweep(
        ParameterGrid.from_args(GRID_ARGS),
        embedder=embedder,
        sort_by="npmi",
        cache_dir=tmp_path_factory.mktemp("sweep-umap-cache"),
    )
    return sweep.fit(texts, embeddings)


def test_runs_sharing_a_umap_setting_reduce_once(sweep_result):
    # 4 runs over 2 settings: UMAP ran twice, the cache answered the other two from memory.
    assert sweep_result.reduction_stats["computed"] == 2
    assert sweep_result.reduction_stats["memory_hits"] == 2
    records = sweep_result.records
    assert [r.planned.umap_group for r in records] == [0, 0, 1, 1]
    assert [r.umap_reused for r in records] == [False, True, False, True]
    assert all(r.status == "ok" and r.result is not None for r in records)
    assert all(r.result.details["umap_cache_hit"] == r.umap_reused for r in records)


def test_table_is_sorted_by_the_chosen_metric(sweep_result):
    table = sweep_result.table
    assert len(table) == 4
    assert list(table["npmi_coherence"]) == sorted(table["npmi_coherence"], reverse=True)
    by_outliers = dataclasses.replace(sweep_result, sort_by="outlier_ratio").table
    assert list(by_outliers["outlier_ratio"]) == sorted(by_outliers["outlier_ratio"])
    for column in (
        "run_id",
        "min_topic_size",
        "umap_n_neighbors",
        "n_topics",
        "outlier_ratio",
        "npmi_coherence",
        "topic_diversity",
        "silhouette_score",
        "embedding_coherence",
        "wall_seconds",
    ):
        assert column in table.columns
    # Each row carries its own run's numbers.
    for row in table.itertuples():
        result = sweep_result.results[row.run_id]
        assert row.n_topics == len(result.topics)
        assert row.outlier_ratio == pytest.approx(result.metrics.outlier_ratio)


def test_sweep_writes_csv_parquet_and_run_responses(sweep_result, corpus, tmp_path):
    ids, _, _ = corpus
    paths = sweep_result.write(tmp_path / "out", ids=ids, manifest={"corpus": "sample"})
    from_csv = pd.read_csv(paths["csv"])
    from_parquet = pd.read_parquet(paths["parquet"])
    assert list(from_csv["run_id"]) == list(sweep_result.table["run_id"])
    assert list(from_parquet["run_id"]) == list(sweep_result.table["run_id"])
    np.testing.assert_allclose(from_parquet["npmi_coherence"], from_csv["npmi_coherence"])
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["corpus"] == "sample" and manifest["reduction_stats"]["computed"] == 2
    for run_id, entry in manifest["runs"].items():
        payload = json.loads((tmp_path / "out" / entry["response"]).read_text())
        response = TopicModelResponse.model_validate(payload)
        assert [a.submission_id for a in response.assignments] == ids
        assert len(response.topics) == len(sweep_result.results[run_id].topics)


def test_a_run_inside_a_sweep_equals_a_standalone_fit(sweep_result, embedder, corpus, tmp_path):
    _, texts, embeddings = corpus
    record = sweep_result.records[1]  # its reduction came from the sweep's cache
    assert record.umap_reused
    standalone = TopicPipeline(record.planned.params, embedder=embedder, cache_dir=tmp_path).fit(
        texts, embeddings
    )
    assert standalone.details["umap_cache_hit"] is False  # a fresh cache: UMAP really ran
    swept = record.result
    np.testing.assert_array_equal(standalone.doc_topics, swept.doc_topics)
    assert [t.keywords for t in standalone.topics] == [t.keywords for t in swept.topics]
    assert standalone.metrics == swept.metrics


def test_budget_stops_starting_runs_and_reports_what_finished(embedder, corpus, tmp_path):
    _, texts, embeddings = corpus
    sweep = ParameterSweep(
        ParameterGrid.from_args(GRID_ARGS),
        embedder=embedder,
        budget_seconds=0,
        cache_dir=tmp_path,
    )
    result = sweep.fit(texts, embeddings)
    # The first run always starts; a spent budget starts no other.
    assert [r.planned.run_id for r in result.records] == ["r01"]
    assert [run.run_id for run in result.not_run] == ["r02", "r03", "r04"]
    assert result.stopped_early and len(result.table) == 1
    summary = result.summary()
    assert "1/4 runs finished" in summary and "not started r02, r03, r04" in summary
    manifest = json.loads(result.write(tmp_path / "out")["manifest"].read_text())
    assert sorted(manifest["not_run"]) == ["r02", "r03", "r04"]


def test_sweep_refuses_embeddings_that_do_not_match_the_texts(embedder, corpus):
    _, texts, embeddings = corpus
    sweep = ParameterSweep(ParameterGrid.from_args(GRID_ARGS), embedder=embedder)
    with pytest.raises(ValueError, match="embeddings has 119 rows for 120 texts"):
        sweep.fit(texts, embeddings[:-1])
