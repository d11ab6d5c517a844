"""Chroma storage (embedded PersistentClient or a Chroma server); the only module that imports chromadb.

Readers see one *view* of the index at a time, named by a pointer kept in the metadata of the collection
`newsbot-meta`. A view is either one collection (a *base*) or a small *delta* collection layered over a
base: the delta holds the chunks of new and changed articles, and names the base articles it hides
(changed or removed ones). Collections are never modified once a view points at them; a rebuild writes a
new collection and then flips the pointer in one metadata write, so a rebuild that fails or is killed
leaves the previous view complete, and a sync after editing one article writes a handful of chunks
instead of copying the whole index.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from index.documents import Chunk
from index.errors import ModelMismatchError, NoIndexError, RebuildBusyError, StoreError

META_COLLECTION = "newsbot-meta"
LOCK_COLLECTION = "newsbot-rebuild-lock"
CHUNK_PREFIX = "newsbot-chunks-"
FILE_KEY = "file"  # chunk metadata: corpus file the article came from (lets a rebuild keep unreadable files)
BASE_KEY = "base"  # delta metadata: name of the base collection it is layered over
HIDDEN_KEY = "hidden"  # delta metadata: JSON list of article ids of the base that the view leaves out
LEASE_SECONDS = 120.0  # a server-side rebuild lock not renewed for this long is abandoned
_WRITE_BATCH = 1000
_PAGE = 2000


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
    """One view of the index: a collection, or a delta layered over a base with some base articles hidden."""

    def __init__(self, top: Any, base: Any | None = None, hidden: Sequence[str] = ()) -> None:
        self._top = top
        self._base = base
        self._hidden = sorted(set(hidden))

    @property
    def name(self) -> str:
        """Name of the view (its newest collection; unique per build)."""
        return str(self._top.name)

    @property
    def base_name(self) -> str:
        """Name of the base collection (the view's own name when it has no delta)."""
        return str((self._base if self._base is not None else self._top).name)

    @property
    def layered(self) -> bool:
        """True when the view is a delta over a base."""
        return self._base is not None

    @property
    def hidden(self) -> list[str]:
        """Article ids of the base that this view leaves out (changed or removed since the base was built)."""
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
        """Number of chunks in the view."""
        if self._base is None:
            return int(self._top.count())
        recorded = self.metadata.get("chunks")
        if isinstance(recorded, int):
            return recorded
        return sum(1 for _ in self.iter_all())

    def add(self, chunks: Sequence[Chunk], embeddings: np.ndarray, files: Sequence[str | None] | None = None,
            progress: Callable[[int], None] | None = None) -> None:
        """Write chunks with their embeddings (and corpus files) to the view's newest collection."""
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start:start + _WRITE_BATCH]
            metadatas: list[dict[str, Any]] = [c.to_metadata() for c in part]
            if files is not None:
                for meta, file in zip(metadatas, files[start:start + len(part)]):
                    if file:
                        meta[FILE_KEY] = file
            try:
                self._top.add(
                    ids=[c.id for c in part],
                    embeddings=np.asarray(embeddings[start:start + len(part)], dtype=np.float32),
                    documents=[c.text for c in part],
                    metadatas=metadatas,
                )
            except ChromaError as exc:
                raise StoreError(f"cannot write to the index: {exc} — check the disk or the Chroma server") from exc
            if progress is not None:
                progress(start + len(part))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        """The k chunks nearest to `vector` (cosine similarity), optionally filtered by metadata."""
        found: list[tuple[Chunk, float]] = []
        for collection, extra in self._layers():
            n = min(k, int(collection.count()))
            if n <= 0:
                continue
            result = collection.query(
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
        found: dict[str, Chunk] = {}
        for collection, extra in reversed(self._layers()):  # the delta wins over a hidden base chunk
            wanted = [i for i in ids if i not in found]
            if not wanted:
                break
            result = collection.get(ids=wanted, where=extra, include=["documents", "metadatas"])
            for cid, doc, meta in zip(result["ids"], result["documents"] or [], result["metadatas"] or []):
                found[cid] = Chunk.from_metadata(doc, dict(meta))
        return [found[i] for i in ids if i in found]

    def similarities(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of `vector` to the stored embeddings of `ids` (embeddings are unit length)."""
        sims: dict[str, float] = {}
        for collection, extra in reversed(self._layers()):
            wanted = [i for i in ids if i not in sims]
            if not wanted:
                break
            result = collection.get(ids=wanted, where=extra, include=["embeddings"])
            matrix = np.asarray(result["embeddings"], dtype=np.float32)
            if matrix.size == 0:
                continue
            scores = matrix @ np.asarray(vector, dtype=np.float32)
            sims.update({cid: float(s) for cid, s in zip(result["ids"], scores)})
        return sims

    def iter_all(self, with_embeddings: bool = False, page: int = _PAGE, layer: str = "all") -> Iterator[StoredChunk]:
        """Every chunk of the view (or of one `layer`: base or delta), page by page."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        for collection, extra in self._layers(layer):
            offset = 0
            while True:
                result = collection.get(include=include, where=extra, limit=page, offset=offset)
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
        """Up to `n` stored embeddings spread evenly over the view, as an (m, dim) float32 array."""
        ids: list[str] = []
        for collection, extra in self._layers():
            ids.extend(collection.get(where=extra, include=[])["ids"])
        if not ids or n <= 0:
            return np.zeros((0, 0), dtype=np.float32)
        if len(ids) > n:
            ids = [ids[int(i)] for i in np.linspace(0, len(ids) - 1, n)]
        vectors: list[np.ndarray] = []
        for collection, extra in reversed(self._layers()):
            result = collection.get(ids=ids, where=extra, include=["embeddings"])
            if len(result["ids"]):
                vectors.append(np.asarray(result["embeddings"], dtype=np.float32))
        return np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


class Store:
    """The index's home: an embedded Chroma folder or a Chroma server."""

    def __init__(self, client: Any, location: str, server: bool = False) -> None:
        self._client = client
        self.location = location
        self.server = server

    def _fail(self, action: str, exc: Exception) -> StoreError:
        advice = "check the Chroma server is running" if self.server else "check the folder is readable and writable"
        return StoreError(f"cannot {action} the index at {self.location}: {exc} — {advice}")

    def _meta(self) -> Any:
        return self._client.get_or_create_collection(META_COLLECTION, embedding_function=None)

    def _pointer(self) -> dict[str, Any]:
        try:
            return dict(self._meta().metadata or {})
        except ChromaError as exc:
            raise self._fail("read", exc) from exc

    def active_name(self) -> str | None:
        """Name of the active view (cheap: lets readers notice a finished rebuild)."""
        name = self._pointer().get("active")
        return str(name) if name else None

    def active(self) -> ChunkCollection | None:
        """The view readers should use, or None when no index was ever completed."""
        name = self.active_name()
        return self.view(name) if name else None

    def view(self, name: str) -> ChunkCollection | None:
        """The view whose newest collection is `name`, or None when it no longer exists."""
        try:
            top = self._client.get_collection(name, embedding_function=None)
            meta = top.metadata or {}
            base_name = meta.get(BASE_KEY)
            if not base_name:
                return ChunkCollection(top)
            base = self._client.get_collection(str(base_name), embedding_function=None)
            return ChunkCollection(top, base, json.loads(str(meta.get(HIDDEN_KEY) or "[]")))
        except NotFoundError:
            return None
        except ChromaError as exc:
            raise self._fail("read", exc) from exc

    def require_active(self, embedding_model: str | None = None) -> ChunkCollection:
        """The active view; refuse a missing index or one built with another model."""
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

    def create_generation(
        self, metadata: dict[str, str | int], base: ChunkCollection | None = None, hidden: Sequence[str] = ()
    ) -> ChunkCollection:
        """A new, empty, not-yet-active collection for a rebuild to fill; a delta over `base` when given."""
        name = f"{CHUNK_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        meta: dict[str, Any] = dict(metadata)
        if base is not None:
            meta[BASE_KEY] = base.base_name
            meta[HIDDEN_KEY] = json.dumps(sorted(set(hidden)))
        try:
            collection = self._client.create_collection(
                name, embedding_function=None, metadata=meta, configuration={"hnsw": {"space": "cosine"}}
            )
            base_collection = (
                self._client.get_collection(base.base_name, embedding_function=None) if base is not None else None
            )
        except ChromaError as exc:
            raise self._fail("create a collection in", exc) from exc
        return ChunkCollection(collection, base_collection, hidden)

    def activate(self, generation: ChunkCollection) -> None:
        """Make `generation` the view readers see (one metadata write: atomic for readers)."""
        previous = self.active_name()
        pointer: dict[str, Any] = {"active": generation.name, "activated_at": time.time()}
        if previous and previous != generation.name:
            pointer["previous"] = previous  # kept one more rebuild: a reader may be mid-query on it
        try:
            self._meta().modify(metadata=pointer)
        except ChromaError as exc:
            raise self._fail("switch", exc) from exc

    def retained_views(self) -> set[str]:
        """Views that must survive a cleanup: the active one and the one it replaced."""
        pointer = self._pointer()
        return {str(pointer[key]) for key in ("active", "previous") if pointer.get(key)}

    def drop(self, name: str) -> None:
        """Delete one collection (an old generation or an aborted build)."""
        try:
            self._client.delete_collection(name)
        except NotFoundError:
            return
        except ChromaError as exc:
            raise self._fail("clean up", exc) from exc

    def stale_generations(self) -> list[str]:
        """Chunk collections no retained view uses: old generations and leftovers of killed rebuilds."""
        keep: set[str] = set()
        for name in self.retained_views():
            view = self.view(name)
            if view is not None:
                keep |= {view.name, view.base_name}
        try:
            names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        except ChromaError as exc:
            raise self._fail("read", exc) from exc
        return sorted(n for n in names if n.startswith(CHUNK_PREFIX) and n not in keep)

    @contextlib.contextmanager
    def rebuild_lease(self) -> Iterator[Callable[[], None]]:
        """Server-side rebuild lock, for rebuilds on different machines sharing one Chroma server.

        Created atomically (creating an existing collection fails); yields a function to call now and
        then so other rebuilds do not take a crashed holder's silence for a live one.
        """
        holder = f"{socket.gethostname()}:{os.getpid()}"
        self._take_lease(holder)
        last = time.monotonic()

        def renew() -> None:
            nonlocal last
            if time.monotonic() - last < LEASE_SECONDS / 6:
                return
            last = time.monotonic()
            with contextlib.suppress(ChromaError):
                self._client.get_collection(LOCK_COLLECTION).modify(
                    metadata={"holder": holder, "heartbeat": time.time()}
                )

        try:
            yield renew
        finally:
            with contextlib.suppress(ChromaError):
                lock = self._client.get_collection(LOCK_COLLECTION)
                if (lock.metadata or {}).get("holder") == holder:
                    self._client.delete_collection(LOCK_COLLECTION)

    def _take_lease(self, holder: str) -> None:
        for _ in range(2):
            try:
                self._client.create_collection(
                    LOCK_COLLECTION, embedding_function=None, metadata={"holder": holder, "heartbeat": time.time()}
                )
                return
            except ChromaError as exc:
                try:
                    meta = dict(self._client.get_collection(LOCK_COLLECTION).metadata or {})
                except NotFoundError:
                    continue  # released between our two calls: try again
                except ChromaError:
                    raise self._fail("lock", exc) from exc
            other = str(meta.get("holder", "?"))
            silent = time.time() - float(meta.get("heartbeat", 0.0))
            if not _holder_gone(other) and silent < LEASE_SECONDS:
                raise RebuildBusyError(
                    f"another rebuild ({other}, last heard from {silent:.0f} s ago) is writing the index at "
                    f"{self.location}; wait for it to finish, then run this again"
                )
            with contextlib.suppress(NotFoundError):
                self._client.delete_collection(LOCK_COLLECTION)
        raise RebuildBusyError(
            f"another rebuild is taking the lock of the index at {self.location}; wait a moment and run this again"
        )


def _holder_gone(holder: str) -> bool:
    """True when the lock holder ran on this machine and its process has exited."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


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
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        except ValueError:
            port = None
        if not parsed.hostname or port is None or parsed.scheme not in ("http", "https"):
            raise StoreError(f"cannot read the Chroma URL {chroma_url!r}: use the form http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings
            )
            client.heartbeat()
        except (ChromaError, ValueError, ConnectionError, OSError) as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {chroma_url}: {exc} — start it with "
                f"`chroma run --path DIR --host {parsed.hostname} --port {port}`, fix --chroma-url "
                "(or BOT_CHROMA_URL), or leave both unset to use the embedded store"
            ) from exc
        return Store(client, chroma_url, server=True)
    store_dir = Path(store_dir)
    if not create and not store_dir.exists():
        raise NoIndexError(f"no index at {store_dir} — run `python -m index rebuild`")
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)
    except (ChromaError, OSError) as exc:
        raise StoreError(f"cannot open the index folder {store_dir}: {exc} — check it is writable") from exc
    return Store(client, str(store_dir))
