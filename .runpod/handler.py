"""RunPod Hub entry point: the same worker as ``python -m faculytics_worker`` (the image's CMD).

The handler itself is ``faculytics_worker.handler`` (packages/worker); this file exists because
the Hub looks for a handler.py in .runpod/ or the repository root.
"""

from faculytics_worker.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
