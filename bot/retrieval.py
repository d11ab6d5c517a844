"""Hybrid retrieval: Chroma dense search and BM25, fused on calibrated scores, with metadata filters."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.types import Hit
from index.embedding import Embedder
from index.lexical import LexicalIndex, build_lexical_index, lexical_dir, load_lexical_index
from index.settings import Settings
from index.store import ChunkCollection, Store, open_store

CANDIDATES = 50  # per retriever, before fusion
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to outlets, categories and a publication-time range (Unix seconds)."""

    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: int | None = None
    date_to: int | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return not (self.sources or self.categories or self.date_from is not None or self.date_to is not None)

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause for these filters."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.categories:
            clauses.append({"category": {"$in": list(self.categories)}})
        if self.date_from is not None:
            clauses.append({"published_ts": {"$gte": self.date_from}})
        if self.date_to is not None:
            clauses.append({"published_ts": {"$lte": self.date_to}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def mask(self, fields: dict[str, list[Any]]) -> np.ndarray | None:
        """0/1 weights over the lexical index's documents for these filters."""
        if self.empty:
            return None
        n = len(fields["article_id"])
        keep = np.ones(n, dtype=bool)
        if self.sources:
            allowed = set(self.sources)
            keep &= np.array([s in allowed for s in fields["source"]], dtype=bool)
        if self.categories:
            allowed_c = set(self.categories)
            keep &= np.array([c in allowed_c for c in fields["category"]], dtype=bool)
        if self.date_from is not None or self.date_to is not None:
            lo = self.date_from if self.date_from is not None else -(2**62)
            hi = self.date_to if self.date_to is not None else 2**62
            keep &= np.array([ts is not None and lo <= ts <= hi for ts in fields["published_ts"]], dtype=bool)
        return keep.astype(np.float32)


class Retriever:
    """Loaded once per process; notices a finished rebuild and switches to it without a restart."""

    def __init__(self, settings: Settings, embedder: Embedder, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store or open_store(Path(settings.store), settings.chroma_url)
        self._lock = threading.Lock()
        self._collection: ChunkCollection | None = None
        self._lexical: LexicalIndex | None = None
        self._load()

    def _load(self) -> None:
        collection = self.store.require_active(self.embedder.name)
        folder = lexical_dir(Path(self.settings.store), collection.name)
        lexical = load_lexical_index(folder)
        if lexical is None:
            # Server mode on another machine, or a cache that was deleted: rebuild it from Chroma once.
            lexical = build_lexical_index([s.chunk for s in collection.iter_all()])
            lexical.save(folder)
        self._collection, self._lexical = collection, lexical

    def refresh(self) -> bool:
        """Switch to a newer index generation if a rebuild finished; True when it switched."""
        name = self.store.active_name()
        if self._collection is not None and name == self._collection.name:
            return False
        with self._lock:
            if self._collection is None or name != self._collection.name:
                self._load()
                return True
        return False

    @property
    def collection(self) -> ChunkCollection:
        """The index generation in use."""
        assert self._collection is not None
        return self._collection

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """The k most relevant chunks for `question`, best first."""
        self.refresh()
        k = k or self.settings.top_k
        filters = filters or Filters()
        collection, lexical = self.collection, self._lexical
        assert lexical is not None
        vector = self.embedder.embed_query(question)
        dense = collection.query(vector, CANDIDATES, filters.to_where())
        lexical_hits = lexical.search(question, CANDIDATES, filters.mask(lexical.fields))
        return fuse(dense, lexical_hits, lexical, collection, vector)[:k]


def fuse(
    dense: Sequence[tuple[Any, float]],
    lexical_hits: Sequence[tuple[int, float]],
    lexical: LexicalIndex,
    collection: ChunkCollection,
    vector: np.ndarray,
) -> list[Hit]:
    """Weighted sum of max-normalised BM25 and cosine similarity over the union of both candidate lists."""
    chunks = {chunk.id: chunk for chunk, _ in dense}
    dense_score = {chunk.id: sim for chunk, sim in dense}
    top_bm25 = max((s for _, s in lexical_hits), default=0.0)
    lexical_score = {lexical.ids[i]: s / top_bm25 for i, s in lexical_hits} if top_bm25 > 0 else {}
    missing = [cid for cid in lexical_score if cid not in chunks]
    for chunk in collection.get(missing):
        chunks[chunk.id] = chunk
    if missing:
        for cid, sim in collection.similarities(missing, vector).items():
            dense_score[cid] = sim
    hits = [
        Hit(
            chunk=chunk,
            score=DENSE_WEIGHT * dense_score.get(cid, 0.0) + LEXICAL_WEIGHT * lexical_score.get(cid, 0.0),
            dense=dense_score.get(cid, 0.0),
            lexical=lexical_score.get(cid, 0.0),
        )
        for cid, chunk in chunks.items()
    ]
    hits.sort(key=lambda h: h.score, reverse=True)
    return [Hit(h.chunk, h.score, h.dense, h.lexical, rank) for rank, h in enumerate(hits, start=1)]
