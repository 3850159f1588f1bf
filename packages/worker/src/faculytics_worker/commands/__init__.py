"""Analyst subcommands of ``faculytics-topics`` that sit on the clusterer's sweeps and reports.

Each module exposes ``register(subparsers)`` like the modules of :mod:`faculytics_worker.cli`.
"""
