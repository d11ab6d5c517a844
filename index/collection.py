"""The chunks of one index snapshot in Chroma: one collection, or a small delta layered over a base.

A delta holds the chunks of new and changed articles and names the base articles it hides (changed or
removed ones); reads merge the two layers, so a sync after editing one article writes a handful of chunks
instead of copying the whole index (see index/store.py for how snapshots are created and switched).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from index.cache import LRUCache
from index.documents import Chunk
from index.errors import StoreError
from index.failures import CHROMA_FAILURES, one_line

T = TypeVar("T")
FailFn = Callable[[str, BaseException], StoreError]  # (action, exception) -> the error to raise


def _generic_failure(action: str, exc: BaseException) -> StoreError:
    return StoreError(f"cannot {action} the index: {one_line(exc)} — check the disk or the Chroma server")

FILE_KEY = "file"  # chunk metadata: corpus file the article came from (lets a rebuild keep unreadable files)
_WRITE_BATCH = 1000
_PAGE = 2000
# Chunks (and their embeddings) read by id stay in memory: a snapshot never changes once built, and each question
# reads the texts and vectors of ~60 lexical candidates, many of them the previous questions' (a chat session
# stays on a story). About 5 KB a chunk with its vector: 10 MB per process when full.
_READ_CACHE = 2048


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store, with its embedding when asked for, and its corpus file."""

    chunk: Chunk
    embedding: np.ndarray | None = None
    file: str | None = None


def _and(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


class ChunkCollection:
    """The chunks of one snapshot: a collection, or a delta layered over a base with some base articles hidden."""

    def __init__(
        self, top: Any, base: Any | None = None, hidden: Sequence[str] = (), fail: FailFn = _generic_failure
    ) -> None:
        self._top = top
        self._base = base
        self._hidden = sorted(set(hidden))
        self._fail = fail  # turns Chroma's exceptions into the index layer's (index/failures.py)
        self._chunks: LRUCache[str, Chunk] = LRUCache(_READ_CACHE)
        self._vectors: LRUCache[str, np.ndarray] = LRUCache(_READ_CACHE)
        self._sizes: dict[str, int] = {}  # collection name -> chunk count

    def _forget(self) -> None:
        """Drop what was read: a write changes the snapshot being built."""
        self._chunks = LRUCache(_READ_CACHE)
        self._vectors = LRUCache(_READ_CACHE)
        self._sizes = {}

    def _size(self, collection: Any) -> int:
        name = str(collection.name)
        if name not in self._sizes:
            self._sizes[name] = int(self._run("read", collection.count))
        return self._sizes[name]

    def _run(self, action: str, call: Callable[..., T], **kwargs: Any) -> T:
        """Call Chroma; a failure becomes a StoreError whose message says what to do."""
        try:
            return call(**kwargs)
        except CHROMA_FAILURES as exc:
            raise self._fail(action, exc) from exc

    @property
    def name(self) -> str:
        """Name of the snapshot (its newest collection; unique per build)."""
        return str(self._top.name)

    @property
    def base_name(self) -> str:
        """Name of the base collection (the snapshot's own name when it has no delta)."""
        return str((self._base if self._base is not None else self._top).name)

    @property
    def layered(self) -> bool:
        """True when the snapshot is a delta over a base."""
        return self._base is not None

    @property
    def hidden(self) -> list[str]:
        """Article ids of the base that this snapshot leaves out (changed or removed since the base was built)."""
        return list(self._hidden)

    @property
    def metadata(self) -> dict[str, Any]:
        """Build metadata: embedding model, chunking parameters, time, counts."""
        return dict(self._top.metadata or {})

    def _layers(self, which: str = "all") -> list[tuple[Any, dict[str, Any] | None]]:
        """(collection, extra where clause) pairs to read; `which` is all, base or delta."""
        if self._base is None:
            return [(self._top, None)] if which in ("all", "base") else []
        hide = {"article_id": {"$nin": self._hidden}} if self._hidden else None
        layers: list[tuple[Any, dict[str, Any] | None]] = []
        if which in ("all", "base"):
            layers.append((self._base, hide))
        if which in ("all", "delta"):
            layers.append((self._top, None))
        return layers

    def count(self) -> int:
        """Number of chunks in the snapshot."""
        if self._base is None:
            return self._size(self._top)
        recorded = self.metadata.get("chunks")
        if isinstance(recorded, int):
            return recorded
        return sum(1 for _ in self.iter_all())

    def add(self, chunks: Sequence[Chunk], embeddings: np.ndarray, files: Sequence[str | None] | None = None,
            progress: Callable[[int], None] | None = None) -> None:
        """Write chunks with their embeddings (and corpus files) to the snapshot's newest collection."""
        self._forget()
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start:start + _WRITE_BATCH]
            metadatas: list[dict[str, Any]] = [c.to_metadata() for c in part]
            if files is not None:
                for meta, file in zip(metadatas, files[start:start + len(part)]):
                    if file:
                        meta[FILE_KEY] = file
            vectors = np.asarray(embeddings[start:start + len(part)], dtype=np.float32)
            self._run("write", self._top.add, ids=[c.id for c in part], embeddings=vectors,
                      documents=[c.text for c in part], metadatas=metadatas)
            if progress is not None:
                progress(start + len(part))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        """The k chunks nearest to `vector` (cosine similarity), optionally filtered by metadata."""
        found: list[tuple[Chunk, float]] = []
        for collection, extra in self._layers():
            n = min(k, self._size(collection))
            if n <= 0:
                continue
            result = self._run(
                "search",
                collection.query,
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                where=_and(where, extra),
                include=["documents", "metadatas", "distances"],
            )
            docs = (result.get("documents") or [[]])[0]
            metas = (result.get("metadatas") or [[]])[0]
            dists = (result.get("distances") or [[]])[0]
            found.extend(
                (Chunk.from_metadata(doc, dict(meta)), 1.0 - float(dist))
                for doc, meta, dist in zip(docs, metas, dists)
            )
        found.sort(key=lambda pair: pair[1], reverse=True)
        return found[:k]

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order asked (missing ids are left out)."""
        if not ids:
            return []
        found = {i: c for i, c in zip(ids, self._chunks.get_many(ids)) if c is not None}
        read: dict[str, Chunk] = {}
        for collection, extra in reversed(self._layers()):  # the delta wins over a hidden base chunk
            wanted = [i for i in dict.fromkeys(ids) if i not in found and i not in read]
            if not wanted:
                break
            result = self._run("read", collection.get, ids=wanted, where=extra, include=["documents", "metadatas"])
            for cid, doc, meta in zip(result["ids"], result["documents"] or [], result["metadatas"] or []):
                read[cid] = Chunk.from_metadata(doc, dict(meta))
        self._chunks.put_many(read)
        found.update(read)
        return [found[i] for i in ids if i in found]

    def article(self, article_id: str, limit: int) -> list[Chunk]:
        """The chunks of one article in order of position (at most `limit`), one read per layer."""
        for collection, extra in reversed(self._layers()):  # the delta holds a changed article whole
            result = self._run("read", collection.get, where=_and({"article_id": article_id}, extra),
                               limit=limit, include=["documents", "metadatas"])
            chunks = [Chunk.from_metadata(doc, dict(meta))
                      for doc, meta in zip(result["documents"] or [], result["metadatas"] or [])]
            if chunks:
                return sorted(chunks, key=lambda c: c.n)
        return []

    def similarities(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of `vector` to the stored embeddings of `ids` (embeddings are unit length)."""
        vectors = {i: v for i, v in zip(ids, self._vectors.get_many(ids)) if v is not None}
        read: dict[str, np.ndarray] = {}
        for collection, extra in reversed(self._layers()):
            wanted = [i for i in dict.fromkeys(ids) if i not in vectors and i not in read]
            if not wanted:
                break
            result = self._run("read", collection.get, ids=wanted, where=extra, include=["embeddings"])
            matrix = np.asarray(result["embeddings"], dtype=np.float32)
            if matrix.size == 0:
                continue
            read.update((cid, row.copy()) for cid, row in zip(result["ids"], matrix))  # not views of the batch
        self._vectors.put_many(read)
        vectors.update(read)
        present = [cid for cid in dict.fromkeys(ids) if cid in vectors]
        if not present:
            return {}
        # Row by row (a product and a sum per row), not a matrix product: a matrix product's rounding depends on
        # how many rows it multiplies, and a cosine must not depend on which chunks were read before.
        matrix = np.vstack([vectors[cid] for cid in present]).astype(np.float64)
        scores = (matrix * np.asarray(vector, dtype=np.float64)).sum(axis=1)
        return {cid: float(s) for cid, s in zip(present, scores)}

    def iter_all(self, with_embeddings: bool = False, page: int = _PAGE, layer: str = "all") -> Iterator[StoredChunk]:
        """Every chunk of the snapshot (or of one `layer`: base or delta), page by page."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        for collection, extra in self._layers(layer):
            offset = 0
            while True:
                result = self._run("read", collection.get, include=include, where=extra, limit=page, offset=offset)
                ids = result["ids"]
                if not ids:
                    break
                embeddings = result.get("embeddings") if with_embeddings else None
                for i, (doc, meta) in enumerate(zip(result["documents"] or [], result["metadatas"] or [])):
                    vector = np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None
                    file = meta.get(FILE_KEY)
                    yield StoredChunk(Chunk.from_metadata(doc, dict(meta)), vector, str(file) if file else None)
                offset += len(ids)

    def sample_embeddings(self, n: int) -> np.ndarray:
        """Up to `n` stored embeddings spread evenly over the snapshot, as an (m, dim) float32 array."""
        ids: list[str] = []
        for collection, extra in self._layers():
            ids.extend(self._run("read", collection.get, where=extra, include=[])["ids"])
        if not ids or n <= 0:
            return np.zeros((0, 0), dtype=np.float32)
        if len(ids) > n:
            ids = [ids[int(i)] for i in np.linspace(0, len(ids) - 1, n)]
        vectors: list[np.ndarray] = []
        for collection, extra in reversed(self._layers()):
            result = self._run("read", collection.get, ids=ids, where=extra, include=["embeddings"])
            if len(result["ids"]):
                vectors.append(np.asarray(result["embeddings"], dtype=np.float32))
        return np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
