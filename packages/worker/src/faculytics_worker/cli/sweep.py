"""``faculytics-topics sweep CORPUS --grid ...``: fit every parameter combination, compare metrics.

The corpus is embedded once (through the embedding cache) and each distinct UMAP setting is
reduced once (through the UMAP cache); every combination is then an ordinary pipeline fit. The
table (one row per run) is printed, sorted by ``--sort-by``, and written as CSV and Parquet with
each run's response JSON, so ``faculytics-topics report --sweep-dir DIR --run ID`` can draw any
of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from faculytics_contracts import JobInputError, TopicParams, describe_validation_error
from faculytics_worker.cli._common import add_corpus_arguments, add_engine_arguments, load_engine

SORT_HELP = (
    "npmi_coherence, topic_diversity, outlier_ratio, silhouette_score, embedding_coherence, "
    "n_topics or wall_seconds (short: npmi, diversity, outliers, silhouette, coherence)"
)


def register(subparsers: argparse._SubParsersAction) -> None:

    parser = subparsers.add_parser(
        "sweep",
        help="fit a grid of parameter combinations over one corpus and tabulate the metrics",
        description="Fit every combination of a parameter grid over one corpus (CSV, JSON "
        "Lines, Parquet, Arrow, or a request JSON; an 'embedding' column is used when present). "
        "Embeds once and reduces once per UMAP setting, prints a table sorted by --sort-by, and "
        "writes sweep.csv, sweep.parquet, sweep.json and runs/<id>.json to --output.",
    )
    parser.add_argument("corpus", type=Path, help="corpus file")
    grid = parser.add_mutually_exclusive_group(required=True)
    grid.add_argument(
        "--grid",
        nargs="+",
        metavar="NAME=V1,V2",
        help="parameters and their values, e.g. min_topic_size=10,15,25 nr_topics=10,20,auto "
        "umap_n_neighbors=15,20",
    )
    grid.add_argument("--grid-file", type=Path, help="TOML file with the grid ([grid] table)")
    add_corpus_arguments(parser)
    parser.add_argument(
        "--sort-by", default="npmi_coherence", help=f"column to rank runs by: {SORT_HELP}"
    )
    parser.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        help="start no new run after this many seconds; report the runs that finished",
    )
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="folder for the table and run files"
    )
    add_engine_arguments(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from faculytics_clusterer.sweeps import (
        ParameterGrid,
        ParameterSweep,
        read_corpus,
        resolve_sort_column,
    )

    if args.budget is not None and args.budget < 0:
        print("faculytics-topics: --budget must be >= 0 seconds", file=sys.stderr)
        return 2
    try:
        grid = (
            ParameterGrid.from_toml(args.grid_file)
            if args.grid_file is not None
            else ParameterGrid.from_args(args.grid)
        )
        resolve_sort_column(args.sort_by)
        corpus = read_corpus(args.corpus, text_column=args.text_column, id_column=args.id_column)
        # A request JSON's own params are the base; the grid overrides what it names.
        base = TopicParams.model_validate(corpus.params) if corpus.params else None
    except ValidationError as error:
        print(f"faculytics-topics: {describe_validation_error(error)}", file=sys.stderr)
        return 2
    except (JobInputError, OSError) as error:
        print(f"faculytics-topics: {error}", file=sys.stderr)
        return 2
    if args.model is None and corpus.model_name:
        args.model = corpus.model_name  # the embedder's Arrow file names the model it used
    engine = load_engine(args)
    if engine is None:
        return 2
    embedder = engine.embedder
    if corpus.embeddings is not None and corpus.embeddings.shape[1] != embedder.dimension:
        print(
            f"faculytics-topics: the corpus embeddings have {corpus.embeddings.shape[1]} "
            f"dimensions but model {embedder.model_name} gives {embedder.dimension}; pass the "
            "--model that embedded them",
            file=sys.stderr,
        )
        return 2
    sweep = ParameterSweep(
        grid,
        embedder=embedder,
        base_params=base,
        sort_by=args.sort_by,
        budget_seconds=args.budget,
        cache_dir=args.cache_dir,
        show_progress_bar=not args.quiet,
    )
    if not args.quiet:
        print(
            f"sweep: {len(grid)} runs over {len(corpus)} comments, "
            f"{len({run.umap_setting for run in sweep.plan(len(corpus))})} UMAP setting(s)",
            file=sys.stderr,
        )
    result = sweep.fit(corpus.texts, corpus.embeddings)
    result.write(
        args.output,
        ids=corpus.ids,
        manifest={
            "corpus": str(args.corpus.resolve()),
            "text_column": args.text_column,
            "id_column": args.id_column,
            "model": embedder.model_name,
            "n_documents": len(corpus),
            "grid": {name: list(values) for name, values in grid.values.items()},
        },
    )
    if not args.quiet:
        print(result.summary())
        print(f"table: {args.output / 'sweep.csv'} and sweep.parquet", file=sys.stderr)
    return 0 if result.results else 1
