"""Indexing measurements of the benchmark: full rebuild against embedding alone, and an incremental sync."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.lab import REPO
from bot.lab.bench.report import progress_bar, step
from index.chunking import split_into_chunks
from index.documents import Article
from index.embedding import Embedder, resolve_model_path
from index.loaders import LoadResult, load_articles
from index.progress import AdvanceFn, ProgressFn
from index.rebuild import RebuildReport, rebuild_index
from index.sentences import embedding_text
from index.settings import DEFAULT_CORPUS, Settings

EDIT_SENTENCE = "This sentence was added to measure an incremental sync."
_EDITABLE = (".json", ".jsonl", ".md", ".txt")


class BenchError(RuntimeError):
    """The benchmark cannot run as asked; the message says what to pass or fix."""


@dataclass
class StageClock:
    """Wall time of each stage of a rebuild, from the first progress tick of a stage to that of the next."""

    on_tick: ProgressFn | None = None
    started: float = field(default_factory=time.perf_counter)
    first: dict[str, float] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.first.setdefault(stage, time.perf_counter())
        if self.on_tick is not None:
            self.on_tick(stage, done, total)

    def durations(self, ended: float) -> dict[str, float]:
        """Seconds per stage in order; `open` is the time before the first tick (lock, opening the store)."""
        stages = list(self.first)
        out = {"open": (self.first[stages[0]] if stages else ended) - self.started}
        for i, stage in enumerate(stages):
            end = self.first[stages[i + 1]] if i + 1 < len(stages) else ended
            out[stage] = end - self.first[stage]
        return out


def chunk_texts(articles: Sequence[Article], settings: Settings) -> list[str]:
    """The texts a full rebuild embeds: every chunk of every article, as rebuild_index presents them."""
    return [
        embedding_text(chunk)
        for article in articles
        for chunk in split_into_chunks(article, settings.chunk_tokens, settings.chunk_overlap)
    ]


def time_full_rebuild(settings: Settings, embedder: Embedder, on_tick: ProgressFn | None = None) -> dict[str, Any]:
    """Full rebuild into a fresh `settings.store` with the loaded embedder: wall seconds, stages, counts."""
    shutil.rmtree(settings.store, ignore_errors=True)
    clock = StageClock(on_tick)
    report = rebuild_index(settings, embedder, full=True, progress=clock)
    ended = time.perf_counter()
    return {
        "seconds": ended - clock.started,
        "stages": clock.durations(ended),
        "articles": report.articles,
        "chunks": report.chunks,
        "embedded_chunks": report.embedded_chunks,
    }


def time_embedding(embedder: Embedder, texts: Sequence[str], advance: AdvanceFn | None = None) -> float:
    """Seconds for Embedder.embed_texts over `texts` (the path and batch size the rebuild uses)."""
    started = time.perf_counter()
    embedder.embed_texts(texts, progress=advance)
    return time.perf_counter() - started


def sample_texts(texts: Sequence[str], n: int) -> list[str]:
    """`n` texts spread evenly over `texts` (all of them when n ≥ len)."""
    if n >= len(texts):
        return list(texts)
    step = len(texts) / n
    return [texts[int(i * step)] for i in range(n)]


def time_sentence_transformers(
    embedder: Embedder, texts: Sequence[str], advance: AdvanceFn | None = None
) -> dict[str, Any]:
    """sentence-transformers' own encode against Embedder.embed_texts on the same texts, batch size 32 both."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_model_path(embedder.name)), device="cpu")
    model.encode(list(texts[:8]), batch_size=32, show_progress_bar=False)  # warm-up, as the Embedder was warmed up
    started = time.perf_counter()
    model.encode(list(texts), batch_size=32, show_progress_bar=False)
    st_seconds = time.perf_counter() - started
    if advance is not None:
        advance(len(texts))
    embedder_seconds = time_embedding(embedder, texts, advance)
    return {
        "sample": len(texts),
        "sentence_transformers_s": st_seconds,
        "embedder_s": embedder_seconds,
        "sentence_transformers_chunks_per_s": len(texts) / st_seconds,
        "embedder_chunks_per_s": len(texts) / embedder_seconds,
    }


def copy_corpus(source: Path, destination: Path) -> Path:
    """A scratch copy of the corpus (a folder or one file); returns the path to pass as --corpus."""
    shutil.rmtree(destination, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, destination)
        return destination
    destination.mkdir(parents=True)
    shutil.copy2(source, destination / source.name)
    return destination / source.name


def editable_articles(loaded: LoadResult) -> list[Article]:
    """Articles whose file the bench knows how to edit (JSON, JSON lines, Markdown, text), in corpus order."""
    return [a for a in loaded.articles if Path(loaded.files.get(a.id) or "").suffix.lower() in _EDITABLE]


def edit_article(corpus_root: Path, article: Article, file: str, sentence: str = EDIT_SENTENCE) -> None:
    """Append `sentence` to the body of `article` in the corpus copy under `corpus_root`."""
    path = corpus_root / file
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        data = json.loads(text)
        record = data[int(article.origin.rsplit("#", 1)[1])] if isinstance(data, list) else data
        record["body"] += "\n" + sentence
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    elif suffix == ".jsonl":
        lines = text.splitlines()
        lineno = int(article.origin.rsplit(":", 1)[1])
        record = json.loads(lines[lineno - 1])
        record["body"] += "\n" + sentence
        lines[lineno - 1] = json.dumps(record, ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif suffix in (".md", ".txt"):
        path.write_text(text.rstrip("\n") + "\n\n" + sentence + "\n", encoding="utf-8")
    else:
        raise BenchError(f"cannot edit {file}: the bench edits .json, .jsonl, .md and .txt articles")


def _summary(report: RebuildReport, seconds: float) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "embedded_chunks": report.embedded_chunks,
        "changed": report.changed,
        "compacted": report.compacted,
    }


def time_incremental(
    settings: Settings, embedder: Embedder, loaded: LoadResult, full_store: Path, work: Path, env: dict[str, str]
) -> dict[str, Any]:
    """Sync after editing one article (in-process, model loaded), a sync with nothing changed, and the CLI.

    Runs on a copy of the fully built store so that store stays a plain full build for the query figures.
    """
    candidates = editable_articles(loaded)
    if not candidates:
        raise BenchError("no article of the corpus is in a .json, .jsonl, .md or .txt file: the bench cannot edit one")
    corpus_dir = work / "corpus-edited"
    corpus = copy_corpus(settings.corpus or DEFAULT_CORPUS, corpus_dir)
    root = corpus_dir
    store = work / "sync"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(full_store, store)  # no rebuild is writing it: the full build has returned
    synced = replace(settings, corpus=corpus, store=store)

    edited = candidates[len(candidates) // 2]
    edit_article(root, edited, loaded.files[edited.id])
    started = time.perf_counter()
    one = rebuild_index(synced, embedder)
    one_seconds = time.perf_counter() - started
    if (one.updated, one.added, one.removed) != (1, 0, 0):
        raise BenchError(
            f"editing {edited.origin} should update exactly one article, the sync reported "
            f"{one.updated} updated, {one.added} added, {one.removed} removed"
        )
    started = time.perf_counter()
    none = rebuild_index(synced, embedder)
    none_seconds = time.perf_counter() - started

    # The whole command as a user runs it: process start, imports, model load, sync of a second edit.
    other = candidates[len(candidates) // 4]
    edit_article(root, other, loaded.files[other.id], sentence=EDIT_SENTENCE + " Twice.")
    command = [sys.executable, "-m", "index", "rebuild", "--corpus", str(corpus), "--store", str(store), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    cli_wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"`{' '.join(command[1:])}` failed ({done.returncode}):\n{done.stderr.strip()}")
    own = re.search(r" in ([0-9.]+) s ", done.stdout)
    return {
        "edited": edited.origin,
        "one_article": _summary(one, one_seconds),
        "nothing_changed": _summary(none, none_seconds),
        "cli": {"wall_s": cli_wall, "rebuild_s": float(own.group(1)) if own else None, "edited": other.origin},
    }


def child_env() -> dict[str, str]:
    """Environment for child processes: no LLM and no Chroma server (the bench measures embedded, extractive)."""
    drop = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BOT_CHROMA_URL", "BOT_STORE", "BOT_CORPUS")
    return {k: v for k, v in os.environ.items() if k not in drop}


def measure_indexing(
    settings: Settings, embedder: Embedder, console: Console, work: Path, st_sample: int
) -> dict[str, Any]:
    """Figures 1 and 2: full rebuild against embedding alone, and the incremental sync."""
    loaded = load_articles(settings.corpus or DEFAULT_CORPUS)
    if not loaded.articles:
        raise BenchError(f"no usable article in {settings.corpus}: pass --corpus a corpus the index can read")
    step(console, f"chunking {len(loaded.articles)} articles (split_into_chunks) for the embedding-only baseline")
    started = time.perf_counter()
    texts = chunk_texts(loaded.articles, settings)
    chunk_seconds = time.perf_counter() - started
    embedder.embed_texts(texts[:embedder.batch_size])  # warm-up: first batches pay one-off allocations

    step(console, f"embedding alone: Embedder.embed_texts over the {len(texts)} chunk texts, "
                  f"batch {embedder.batch_size}")
    with progress_bar(console) as bar:
        task = bar.add_task("embedding only", total=len(texts))
        embed_seconds = time_embedding(embedder, texts, lambda n: bar.advance(task, n))

    step(console, "full rebuild: index.rebuild.rebuild_index(full=True) in-process, model already loaded")
    with progress_bar(console) as bar:
        task = bar.add_task("rebuild", total=None)

        def tick(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"rebuild: {stage}", completed=done, total=total or None)

        full = time_full_rebuild(settings, embedder, tick)
    if full["chunks"] != len(texts):
        raise BenchError(f"the rebuild wrote {full['chunks']} chunks but chunking the corpus gives {len(texts)}")

    sample = sample_texts(texts, st_sample)
    st: dict[str, Any] | None = None
    if sample:
        step(console, "sentence-transformers encode(batch_size=32) against Embedder.embed_texts on "
                      f"{len(sample)} chunks")
        with progress_bar(console) as bar:
            task = bar.add_task("sentence-transformers", total=2 * len(sample))
            st = time_sentence_transformers(embedder, sample, lambda n: bar.advance(task, n))
        gc.collect()

    step(console, "incremental sync after editing one article (in-process), then with nothing changed, then the CLI")
    incremental = time_incremental(settings, embedder, loaded, Path(settings.store), work, child_env())
    return {
        "method": "in-process index.rebuild.rebuild_index(full=True) with the embedder already loaded",
        "articles": len(loaded.articles),
        "chunks": len(texts),
        "chunking_s": chunk_seconds,
        "rebuild_s": full["seconds"],
        "stages": full["stages"],
        "embed_only_s": embed_seconds,
        "embed_chunks_per_s": len(texts) / embed_seconds,
        "batch_size": embedder.batch_size,
        "overhead_ratio": full["seconds"] / embed_seconds,
        "sentence_transformers": st,
        "incremental": incremental,
        "incremental_ratio": incremental["one_article"]["seconds"] / full["seconds"],
    }
