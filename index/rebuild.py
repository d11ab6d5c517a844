"""Sync the index with the corpus: load, chunk, embed what changed, write a new generation, switch."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunking import split_into_chunks
from index.documents import Article, Chunk
from index.embedding import Embedder
from index.errors import NothingToIndexError, RebuildBusyError
from index.lexical import build_lexical_index, lexical_dir
from index.loaders import Skipped, load_articles
from index.settings import Settings
from index.store import ChunkCollection, Store, check_model, open_store

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class RebuildReport:
    """The summary a rebuild prints: counts, skipped files with reasons, time."""

    store: str
    articles: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_chunks: int = 0
    files_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False
    changed: bool = True
    note: str = ""


@contextmanager
def rebuild_lock(store_dir: Path) -> Iterator[None]:
    """Exclusive lock so two rebuilds never write the same store at once."""
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / ".rebuild.lock"
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise RebuildBusyError(
                f"another rebuild (pid {holder}) is writing the index at {store_dir}; "
                "wait for it to finish, then run this again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def rebuild_index(
    settings: Settings,
    embedder: Embedder,
    *,
    full: bool = False,
    progress: ProgressFn | None = None,
) -> RebuildReport:
    """Bring the index in line with `settings.corpus`; unchanged articles keep their embeddings."""
    started = time.perf_counter()
    report = RebuildReport(store=settings.chroma_url or str(settings.store), full=full)
    with rebuild_lock(Path(settings.store)):
        loaded = load_articles(Path(settings.corpus))
        report.skipped, report.warnings, report.files_seen = loaded.skipped, loaded.warnings, loaded.files_seen
        if not loaded.articles:
            raise NothingToIndexError(
                f"no usable article found in {settings.corpus} ({loaded.files_seen} files looked at, "
                f"{len(loaded.skipped)} skipped) — add .md, .txt, .html, .json or .jsonl articles and run again"
            )
        store = open_store(Path(settings.store), settings.chroma_url, create=True)
        previous = store.active()
        reusable = _reusable_chunks(previous, settings, embedder, full, report)
        _sync(store, previous, reusable, loaded.articles, settings, embedder, report, progress)
        _drop_stale(store, Path(settings.store))
    report.seconds = time.perf_counter() - started
    return report


def _reusable_chunks(
    previous: ChunkCollection | None, settings: Settings, embedder: Embedder, full: bool, report: RebuildReport
) -> dict[tuple[str, str], list[tuple[Chunk, np.ndarray]]]:
    if previous is None or full:
        report.full = True
        return {}
    meta = previous.metadata
    check_model(meta, embedder.name, report.store)
    if (meta.get("chunk_tokens"), meta.get("chunk_overlap")) != (settings.chunk_tokens, settings.chunk_overlap):
        report.full = True
        report.note = "chunk size changed since the last build: every article was re-chunked"
        return {}
    grouped: dict[tuple[str, str], list[tuple[Chunk, np.ndarray]]] = {}
    for stored in previous.iter_all(with_embeddings=True):
        assert stored.embedding is not None
        key = (stored.chunk.article_id, stored.chunk.content_hash)
        grouped.setdefault(key, []).append((stored.chunk, stored.embedding))
    for chunks in grouped.values():
        chunks.sort(key=lambda pair: pair[0].n)
    return grouped


def _sync(
    store: Store,
    previous: ChunkCollection | None,
    reusable: dict[tuple[str, str], list[tuple[Chunk, np.ndarray]]],
    articles: list[Article],
    settings: Settings,
    embedder: Embedder,
    report: RebuildReport,
    progress: ProgressFn | None,
) -> None:
    previous_ids = {article_id for article_id, _ in reusable}
    kept: list[tuple[Chunk, np.ndarray]] = []
    fresh: list[Chunk] = []
    for i, article in enumerate(articles):
        key = (article.id, article.content_hash)
        if key in reusable:
            kept.extend(reusable[key])
            report.unchanged += 1
        else:
            fresh.extend(split_into_chunks(article, settings.chunk_tokens, settings.chunk_overlap))
            if article.id in previous_ids:
                report.updated += 1
            else:
                report.added += 1
        if progress:
            progress("chunking", i + 1, len(articles))
    current_ids = {a.id for a in articles}
    report.removed = len(previous_ids - current_ids)
    report.articles = len(articles)
    report.chunks = len(kept) + len(fresh)
    if previous is not None and not report.full and not fresh and not report.removed:
        report.changed = False
        return

    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, len(fresh))

    if progress:
        progress("embedding", 0, len(fresh))
    vectors = embedder.embed_texts([embedding_text(c) for c in fresh], progress=advance)
    report.embedded_chunks = len(fresh)

    generation = store.create_generation(
        {
            "embedding_model": embedder.name,
            "dimension": embedder.dim,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
        }
    )
    try:
        all_chunks = [c for c, _ in kept] + fresh
        parts = ([np.stack([v for _, v in kept])] if kept else []) + ([vectors] if fresh else [])
        all_vectors = np.vstack(parts)
        if progress:
            progress("writing", 0, len(all_chunks))
        generation.add(all_chunks, all_vectors)
        if progress:
            progress("writing", len(all_chunks), len(all_chunks))
        build_lexical_index(all_chunks).save(lexical_dir(Path(settings.store), generation.name))
        store.update_generation_metadata(
            generation,
            {"articles": len(articles), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
        )
        store.activate(generation)
    except BaseException:
        # Leave the previous generation active and remove the half-built one.
        store.drop(generation.name)
        shutil.rmtree(lexical_dir(Path(settings.store), generation.name), ignore_errors=True)
        raise


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees for a chunk: the title gives short passages their topic."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def _drop_stale(store: Store, store_dir: Path) -> None:
    active = store.active_name()
    for name in store.stale_generations():
        store.drop(name)
    lexical_root = store_dir / "lexical"
    if lexical_root.is_dir():
        for folder in lexical_root.iterdir():
            if folder.name != active:
                shutil.rmtree(folder, ignore_errors=True)
