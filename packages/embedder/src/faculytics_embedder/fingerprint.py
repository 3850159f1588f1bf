"""A model's fingerprint: one hash of the files that decide its vectors.

The fingerprint is part of every cache key and of every file the package writes, so vectors of two
models never mix. It hashes the name, size and full contents (SHA-256, streamed) of each config,
tokenizer and safetensors file in the model folder. Pickle weights are left out because they are
never loaded, and so are READMEs and hidden files.

Hashing LaBSE's 1.8 GB of weights takes a couple of seconds, so digests are remembered: in this
process, and in a small sidecar JSON keyed by each file's path, size and mtime. The sidecar is read
from the model folder (``faculytics-embed download`` writes it there, so a baked image never hashes)
or from a ``memo_dir`` (the cache folder), where new sidecars are written; model folders themselves
are never written to, since they may be read-only or belong to an installed package.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

__all__ = ["SIDECAR_NAME", "model_fingerprint", "write_sidecar"]

logger = logging.getLogger(__name__)

SIDECAR_NAME = "faculytics_fingerprint.json"
_SIDECAR_VERSION = 1
_HASHED_SUFFIXES = {".json", ".txt", ".model", ".safetensors"}
# Per-process memo: (absolute path, size, mtime_ns) -> sha256 hex of the contents.
_DIGESTS: dict[tuple[str, int, int], str] = {}


def _model_files(folder: Path) -> list[Path]:
    files = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or rel.name == SIDECAR_NAME:
            continue
        if path.suffix.lower() in _HASHED_SUFFIXES and path.is_file():
            files.append(path)
    return sorted(files, key=lambda path: path.relative_to(folder).as_posix())


def _sidecar_paths(folder: Path, memo_dir: Path | None) -> list[Path]:
    paths = [folder / SIDECAR_NAME]
    if memo_dir is not None:
        key = hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:24]
        paths.append(Path(memo_dir) / f"{key}.json")
    return paths


def _read_sidecar(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _SIDECAR_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _digest(
    path: Path, size: int, mtime_ns: int, remembered: dict[str, dict[str, object]], rel: str
) -> str:
    memo_key = (str(path.resolve()), size, mtime_ns)
    if memo_key in _DIGESTS:
        return _DIGESTS[memo_key]
    entry = remembered.get(rel)
    if (
        isinstance(entry, dict)
        and entry.get("size") == size
        and entry.get("mtime_ns") == mtime_ns
        and isinstance(entry.get("sha256"), str)
    ):
        digest = str(entry["sha256"])
    else:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    _DIGESTS[memo_key] = digest
    return digest


def _scan(folder: Path, memo_dir: Path | None) -> tuple[str, dict[str, dict[str, object]]]:
    folder = Path(folder)
    remembered: dict[str, dict[str, object]] = {}
    for sidecar in reversed(_sidecar_paths(folder, memo_dir)):
        remembered.update(_read_sidecar(sidecar))  # the model folder's own sidecar wins
    files = _model_files(folder)
    if not files:
        raise FileNotFoundError(f"No model files (config, tokenizer, safetensors) in {folder}.")
    entries: dict[str, dict[str, object]] = {}
    total = hashlib.sha256()
    for path in files:
        rel = path.relative_to(folder).as_posix()
        stat = path.stat()
        digest = _digest(path, stat.st_size, stat.st_mtime_ns, remembered, rel)
        entries[rel] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        total.update(f"{rel}\0{stat.st_size}\0{digest}\n".encode())
    return total.hexdigest()[:32], entries


def _write_json(path: Path, fingerprint: str, entries: dict[str, dict[str, object]]) -> None:
    payload = {"version": _SIDECAR_VERSION, "fingerprint": fingerprint, "files": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), "utf-8")
    tmp.replace(path)  # atomic: a concurrent reader sees the old or the new sidecar, never half


def model_fingerprint(folder: Path, *, memo_dir: Path | None = None) -> str:
    """32-hex-character fingerprint of the model in ``folder``.

    Stable while the files are unchanged; differs when any config, tokenizer or weight byte
    differs. ``memo_dir``, when given, keeps a sidecar so later processes skip the hashing; a
    sidecar that cannot be written only costs time (logged at debug level).
    """
    fingerprint, entries = _scan(Path(folder), memo_dir)
    if memo_dir is not None:
        own = _read_sidecar(Path(folder) / SIDECAR_NAME)
        memo_path = _sidecar_paths(Path(folder), memo_dir)[1]
        if own != entries and _read_sidecar(memo_path) != entries:
            try:
                _write_json(memo_path, fingerprint, entries)
            except OSError as error:
                logger.debug("Could not remember the model fingerprint in %s: %s", memo_path, error)
    return fingerprint


def write_sidecar(folder: Path) -> str:
    """Hash the model in ``folder`` and store the digests beside it; returns the fingerprint.

    Used by ``faculytics-embed download`` so that a model baked into an image is never re-hashed.
    """
    fingerprint, entries = _scan(Path(folder), None)
    _write_json(Path(folder) / SIDECAR_NAME, fingerprint, entries)
    return fingerprint
