"""RunPod serverless worker and command line for Faculytics topic modeling.

The handler is a thin shell over :class:`faculytics_worker.engine.TopicEngine`, which loads the
embedding model once, validates each job, embeds what is missing, runs the clusterer's pipeline
and answers with a :class:`faculytics_contracts.TopicModelResponse` payload.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("faculytics-worker")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
