"""Synthetic scaled indexes for the benchmark: copies of a real index's chunks with perturbed embeddings.

Copy 0 is the real index itself; copy c ≥ 1 of article `A` is article `A~c` (chunk ids `A~c:n`) with the
same text and metadata and its embedding plus Gaussian noise, re-normalised. Latency then exercises the
same Chroma HNSW and BM25 code at ×scale the size. A built store is kept in the bench's work folder with a
fingerprint of what it was built from and reused while that fingerprint matches: writing ~650k chunks to
Chroma takes minutes here, and the copies depend only on the real index's contents and the store format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import index.collection
import index.documents
import index.lexical
import index.snapshot
import index.store
import index.text
from index.collection import ChunkCollection, StoredChunk
from index.documents import Chunk
from index.lexical import LexicalIndex, build_lexical_index, lexical_text
from index.progress import ProgressFn
from index.snapshot import SnapshotFiles, SnapshotWriter
from index.store import open_store
from index.text import analyze

MANIFEST = "bench-scaled.json"
# Build metadata carried over from the real index; layering keys (base, hidden) must never be copied.
_CARRIED_META = ("embedding_model", "dimension", "chunk_tokens", "chunk_overlap")
_COPIES_PER_WRITE = 8  # copies handed to one ChunkCollection.add call (it writes in its own batches)


@dataclass(frozen=True)
class ScaledStore:
    """A scaled index ready to query: where it is, its size and how long building it took."""

    path: Path
    scale: int
    articles: int
    chunks: int
    build_seconds: float
    reused: bool
    built_at: str
    noise: float


def read_base(chunks: ChunkCollection) -> list[StoredChunk]:
    """Every chunk of the real index with its embedding, in a stable order (by chunk id)."""
    stored = [s for s in chunks.iter_all(with_embeddings=True) if s.embedding is not None]
    stored.sort(key=lambda s: s.chunk.id)
    return stored


def fingerprint(base: Sequence[StoredChunk], meta: dict[str, Any], scale: int, noise: float, seed: int) -> str:
    """What a scaled store depends on: the base chunks, the model, the copy parameters and the store format."""
    digest = hashlib.sha256()
    for key in _CARRIED_META:
        digest.update(f"{key}={meta.get(key)}\n".encode())
    digest.update(f"scale={scale} noise={noise} seed={seed}\n".encode())
    for chunk in (s.chunk for s in base):
        digest.update(f"{chunk.id} {chunk.content_hash} {chunk.start} {chunk.end}\n".encode())
    # A change to how chunks are stored, analysed or searched lexically, or to this builder, invalidates the copies.
    for module in (index.store, index.collection, index.snapshot, index.lexical, index.text, index.documents):
        digest.update(Path(inspect.getfile(module)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def copy_chunks(base_chunks: Sequence[Chunk], copy: int) -> list[Chunk]:
    """The chunks of copy `copy` (copy 0 is the base itself): new article ids, hence new chunk ids."""
    if copy == 0:
        return list(base_chunks)
    return [dataclasses.replace(c, article_id=f"{c.article_id}~{copy}") for c in base_chunks]


def perturb(vectors: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-length copies of `vectors` moved by Gaussian noise of standard deviation `noise` per dimension."""
    moved = vectors + rng.normal(0.0, noise, vectors.shape).astype(np.float32)
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(moved / norms, dtype=np.float32)


def replicated_lexical_index(base_chunks: Sequence[Chunk], scale: int) -> LexicalIndex:
    """BM25 over `scale` copies of the base chunks, equal to build_lexical_index over all of them.

    Why not call build_lexical_index on ~650k chunks: it re-tokenises identical texts (over a minute here)
    and holds every token as a string (over 4 GB). The BM25 parameters are read off a real
    build_lexical_index result so they follow index/lexical.py; tests check the scores match exactly.
    """
    import bm25s

    template = build_lexical_index(base_chunks)
    params = template.bm25
    vocab: dict[str, int] = {}
    terms = analyze([lexical_text(c) for c in base_chunks])
    token_ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in terms]
    bm25 = bm25s.BM25(
        k1=params.k1, b=params.b, delta=params.delta, method=params.method, idf_method=params.idf_method,
        dtype=params.dtype, int_dtype=params.int_dtype, backend=params.backend, csc_backend=params.csc_backend,
    )
    bm25.index((token_ids * scale, vocab), show_progress=False)  # the same lists, referenced `scale` times
    ids: list[str] = []
    fields: dict[str, list[Any]] = {name: [] for name in template.fields}
    for copy in range(scale):
        chunks = copy_chunks(base_chunks, copy)
        ids.extend(c.id for c in chunks)
        for name, values in template.fields.items():
            fields[name].extend([c.article_id for c in chunks] if name == "article_id" else values)
    # The copies repeat every article `scale` times: the real corpus's boilerplate is what answers should skip.
    return LexicalIndex(bm25=bm25, ids=ids, fields=fields, repeated=template.repeated)


def build_scaled_store(
    real: ChunkCollection,
    out: Path,
    scale: int,
    *,
    noise: float = 0.01,
    seed: int = 0,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
    base: Sequence[StoredChunk] | None = None,
) -> ScaledStore:
    """A store at `out` holding `scale` copies of the `real` index (built, or reused when its fingerprint matches)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    base = list(base) if base is not None else read_base(real)
    if not base:
        raise ValueError("the index to scale holds no chunks")
    meta = real.metadata
    wanted = fingerprint(base, meta, scale, noise, seed)
    manifest_path = out / MANIFEST
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("fingerprint") == wanted:
            return ScaledStore(
                path=out, scale=scale, articles=int(manifest["articles"]), chunks=int(manifest["chunks"]),
                build_seconds=float(manifest["build_seconds"]), reused=True, built_at=str(manifest["built_at"]),
                noise=noise,
            )
    started = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)
    base_articles = len({s.chunk.article_id for s in base})
    total = len(base) * scale
    metadata: dict[str, str | int] = {k: meta[k] for k in _CARRIED_META if k in meta}
    metadata.update({
        "articles": base_articles * scale,
        "chunks": total,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "synthetic_scale": scale,
        "synthetic_noise": str(noise),
    })
    store = open_store(out, create=True)
    snapshot = SnapshotWriter.start(store, SnapshotFiles(out), metadata)
    vectors = np.stack([np.asarray(s.embedding, dtype=np.float32) for s in base])
    files = [s.file for s in base]
    base_chunks = [s.chunk for s in base]
    rng = np.random.default_rng(seed)
    written = 0
    for first in range(0, scale, _COPIES_PER_WRITE):
        copies = range(first, min(scale, first + _COPIES_PER_WRITE))
        chunks = [c for copy in copies for c in copy_chunks(base_chunks, copy)]
        embeddings = np.vstack([vectors if copy == 0 else perturb(vectors, noise, rng) for copy in copies])
        done_before = written

        def tick(n: int, offset: int = done_before) -> None:
            if progress is not None:
                progress("writing", offset + n, total)

        snapshot.chunks.add(chunks, embeddings, files * len(copies), progress=tick)
        written += len(chunks)
    if progress is not None:
        progress("lexical", 0, 1)
    snapshot.save_lexical(replicated_lexical_index(base_chunks, scale))
    if progress is not None:
        progress("lexical", 1, 1)
    snapshot.activate()
    seconds = time.perf_counter() - started
    built_at = str(metadata["built_at"])
    manifest_path.write_text(json.dumps({
        "fingerprint": wanted, "scale": scale, "articles": base_articles * scale, "chunks": total,
        "build_seconds": seconds, "built_at": built_at, "noise": noise, "seed": seed,
    }))
    return ScaledStore(
        path=out, scale=scale, articles=base_articles * scale, chunks=total, build_seconds=seconds,
        reused=False, built_at=built_at, noise=noise,
    )
