"""Analyst subcommands of ``faculytics-topics`` that sit on the clusterer's sweeps and reports.

Each module exposes ``register(subparsers)`` like the modules of :mod:`faculytics_worker.cli`.
"""

from __future__ import annotations

import argparse


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """--text-column and --id-column, shared by ``sweep`` and ``report``."""
    parser.add_argument(
        "--text-column", help="column holding the comment text (default: text or comment)"
    )
    parser.add_argument(
        "--id-column",
        help="column holding the id (default: id, submissionId or submission_id; else row numbers)",
    )
