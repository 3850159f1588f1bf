"""Image build steps that matter, runnable (and tested) outside Docker.

    python build_steps.py bake --model labse --to /models/labse
    python build_steps.py warm

``bake`` saves the embedding model with the embedder's own ``faculytics-embed download`` command
(safetensors, no remote code), then proves the folder loads with the network switched off
(``HF_HUB_OFFLINE=1``) in a fresh process and embeds a probe sentence. It needs only the
contracts and embedder packages, so the Dockerfile runs it before the rest of the source is
copied and the model layer survives code changes.

``warm`` compiles UMAP's and pynndescent's numba code with ``NUMBA_CACHE_DIR`` set, so a cold
worker reads compiled code from the image instead of spending its first job compiling, and fails
when numba wrote nothing there.

Exit status 0 on success, 1 when a check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROBE = "Maayo kaayo siya mo explain sa lesson."

_VERIFY = """
import json, sys
import numpy as np
from faculytics_embedder import Embedder
embedder = Embedder(sys.argv[1], device="cpu", use_cache=False)
vectors = embedder.encode([sys.argv[2]])
print(json.dumps({"dimension": int(embedder.dimension), "fingerprint": embedder.fingerprint,
                  "norm": float(np.linalg.norm(vectors[0]))}))
"""


def bake(model: str, target: Path) -> dict:
    """Download/save ``model`` into ``target`` and verify it offline. Returns the probe facts."""
    download = shutil.which("faculytics-embed") or "faculytics-embed"
    # The embedder's command refuses remote code and pickle-only weights itself.
    completed = subprocess.run(
        [download, "download", "--model", model, "--to", str(target)], check=False
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"bake: `faculytics-embed download --model {model}` failed with exit status "
            f"{completed.returncode} (its message is above)"
        )
    weights = sorted(p.name for p in target.rglob("*") if p.suffix == ".safetensors")
    if not weights:
        raise SystemExit(f"bake: no .safetensors weights in {target}")
    facts = verify_offline(target)
    print(f"bake: {model} -> {target}: {json.dumps(facts)}; weights {', '.join(weights)}")
    return facts


def verify_offline(folder: Path) -> dict:
    """Load ``folder`` in a fresh process with every hub download disabled; embed a probe."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.pop("FACULYTICS_EMBED_MODEL", None)
    completed = subprocess.run(
        [sys.executable, "-c", _VERIFY, str(folder), PROBE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    facts = json.loads(completed.stdout.strip().splitlines()[-1])
    if abs(facts["norm"] - 1.0) > 1e-3:
        raise SystemExit(f"bake: probe embedding is not unit length: {facts}")
    return facts


def warm() -> int:
    """Compile numba code into ``$NUMBA_CACHE_DIR``; returns the number of cache index files."""
    cache = os.environ.get("NUMBA_CACHE_DIR")
    if not cache:
        raise SystemExit("warm: set NUMBA_CACHE_DIR (the folder the image keeps compiled code in)")
    if "numba" in sys.modules:
        raise SystemExit("warm: numba was imported before NUMBA_CACHE_DIR could take effect")
    from faculytics_worker.warmup import warm_numba

    seconds = warm_numba()
    indexes = list(Path(cache).rglob("*.nbi"))
    if not indexes:
        raise SystemExit(f"warm: numba wrote no cache files to {cache}")
    print(f"warm: {len(indexes)} numba cache entries in {cache} ({seconds:.1f}s)")
    return len(indexes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bake_parser = commands.add_parser("bake", help="save a model folder and verify it offline")
    bake_parser.add_argument("--model", default="labse", help="model name or alias")
    bake_parser.add_argument("--to", type=Path, required=True, help="target folder")
    commands.add_parser("warm", help="compile numba code into $NUMBA_CACHE_DIR")
    args = parser.parse_args(argv)
    if args.command == "bake":
        bake(args.model, args.to)
    else:
        warm()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
