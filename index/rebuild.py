"""Sync the index with the corpus: load, chunk, embed what changed, write a new snapshot, switch.

An incremental sync writes only the chunks of new and changed articles, as a delta layered over the
previous base (see index/collection.py); once deltas hold more than COMPACT_SHARE of the index the sync
merges everything into a new base, reusing the stored embeddings. Either way the new snapshot becomes
visible in one pointer write, after it is complete (index/snapshot.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunking import split_into_chunks
from index.collection import ChunkCollection, StoredChunk
from index.documents import Article, Chunk
from index.embedding import Embedder
from index.errors import IndexLayerError, NothingToIndexError, RebuildBusyError, StoreError
from index.lexical import build_lexical_index
from index.loaders import LoadResult, Skipped, load_articles
from index.progress import ProgressFn
from index.record import CORPUS_KEY, PROFILE_KEY, corpus_entry, profile_entry
from index.removals import check_removals, resolve_corpus
from index.repair import earlier_sentences, repair_side_files, sentence_table
from index.sentences import embedding_text, passage_spans, text_key
from index.settings import Settings
from index.snapshot import SnapshotFiles, SnapshotWriter, drop_stale, snapshot_files
from index.store import Store, check_model, open_store
from index.text import counted

# Merge the deltas into a new base once they hold this share of the chunks (or hide this share of the
# base's articles): keeps queries to two small lookups while a sync stays proportional to what changed.
COMPACT_SHARE = 0.2


@dataclass
class RebuildReport:
    """The summary a rebuild prints: counts, skipped files with reasons, time."""

    store: str
    corpus: str = ""  # the corpus synced with (given, or the one the index records)
    articles: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: int = 0  # articles of unreadable files kept as previously indexed
    embedded_chunks: int = 0
    files_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False
    compacted: bool = False
    changed: bool = True
    repaired: bool = False  # no article changed, but a missing or damaged side file was rebuilt
    note: str = ""


@contextmanager
def rebuild_lock(store_dir: Path) -> Iterator[None]:
    """Exclusive lock so two rebuilds never write the same store at once (released even on SIGKILL)."""
    path = store_dir / ".rebuild.lock"
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
    except OSError as exc:
        raise StoreError(
            f"cannot write the index folder {store_dir}: {exc.strerror or exc} — pass --store (or BOT_STORE) "
            "a folder you can write to"
        ) from exc
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


@contextmanager
def _no_lease() -> Iterator[Callable[[], None]]:
    yield lambda: None


@dataclass
class _Previous:
    """What the active snapshot holds, per article id: content hash, corpus file and stored chunks."""

    base: dict[str, list[StoredChunk]] = field(default_factory=dict)
    delta: dict[str, list[StoredChunk]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    @staticmethod
    def read(active: ChunkCollection) -> _Previous:
        previous = _Previous(hidden=set(active.hidden))
        for stored in active.iter_all(layer="base"):
            previous.base.setdefault(stored.chunk.article_id, []).append(stored)
        for stored in active.iter_all(with_embeddings=True, layer="delta"):
            previous.delta.setdefault(stored.chunk.article_id, []).append(stored)
        for chunks in (*previous.base.values(), *previous.delta.values()):
            chunks.sort(key=lambda s: s.chunk.n)
        return previous

    def find(self, article_id: str) -> tuple[str, list[StoredChunk]] | None:
        if article_id in self.delta:
            return "delta", self.delta[article_id]
        if article_id in self.base:
            return "base", self.base[article_id]
        return None


@dataclass
class _Plan:
    """The new snapshot: base articles it keeps, delta chunks it reuses, articles to embed, base ids to hide."""

    from_base: set[str] = field(default_factory=set)
    reused: list[StoredChunk] = field(default_factory=list)
    fresh: list[Article] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)


def rebuild_index(
    settings: Settings,
    embedder: Embedder,
    *,
    full: bool = False,
    allow_removals: bool = False,
    progress: ProgressFn | None = None,
) -> RebuildReport:
    """Bring the index in line with its corpus (`settings.corpus`, else the one it records); unchanged articles
    keep their embeddings. A sync that would remove more than a fifth of the indexed articles is refused
    (RemovalRefusedError) unless `allow_removals`."""
    started = time.perf_counter()
    report = RebuildReport(store=settings.chroma_url or str(settings.store), full=full)
    store_dir = Path(settings.store)
    files = snapshot_files(store_dir, settings.chroma_url)
    corpus = resolve_corpus(settings)  # before any folder is created: a wrong path leaves nothing behind
    report.corpus = str(corpus)
    with rebuild_lock(store_dir):
        store = open_store(store_dir, settings.chroma_url, create=True)
        with store.rebuild_lease() if store.server else _no_lease() as renew:

            def tick(stage: str, done: int, total: int) -> None:
                renew()
                if progress is not None:
                    progress(stage, done, total)

            loaded = load_articles(corpus, progress=lambda done, total: tick("reading", done, total))
            report.skipped, report.warnings, report.files_seen = loaded.skipped, loaded.warnings, loaded.files_seen
            if not loaded.articles:
                raise NothingToIndexError(
                    f"no usable article found in {corpus} ({loaded.files_seen} files looked at, "
                    f"{len(loaded.skipped)} skipped) — add .md, .txt, .html, .json or .jsonl articles and run again"
                )
            _sync(store, files, corpus, loaded, settings, embedder, report, tick, allow_removals)
            drop_stale(store, files, tick)  # also clears what a killed rebuild left behind
    report.seconds = time.perf_counter() - started
    return report


def _sync(
    store: Store,
    files: SnapshotFiles,
    corpus: Path,
    loaded: LoadResult,
    settings: Settings,
    embedder: Embedder,
    report: RebuildReport,
    tick: ProgressFn,
    allow_removals: bool,
) -> None:
    """Plan the new snapshot against the active one, refuse a mass removal, then write it (or repair side files)."""
    current = store.active()
    active = None if report.full else _reusable(current, settings, embedder, report)
    if active is None:
        report.full = True
        plan = _Plan(fresh=list(loaded.articles))
        report.added = len(loaded.articles)
        previous = _Previous()
        if current is not None and not allow_removals:
            indexed = {s.chunk.article_id for s in current.iter_all()}
            check_removals(len(indexed - {a.id for a in loaded.articles}), len(indexed), len(loaded.articles),
                           corpus, current.metadata)
    else:
        previous = _Previous.read(active)
        plan = _plan(previous, loaded, report)
        if not allow_removals:
            check_removals(report.removed, len(previous.base.keys() | previous.delta.keys()), len(loaded.articles),
                           corpus, active.metadata)
        if not plan.fresh and not report.removed:
            report.changed = False
            report.articles = len(plan.from_base) + len({s.chunk.article_id for s in plan.reused})
            report.chunks = active.count()
            embedded, notes = repair_side_files(files, active, embedder, tick)
            report.embedded_chunks += embedded
            report.repaired = bool(notes)
            report.note = "; ".join(filter(None, [report.note, *notes]))
    if report.changed:
        _write(store, files, active, previous, plan, loaded, corpus, embedder, settings, report, tick)


def _reusable(
    active: ChunkCollection | None, settings: Settings, embedder: Embedder, report: RebuildReport
) -> ChunkCollection | None:
    """The active snapshot's chunks when a sync can build on them (same model and chunking), else None."""
    if active is None:
        return None
    check_model(active.metadata, embedder.name, report.store)
    meta = active.metadata
    if (meta.get("chunk_tokens"), meta.get("chunk_overlap")) != (settings.chunk_tokens, settings.chunk_overlap):
        report.note = "chunk size changed since the last build: every article was re-chunked"
        return None
    return active


def _plan(previous: _Previous, loaded: LoadResult, report: RebuildReport) -> _Plan:
    plan = _Plan(hidden=set(previous.hidden))
    current = {a.id for a in loaded.articles}
    for article in loaded.articles:
        found = previous.find(article.id)
        if found is not None and found[1][0].chunk.content_hash == article.content_hash:
            _keep(plan, article.id, found)
            report.unchanged += 1
            continue
        plan.fresh.append(article)
        if found is None:
            report.added += 1
        else:
            report.updated += 1
    unreadable = {s.origin for s in loaded.skipped if s.unreadable}
    for article_id in sorted((previous.base.keys() | previous.delta.keys()) - current):
        found = previous.find(article_id)
        assert found is not None
        if found[1][0].file in unreadable:
            _keep(plan, article_id, found)  # the file is there but broken right now: keep what we had
            report.kept += 1
        else:
            report.removed += 1
    plan.hidden |= previous.base.keys() - plan.from_base
    if report.kept:
        report.note = (
            f"kept the previously indexed version of {counted(report.kept, 'article')} from files that could not be "
            "read this time (see Skipped); fix or delete those files"
        )
    return plan


def _keep(plan: _Plan, article_id: str, found: tuple[str, list[StoredChunk]]) -> None:
    layer, stored = found
    if layer == "base":
        plan.from_base.add(article_id)
    else:
        plan.reused.extend(stored)


def _write(
    store: Store,
    files: SnapshotFiles,
    active: ChunkCollection | None,
    previous: _Previous,
    plan: _Plan,
    loaded: LoadResult,
    corpus: Path,
    embedder: Embedder,
    settings: Settings,
    report: RebuildReport,
    tick: ProgressFn,
) -> None:
    """Write the new snapshot (a delta over the active one, or a new base) and make it active."""
    fresh = _chunk(plan.fresh, settings, tick)
    base_chunks = [s for article_id in plan.from_base for s in previous.base[article_id]]
    delta_size = len(plan.reused) + len(fresh)
    total = len(base_chunks) + delta_size
    base_articles = len(previous.base) + len(previous.hidden)
    report.compacted = active is not None and (
        delta_size > COMPACT_SHARE * total or len(plan.hidden) > COMPACT_SHARE * base_articles
    )
    vectors, fresh_sentences = _embed(fresh, embedder, tick)
    report.embedded_chunks = len(fresh)
    articles = len(plan.from_base) + len({s.chunk.article_id for s in plan.reused}) + len(plan.fresh)
    metadata: dict[str, str | int] = {
        "embedding_model": embedder.name,
        "dimension": embedder.dim,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "articles": articles,
        "chunks": total,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        CORPUS_KEY: corpus_entry(corpus),
        PROFILE_KEY: profile_entry([s.chunk for s in (*base_chunks, *plan.reused)] + fresh),
    }
    writer, stored, layered_over = _start(store, files, active, base_chunks, plan, report.compacted, metadata)
    try:
        chunks = [s.chunk for s in stored] + fresh
        corpus_files = [s.file for s in stored] + [loaded.files.get(c.article_id) for c in fresh]
        reused_vectors = [s.embedding for s in stored if s.embedding is not None]
        all_vectors = np.vstack([np.stack(reused_vectors), vectors]) if reused_vectors else vectors
        tick("writing", 0, len(chunks))
        writer.chunks.add(chunks, all_vectors, corpus_files, progress=lambda n: tick("writing", n, len(chunks)))
        tick("lexical", 0, 1)
        writer.save_lexical(build_lexical_index(layered_over + chunks))
        tick("lexical", 1, 1)
        notes: list[str] = []
        earlier = earlier_sentences(files, active.name, notes) if active is not None else None
        table, embedded = sentence_table(layered_over + chunks, fresh_sentences, earlier, embedder, tick)
        report.embedded_chunks += embedded
        report.note = "; ".join(filter(None, [report.note, *notes]))
        writer.save_sentences(table)
        tick("switching", 0, 1)
        writer.activate()
        tick("switching", 1, 1)
    except BaseException:
        with contextlib.suppress(IndexLayerError):  # e.g. the server is gone: the first error is the one to report
            writer.discard()  # the previous snapshot stays active
        raise
    report.articles = articles
    report.chunks = total


def _start(
    store: Store,
    files: SnapshotFiles,
    active: ChunkCollection | None,
    base_chunks: list[StoredChunk],
    plan: _Plan,
    compact: bool,
    metadata: dict[str, str | int],
) -> tuple[SnapshotWriter, list[StoredChunk], list[Chunk]]:
    """The new snapshot, the stored chunks it copies, and the base chunks its delta leaves visible.

    A first build or a compaction writes a new base (a compaction copies the kept base chunks with their
    embeddings); a sync writes a delta over the active snapshot's base holding the delta chunks it reuses.
    """
    if compact:
        assert active is not None
        keep_ids = {s.chunk.id for s in base_chunks}
        kept = [s for s in active.iter_all(with_embeddings=True, layer="base") if s.chunk.id in keep_ids]
        return SnapshotWriter.start(store, files, metadata), kept + plan.reused, []
    if active is not None:
        writer = SnapshotWriter.start(store, files, metadata, base=active, hidden=sorted(plan.hidden))
        return writer, list(plan.reused), [s.chunk for s in base_chunks]
    return SnapshotWriter.start(store, files, metadata), [], []


def _chunk(articles: list[Article], settings: Settings, tick: ProgressFn) -> list[Chunk]:
    """The chunks of the articles to embed."""
    chunks: list[Chunk] = []
    for i, article in enumerate(articles):
        chunks.extend(split_into_chunks(article, settings.chunk_tokens, settings.chunk_overlap))
        tick("chunking", i + 1, len(articles))
    return chunks


def _embed(chunks: list[Chunk], embedder: Embedder, tick: ProgressFn) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Chunk vectors, and sentence vectors by passage key, from one pass of the model over the chunks."""
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        tick("embedding", done, len(chunks))

    tick("embedding", 0, len(chunks))
    texts = [embedding_text(c) for c in chunks]
    vectors, sentence_rows = embedder.embed_passages(texts, [passage_spans(c) for c in chunks], progress=advance)
    return vectors, {text_key(t): rows for t, rows in zip(texts, sentence_rows)}
