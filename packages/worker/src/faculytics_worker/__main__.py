"""``python -m faculytics_worker``: start the RunPod serverless worker.

The model is loaded (and numba warmed) before the worker takes a job; a missing model ends the
process with a message and exit status 2 instead of failing every job later. The RunPod SDK's own
flags pass through, e.g. ``--rp_serve_api --rp_api_port 8000`` for the local HTTP API.
"""

from __future__ import annotations

import logging
import sys

from faculytics_worker.engine import ModelLoadError, TopicEngine
from faculytics_worker.handler import make_handler


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        engine = TopicEngine.from_env().preflight()
    except ModelLoadError as error:
        print(f"faculytics-worker: {error}", file=sys.stderr)
        return 2
    import runpod

    # The SDK parses its own --rp_* flags from sys.argv.
    runpod.serverless.start({"handler": make_handler(engine)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
