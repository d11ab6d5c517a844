"""Chroma storage (embedded PersistentClient or a Chroma server); the only module that imports chromadb.

A rebuild writes a brand-new collection and then flips one pointer, so readers always see a complete
index: a rebuild that fails or is killed leaves the previous collection active and untouched.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from index.documents import Chunk
from index.errors import ModelMismatchError, NoIndexError, StoreError

META_COLLECTION = "newsbot-meta"
CHUNK_PREFIX = "newsbot-chunks-"
_WRITE_BATCH = 1000


@dataclass(frozen=True)
class IndexInfo:
    """What `index stats` reports about the active index."""

    location: str
    collection: str
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap: int
    built_at: str
    articles: int
    chunks: int


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store, with its embedding when asked for."""

    chunk: Chunk
    embedding: np.ndarray | None = None


class ChunkCollection:
    """One generation of the index: chunks, their embeddings and metadata."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    @property
    def name(self) -> str:
        """Chroma collection name (unique per build)."""
        return str(self._collection.name)

    @property
    def metadata(self) -> dict[str, Any]:
        """Build metadata: embedding model, chunking parameters, time, counts."""
        return dict(self._collection.metadata or {})

    def count(self) -> int:
        """Number of chunks."""
        return int(self._collection.count())

    def add(self, chunks: Sequence[Chunk], embeddings: np.ndarray) -> None:
        """Write chunks with their embeddings."""
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start:start + _WRITE_BATCH]
            try:
                self._collection.add(
                    ids=[c.id for c in part],
                    embeddings=np.asarray(embeddings[start:start + len(part)], dtype=np.float32),
                    documents=[c.text for c in part],
                    metadatas=[c.to_metadata() for c in part],  # type: ignore[misc]
                )
            except ChromaError as exc:
                raise StoreError(f"cannot write to the index: {exc}") from exc

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        """The k chunks nearest to `vector` (cosine similarity), optionally filtered by metadata."""
        k = min(k, self.count())
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        docs = (result.get("documents") or [[]])[0]
        metas = (result.get("metadatas") or [[]])[0]
        dists = (result.get("distances") or [[]])[0]
        return [
            (Chunk.from_metadata(doc, dict(meta)), 1.0 - float(dist))
            for doc, meta, dist in zip(docs, metas, dists)
        ]

    def get(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order asked (missing ids are left out)."""
        if not ids:
            return []
        result = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            cid: Chunk.from_metadata(doc, dict(meta))
            for cid, doc, meta in zip(result["ids"], result["documents"] or [], result["metadatas"] or [])
        }
        return [found[i] for i in ids if i in found]

    def similarities(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of `vector` to the stored embeddings of `ids` (embeddings are unit length)."""
        if not ids:
            return {}
        result = self._collection.get(ids=list(ids), include=["embeddings"])
        matrix = np.asarray(result["embeddings"], dtype=np.float32)
        if matrix.size == 0:
            return {}
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        return {cid: float(s) for cid, s in zip(result["ids"], sims)}

    def iter_all(self, with_embeddings: bool = False, page: int = 2000) -> Iterator[StoredChunk]:
        """Every chunk, page by page."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        offset = 0
        while True:
            result = self._collection.get(include=include, limit=page, offset=offset)
            ids = result["ids"]
            if not ids:
                return
            embeddings = result.get("embeddings") if with_embeddings else None
            for i, (doc, meta) in enumerate(zip(result["documents"] or [], result["metadatas"] or [])):
                vector = np.asarray(embeddings[i], dtype=np.float32) if embeddings is not None else None
                yield StoredChunk(Chunk.from_metadata(doc, dict(meta)), vector)
            offset += len(ids)

    def distinct_values(self, field: str) -> list[str]:
        """Sorted distinct values of a metadata field (e.g. every outlet in the index)."""
        values: set[str] = set()
        for stored in self.iter_all():
            value = getattr(stored.chunk, field, None)
            if value:
                values.add(str(value))
        return sorted(values)


class Store:
    """The index's home: an embedded Chroma folder or a Chroma server."""

    def __init__(self, client: Any, location: str) -> None:
        self._client = client
        self.location = location

    def _meta(self) -> Any:
        return self._client.get_or_create_collection(META_COLLECTION, embedding_function=None)

    def active(self) -> ChunkCollection | None:
        """The collection readers should use, or None when no index was ever completed."""
        try:
            name = (self._meta().metadata or {}).get("active")
            if not name:
                return None
            return ChunkCollection(self._client.get_collection(name, embedding_function=None))
        except NotFoundError:
            return None
        except ChromaError as exc:
            raise StoreError(f"cannot read the index at {self.location}: {exc}") from exc

    def active_name(self) -> str | None:
        """Name of the active collection (cheap: lets readers notice a finished rebuild)."""
        try:
            return (self._meta().metadata or {}).get("active")
        except ChromaError as exc:
            raise StoreError(f"cannot read the index at {self.location}: {exc}") from exc

    def require_active(self, embedding_model: str | None = None) -> ChunkCollection:
        """The active collection; refuse a missing index or one built with another model."""
        collection = self.active()
        if collection is None:
            raise NoIndexError(f"no index at {self.location} — run `python -m index rebuild`")
        if embedding_model is not None:
            check_model(collection.metadata, embedding_model, self.location)
        return collection

    def info(self) -> IndexInfo:
        """Statistics of the active index."""
        collection = self.require_active()
        meta = collection.metadata
        return IndexInfo(
            location=self.location,
            collection=collection.name,
            embedding_model=str(meta.get("embedding_model", "?")),
            dimension=int(meta.get("dimension", 0)),
            chunk_tokens=int(meta.get("chunk_tokens", 0)),
            chunk_overlap=int(meta.get("chunk_overlap", 0)),
            built_at=str(meta.get("built_at", "?")),
            articles=int(meta.get("articles", 0)),
            chunks=collection.count(),
        )

    def create_generation(self, metadata: dict[str, str | int]) -> ChunkCollection:
        """A new, empty, not-yet-active collection for a rebuild to fill."""
        name = f"{CHUNK_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        try:
            collection = self._client.create_collection(
                name,
                embedding_function=None,
                metadata=dict(metadata),
                configuration={"hnsw": {"space": "cosine"}},
            )
        except ChromaError as exc:
            raise StoreError(f"cannot create a collection in {self.location}: {exc}") from exc
        return ChunkCollection(collection)

    def update_generation_metadata(self, generation: ChunkCollection, metadata: dict[str, str | int]) -> None:
        """Record final counts on a generation before it is activated."""
        merged = {**generation.metadata, **metadata}
        self._client.get_collection(generation.name, embedding_function=None).modify(metadata=merged)

    def activate(self, generation: ChunkCollection) -> None:
        """Make `generation` the index readers see (one metadata write: atomic for readers)."""
        try:
            self._meta().modify(metadata={"active": generation.name, "activated_at": time.time()})
        except ChromaError as exc:
            raise StoreError(f"cannot switch the index at {self.location}: {exc}") from exc

    def drop(self, name: str) -> None:
        """Delete one collection (an old generation or an aborted build)."""
        with contextlib.suppress(NotFoundError):
            self._client.delete_collection(name)

    def stale_generations(self) -> list[str]:
        """Chunk collections that are not active: old generations and leftovers of killed rebuilds."""
        active = self.active_name()
        names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        return [n for n in names if n.startswith(CHUNK_PREFIX) and n != active]


def check_model(meta: dict[str, Any], embedding_model: str, location: str) -> None:
    """Refuse an index built with another embedding model, naming both and saying what to do."""
    built_with = meta.get("embedding_model")
    if built_with and built_with != embedding_model:
        raise ModelMismatchError(
            f"the index at {location} was built with the embedding model {built_with!r}, "
            f"but {embedding_model!r} is configured: rebuild it with `python -m index rebuild --full`, "
            f"or set BOT_EMBED_MODEL={built_with}"
        )


def open_store(store_dir: Path, chroma_url: str | None = None, create: bool = False) -> Store:
    """Open the embedded store at `store_dir`, or the Chroma server at `chroma_url` when given."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not parsed.hostname:
            raise StoreError(f"cannot read the Chroma URL {chroma_url!r}: use the form http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except (ChromaError, ValueError, ConnectionError, OSError) as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {chroma_url}: {exc} — start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port 8000` or drop --chroma-url"
            ) from exc
        return Store(client, chroma_url)
    store_dir = Path(store_dir)
    if not create and not store_dir.exists():
        raise NoIndexError(f"no index at {store_dir} — run `python -m index rebuild`")
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)
    except (ChromaError, OSError) as exc:
        raise StoreError(f"cannot open the index folder {store_dir}: {exc} — check it is writable") from exc
    return Store(client, str(store_dir))
