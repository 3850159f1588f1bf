"""``faculytics-embed``: bake a model into a folder, or embed a file of texts into an Arrow table.

    faculytics-embed download --to DIR [--model M] [--force]
    faculytics-embed embed INPUT --text-column C [--id-column I] -o OUT
                     [--model M] [--cache-dir D] [--no-cache] [--device DEV] [--batch-size N]
                     [--quiet]

``download`` saves the model as safetensors (refusing models that need ``trust_remote_code`` or
have pickle-only weights) and writes the fingerprint sidecar, so the baked folder loads offline
and is never re-hashed. ``embed`` reads CSV/TSV, JSON Lines or Parquet and writes ``.arrow`` /
``.feather`` (Arrow IPC) or ``.parquet``; thanks to the cache a second run on the same file
computes nothing.

Exit status: 0 done, 2 bad input or unusable model (the message says which), 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from faculytics_embedder.arrow import InputFileError, read_texts, write_embeddings
from faculytics_embedder.models import (
    DEFAULT_MODEL,
    MODEL_ENV,
    UnsafeModelError,
    check_model_folder,
    load_sentence_transformer,
    locate_model_folder,
    resolve_model,
)

__all__ = ["build_parser", "main"]

_PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faculytics-embed", description="Sentence embeddings with a persistent cache."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    model_help = (
        f"model name, folder or alias labse/minilm (default ${MODEL_ENV} or {DEFAULT_MODEL})"
    )

    download = commands.add_parser("download", help="save a model as safetensors into a folder")
    download.add_argument("--to", required=True, type=Path, help="folder to write the model to")
    download.add_argument("--model", help=model_help)
    download.add_argument("--force", action="store_true", help="replace a non-empty --to folder")

    embed = commands.add_parser("embed", help="embed a CSV / JSON Lines / Parquet file")
    embed.add_argument("input", type=Path, help="input .csv, .tsv, .jsonl, .ndjson or .parquet")
    embed.add_argument("--text-column", required=True, help="column holding the texts")
    embed.add_argument("--id-column", help="column holding row ids (default: row numbers)")
    embed.add_argument(
        "-o", "--output", required=True, type=Path, help="output .arrow/.feather or .parquet"
    )
    embed.add_argument("--model", help=model_help)
    embed.add_argument("--cache-dir", type=Path, help="cache root (default $FACULYTICS_CACHE_DIR)")
    embed.add_argument("--no-cache", action="store_true", help="compute everything, cache nothing")
    embed.add_argument("--device", help="torch device (default: cuda, mps, else cpu)")
    embed.add_argument("--batch-size", type=int, help="texts per forward pass")
    embed.add_argument("--quiet", action="store_true", help="no progress bar, logs or summary")
    return parser


def _download(args: argparse.Namespace) -> int:
    name = resolve_model(args.model)
    target: Path = args.to
    if target.exists() and any(target.iterdir()) and not args.force:
        raise InputFileError(f"{target} is not empty; pass --force to replace its contents.")
    source = locate_model_folder(name)
    check_model_folder(source)
    model, _ = load_sentence_transformer(name, "cpu", quiet=False)
    if target.exists():
        shutil.rmtree(target)
    model.save(str(target), safe_serialization=True, create_model_card=False)
    pickles = sorted(
        str(p.relative_to(target)) for p in target.rglob("*") if p.suffix in _PICKLE_SUFFIXES
    )
    if pickles:  # cannot happen with safe_serialization; a guard against a library change
        raise UnsafeModelError(f"Saving {name} wrote pickle files: {', '.join(pickles)}")
    from faculytics_embedder.fingerprint import write_sidecar

    fingerprint = write_sidecar(target)
    print(f"Saved {name} to {target} as safetensors (fingerprint {fingerprint}).")
    return 0


def _embed(args: argparse.Namespace) -> int:
    from faculytics_embedder.encoder import Embedder

    ids, texts = read_texts(args.input, args.text_column, args.id_column)
    embedder = Embedder(
        args.model,
        cache_dir=args.cache_dir,
        device=args.device,
        batch_size=args.batch_size,
        show_progress_bar=not args.quiet,
        use_cache=not args.no_cache,
    )
    vectors = embedder.encode(texts)
    embedder.close()  # the cache holds every vector before this command reports success
    write_embeddings(
        args.output,
        ids,
        texts,
        vectors,
        model_name=embedder.model_name,
        fingerprint=embedder.fingerprint,
    )
    stats = embedder.last_stats
    if not args.quiet:
        print(
            f"Wrote {stats.n_texts} embeddings (dim {embedder.dimension}, fingerprint "
            f"{embedder.fingerprint}) to {args.output}: {stats.hits} from cache, "
            f"{stats.misses} computed in {stats.seconds:.2f}s."
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _download(args) if args.command == "download" else _embed(args)
    except (InputFileError, UnsafeModelError, FileNotFoundError) as error:
        print(f"faculytics-embed: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
