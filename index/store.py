"""Chroma storage (embedded PersistentClient or a Chroma server): which index snapshot readers see.

Readers see one *snapshot* of the index at a time (index/snapshot.py), named by a pointer kept in the
metadata of the collection `newsbot-meta`. A snapshot's chunks are one collection (a *base*) or a small
*delta* collection layered over a base (index/collection.py). Collections are never modified once a
snapshot points at them; a rebuild writes a new collection and then flips the pointer in one metadata
write, so a rebuild that fails or is killed leaves the previous snapshot complete. This module and
index/collection.py are the only ones that import chromadb.
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
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from index.collection import ChunkCollection
from index.errors import ModelMismatchError, NoIndexError, RebuildBusyError, StoreError
from index.failures import CHROMA_FAILURES, explain, one_line, server_command
from index.record import IndexProfile, read_profile, recorded_corpus, write_mirror

META_COLLECTION = "newsbot-meta"
LOCK_COLLECTION = "newsbot-rebuild-lock"
CHUNK_PREFIX = "newsbot-chunks-"
BASE_KEY = "base"  # delta metadata: name of the base collection it is layered over
HIDDEN_KEY = "hidden"  # delta metadata: JSON list of article ids of the base that the snapshot leaves out
LEASE_SECONDS = 120.0  # a server-side rebuild lock not renewed for this long is abandoned
_OPEN_FAILURES: tuple[type[BaseException], ...] = (*CHROMA_FAILURES, ValueError)  # ValueError: a bad URL or path


@dataclass(frozen=True)
class IndexInfo:
    """What `index stats` reports about the active index (`collection`: the active snapshot's name).

    `corpus` is the corpus it was built from and `profile` what its articles cover; both None for an index
    built before they were recorded.
    """

    location: str
    collection: str
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap: int
    built_at: str
    articles: int
    chunks: int
    corpus: str | None = None
    profile: IndexProfile | None = None


class Store:
    """The index's home: an embedded Chroma folder or a Chroma server."""

    def __init__(self, client: Any, location: str, server: bool = False) -> None:
        self._client = client
        self.location = location
        self.server = server

    def _fail(self, action: str, exc: BaseException) -> StoreError:
        return explain(exc, action, self.location, self.server)

    def _chunks(self, top: Any, base: Any | None = None, hidden: Sequence[str] = ()) -> ChunkCollection:
        return ChunkCollection(top, base, hidden, fail=self._fail)

    def _meta(self) -> Any:
        return self._client.get_or_create_collection(META_COLLECTION, embedding_function=None)

    def _pointer(self) -> dict[str, Any]:
        try:
            return dict(self._meta().metadata or {})
        except CHROMA_FAILURES as exc:
            raise self._fail("read", exc) from exc

    def active_name(self) -> str | None:
        """Name of the active snapshot (cheap: lets readers notice a finished rebuild)."""
        name = self._pointer().get("active")
        return str(name) if name else None

    def active(self) -> ChunkCollection | None:
        """The chunks of the snapshot readers should use, or None when no index was ever completed."""
        name = self.active_name()
        return self.collection(name) if name else None

    def collection(self, name: str) -> ChunkCollection | None:
        """The chunks of the snapshot named `name` (its newest collection), or None when it no longer exists."""
        try:
            top = self._client.get_collection(name, embedding_function=None)
            meta = top.metadata or {}
            base_name = meta.get(BASE_KEY)
            if not base_name:
                return self._chunks(top)
            base = self._client.get_collection(str(base_name), embedding_function=None)
            return self._chunks(top, base, json.loads(str(meta.get(HIDDEN_KEY) or "[]")))
        except NotFoundError:
            return None
        except CHROMA_FAILURES as exc:
            raise self._fail("read", exc) from exc

    def require_active(self, embedding_model: str | None = None) -> ChunkCollection:
        """The chunks of the active snapshot; refuse a missing index or one built with another model."""
        chunks = self.active()
        if chunks is None:
            raise NoIndexError(f"no index at {self.location} — run `python -m index rebuild`")
        if embedding_model is not None:
            check_model(chunks.metadata, embedding_model, self.location)
        return chunks

    def info(self) -> IndexInfo:
        """Statistics of the active index."""
        chunks = self.require_active()
        meta = chunks.metadata
        return IndexInfo(
            location=self.location,
            collection=chunks.name,
            embedding_model=str(meta.get("embedding_model", "?")),
            dimension=int(meta.get("dimension", 0)),
            chunk_tokens=int(meta.get("chunk_tokens", 0)),
            chunk_overlap=int(meta.get("chunk_overlap", 0)),
            built_at=str(meta.get("built_at", "?")),
            articles=int(meta.get("articles", 0)),
            chunks=chunks.count(),
            corpus=str(corpus) if (corpus := recorded_corpus(meta)) else None,
            profile=read_profile(meta),
        )

    def create_collection(
        self, metadata: dict[str, str | int], base: ChunkCollection | None = None, hidden: Sequence[str] = ()
    ) -> ChunkCollection:
        """The chunks of a new, empty, not-yet-active snapshot for a rebuild to fill; a delta over `base` when given."""
        name = f"{CHUNK_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        meta: dict[str, Any] = dict(metadata)
        if base is not None:
            meta[BASE_KEY] = base.base_name
            meta[HIDDEN_KEY] = json.dumps(sorted(set(hidden)))
        try:
            top = self._client.create_collection(
                name, embedding_function=None, metadata=meta, configuration={"hnsw": {"space": "cosine"}}
            )
            base_top = (
                self._client.get_collection(base.base_name, embedding_function=None) if base is not None else None
            )
        except CHROMA_FAILURES as exc:
            raise self._fail("create a collection in", exc) from exc
        return self._chunks(top, base_top, hidden)

    def activate(self, chunks: ChunkCollection) -> None:
        """Make the snapshot of `chunks` the one readers see (one metadata write: atomic for readers)."""
        previous = self.active_name()
        pointer: dict[str, Any] = {"active": chunks.name, "activated_at": time.time()}
        if previous and previous != chunks.name:
            pointer["previous"] = previous  # kept one more rebuild: a reader may be mid-query on it
        try:
            self._meta().modify(metadata=pointer)
        except CHROMA_FAILURES as exc:
            raise self._fail("switch", exc) from exc
        if not self.server:
            write_mirror(Path(self.location), chunks.metadata)

    def retained_snapshots(self) -> set[str]:
        """Snapshots that must survive a cleanup: the active one and the one it replaced."""
        pointer = self._pointer()
        return {str(pointer[key]) for key in ("active", "previous") if pointer.get(key)}

    def drop(self, name: str) -> None:
        """Delete one chunk collection (of an old snapshot or an aborted build)."""
        try:
            self._client.delete_collection(name)
        except NotFoundError:
            return
        except CHROMA_FAILURES as exc:
            raise self._fail("clean up", exc) from exc

    def stale_collections(self) -> list[str]:
        """Chunk collections no retained snapshot uses: old snapshots' and leftovers of killed rebuilds."""
        keep: set[str] = set()
        for name in self.retained_snapshots():
            chunks = self.collection(name)
            if chunks is not None:
                keep |= {chunks.name, chunks.base_name}
        try:
            names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        except CHROMA_FAILURES as exc:
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
            with contextlib.suppress(*CHROMA_FAILURES):
                self._client.get_collection(LOCK_COLLECTION).modify(
                    metadata={"holder": holder, "heartbeat": time.time()}
                )

        try:
            yield renew
        finally:
            with contextlib.suppress(*CHROMA_FAILURES):  # the server may be gone: the lease then runs out
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
            except CHROMA_FAILURES as exc:
                try:
                    meta = dict(self._client.get_collection(LOCK_COLLECTION).metadata or {})
                except NotFoundError:
                    continue  # released between our two calls: try again
                except CHROMA_FAILURES:
                    raise self._fail("lock", exc) from exc
            other = str(meta.get("holder", "?"))
            silent = time.time() - float(meta.get("heartbeat", 0.0))
            if not _holder_gone(other) and silent < LEASE_SECONDS:
                raise RebuildBusyError(
                    f"another rebuild ({other}, last heard from {silent:.0f} s ago) is writing the index at "
                    f"{self.location}; wait for it to finish, then run this again"
                )
            try:
                self._client.delete_collection(LOCK_COLLECTION)
            except NotFoundError:
                pass
            except CHROMA_FAILURES as exc:
                raise self._fail("lock", exc) from exc
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
        except _OPEN_FAILURES as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {chroma_url}: {one_line(exc)} — start it with "
                f"{server_command(chroma_url)}, fix --chroma-url (or BOT_CHROMA_URL), or leave both unset to use "
                "the embedded store"
            ) from exc
        return Store(client, chroma_url, server=True)
    store_dir = Path(store_dir)
    if not create and not store_dir.exists():
        raise NoIndexError(f"no index at {store_dir} — run `python -m index rebuild`")
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)
    except _OPEN_FAILURES as exc:
        raise explain(exc, "open", str(store_dir), server=False) from exc
    return Store(client, str(store_dir))
