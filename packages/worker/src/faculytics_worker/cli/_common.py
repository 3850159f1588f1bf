"""Options and helpers shared by the job-running subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from faculytics_worker.engine import ModelLoadError, TopicEngine


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """--model, --cache-dir, --quiet and --verbose."""
    parser.add_argument(
        "--model",
        help="embedding model: 'labse' (the default unless $FACULYTICS_EMBED_MODEL says "
        "otherwise), 'minilm' (the packaged all-MiniLM-L6-v2; works offline) or a model folder",
    )
    parser.add_argument(
        "--cache-dir",
        help="embedding and UMAP cache folder (default: $FACULYTICS_CACHE_DIR, else the user "
        "cache folder)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars and no summary; errors only"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log one line per stage to stderr"
    )


def load_engine(args: argparse.Namespace) -> TopicEngine | None:
    """A preflighted engine for the command's options, or None after printing why not."""
    engine = TopicEngine(
        args.model,
        cache_dir=args.cache_dir,
        show_progress_bar=not args.quiet,
        # One job per process: compiling numba ahead of it would save nothing.
        warm=False,
    )
    try:
        return engine.preflight()
    except ModelLoadError as error:
        print(f"faculytics-topics: {error}", file=sys.stderr)
        return None


def write_json(data: Any, path: Path | None) -> None:
    """Pretty JSON to ``path`` (parents created), or to stdout when ``path`` is None."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if path is None:
        sys.stdout.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """--text-column and --id-column, shared by ``sweep`` and ``report``."""
    parser.add_argument(
        "--text-column", help="column holding the comment text (default: text or comment)"
    )
    parser.add_argument(
        "--id-column",
        help="column holding the id (default: id, submissionId or submission_id; else row numbers)",
    )
