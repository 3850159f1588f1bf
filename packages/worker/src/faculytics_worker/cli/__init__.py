"""``faculytics-topics``: run topic-model jobs from the command line.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``func`` (taking the parsed arguments, returning the exit status). To add a command, write
the module and list it in :data:`COMMANDS`.

Exit status: 0 success, 1 the job failed on its input (the response is still written), 2 the
command could not run (bad arguments, missing model, unreadable file).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from faculytics_worker import __version__
from faculytics_worker.cli import demo, report, run, sweep

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = [run, demo, sweep, report]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faculytics-topics",
        description="Topic modeling of multilingual student feedback (Faculytics).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def configure_logging(args: argparse.Namespace) -> None:
    level = logging.INFO if getattr(args, "verbose", False) else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s %(message)s", stream=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
