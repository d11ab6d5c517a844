"""Dense search of one index snapshot: exact, over embeddings held in memory, while the index is small enough;
Chroma's HNSW search (with its filters, or an exact scoring of few allowed chunks) beyond that.

Chroma's query costs ~22 ms at 5.7k chunks here where a matrix product over the same vectors costs 0.2 ms, and
it is exact rather than approximate; the vectors cost 1.5 KB a chunk, so large indexes stay in Chroma.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.collection import ChunkCollection
from index.documents import Chunk
from index.lexical import LexicalIndex

MEMORY_LIMIT = 50_000  # indexes up to this many chunks are searched in memory (~75 MB of vectors per process)


# Filtered dense search. Chroma's own `where` scans its SQLite metadata on every query: fine on small indexes,
# 1.4-2.4 s for a date range at 659k chunks here. The allowed chunks are known from the in-memory lexical
# columns, so on large indexes they are scored exactly when few, else found by an unfiltered, deeper search.
CHROMA_FILTER_MAX = 20_000  # indexes up to this many chunks use Chroma's filter (≤ 25 ms at 6.6k here)


EXACT_LIMIT = 2000  # at most this many allowed chunks: scored from their stored vectors (~55 ms here)


OVERFETCH = 2.0  # otherwise search unfiltered, deep enough to expect this many times `depth` allowed hits,


MAX_FETCH = 600  # but no deeper (~90 ms at 659k); a narrow filter then keeps fewer dense candidates


def top_rows(scores: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the `depth` highest scores, best first, without sorting the whole corpus."""
    if depth >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, depth)[:depth]
    return part[np.argsort(-scores[part], kind="stable")]


@dataclass(frozen=True)
class DenseIndex:
    """The vectors of one snapshot's chunks, in the lexical index's row order when held in memory."""

    chunks: ChunkCollection
    lexical: LexicalIndex
    position: dict[str, int]  # chunk id -> row of the lexical index
    matrix: np.ndarray | None = None  # (rows, dim) unit vectors; None: searched in Chroma
    stored: np.ndarray | None = None  # rows that have a vector in Chroma

    def nearest(
        self, vector: np.ndarray, depth: int, where: dict[str, Any] | None, allowed: np.ndarray | None
    ) -> list[tuple[str, float, Chunk | None]]:
        """The `depth` chunks nearest to `vector` among the `allowed` ones (all when None), best first: id,
        cosine, and the chunk where the search read it (the in-memory search reads none: a caller reads only the
        ones it keeps). `where` is the same restriction as a Chroma filter."""
        if self.matrix is not None and self.stored is not None:
            keep = self.stored if allowed is None else self.stored & allowed
            scores = np.where(keep, self.matrix @ np.asarray(vector, dtype=np.float32), -np.inf)
            rows = [int(i) for i in top_rows(scores, depth) if np.isfinite(scores[i])]
            sims = self.similarities([self.lexical.ids[i] for i in rows], vector)
            return [(cid, sim, None) for cid, sim in sims.items()]
        return [(chunk.id, sim, chunk) for chunk, sim in self._in_chroma(vector, depth, where, allowed)]

    def similarities(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of `vector` to the vectors of `ids` that have one, from memory when held there
        (the same row-by-row sums as `ChunkCollection.similarities`, so a chunk's cosine is one number)."""
        if self.matrix is None or self.stored is None:
            return self.chunks.similarities(ids, vector)
        rows_of = {cid: at for cid in dict.fromkeys(ids)
                   if (at := self.position.get(cid)) is not None and self.stored[at]}
        if not rows_of:
            return {}
        rows = self.matrix[list(rows_of.values())].astype(np.float64)
        scores = (rows * np.asarray(vector, dtype=np.float64)).sum(axis=1)
        return {cid: float(s) for cid, s in zip(rows_of, scores)}

    def _in_chroma(
        self, vector: np.ndarray, depth: int, where: dict[str, Any] | None, allowed: np.ndarray | None
    ) -> list[tuple[Chunk, float]]:
        collection = self.chunks
        if allowed is None or where is None:
            return collection.query(vector, depth)
        if len(allowed) <= CHROMA_FILTER_MAX:
            return collection.query(vector, depth, where)
        rows = np.flatnonzero(allowed)
        if len(rows) == 0:
            return []
        if len(rows) <= EXACT_LIMIT:
            sims = collection.similarities([self.lexical.ids[i] for i in rows], vector)
            best = sorted(sims, key=lambda cid: sims[cid], reverse=True)[:depth]
            found = {chunk.id: chunk for chunk in collection.get(best)}
            return [(found[cid], sims[cid]) for cid in best if cid in found]
        fetch = min(len(allowed), MAX_FETCH, int(np.ceil(OVERFETCH * depth * len(allowed) / len(rows))))
        nearest = collection.query(vector, fetch)
        return [(c, sim) for c, sim in nearest if c.id in self.position and allowed[self.position[c.id]]][:depth]


def load_dense(
    chunks: ChunkCollection, lexical: LexicalIndex, position: dict[str, int], sample: int
) -> tuple[DenseIndex, np.ndarray]:
    """The snapshot's dense index, and up to `sample` of its vectors spread evenly over it (to calibrate each
    query's similarity scale; the same vectors as `ChunkCollection.sample_embeddings`)."""
    if chunks.count() > MEMORY_LIMIT:
        return DenseIndex(chunks, lexical, position), chunks.sample_embeddings(sample)
    order: list[str] = []
    vectors: list[np.ndarray] = []
    for stored in chunks.iter_all(with_embeddings=True):
        if stored.embedding is not None:
            order.append(stored.chunk.id)
            vectors.append(stored.embedding)
    if not vectors:
        return DenseIndex(chunks, lexical, position), np.zeros((0, 0), dtype=np.float32)
    every = np.vstack(vectors).astype(np.float32)
    matrix = np.zeros((len(lexical.ids), every.shape[1]), dtype=np.float32)
    present = np.zeros(len(lexical.ids), dtype=bool)
    for cid, row in zip(order, every):
        if (at := position.get(cid)) is not None:
            matrix[at], present[at] = row, True
    picked = every if len(order) <= sample else every[np.linspace(0, len(order) - 1, sample).astype(int)]
    return DenseIndex(chunks, lexical, position, matrix, present), picked
