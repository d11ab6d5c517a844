"""Helpers for the index lifecycle tests: a corpus big enough for deltas, and snapshots read back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.sentences import passage_key
from index.settings import Settings
from index.snapshot import snapshot_files
from index.store import Store, open_store
from tests.conftest import FIXTURE_CORPUS, ROOT

# Made-up town names: each is a word that occurs in one article only, so BM25 and the dense index can
# be checked for exactly which articles they hold.
TOWNS = [
    "Arvelle", "Brisdane", "Corvath", "Dunmere", "Elstrow", "Fenwick", "Galloway", "Harrowgate", "Islington",
    "Jarrow", "Kelvedon", "Lorimer", "Marwick", "Northam", "Oakhurst", "Penrith", "Quenby", "Ravenglass",
    "Stanwix", "Tilbury", "Ulverston", "Varley", "Wexcombe", "Yarrow", "Zennor", "Ashbourne", "Bramley",
    "Cawood", "Dovercourt", "Eskdale",
]


def town_article(i: int, shelves: int | None = None) -> dict[str, str]:
    """A short synthetic news article about the town TOWNS[i]."""
    town = TOWNS[i]
    return {
        "title": f"{town} opens a public library",
        "body": f"The town of {town} opened a public library with {shelves or 100 + i} shelves on Monday. "
        f"Volunteers from {town} carried the first books in by hand.",
        "url": f"https://wire.example/library/{town.lower()}",
        "source": "Test Wire",
        "published_at": "2023-10-01",
        "category": "local",
    }


def write_towns(corpus: Path, articles: list[dict[str, str]]) -> None:
    """(Re)write towns.jsonl, one article per line."""
    (corpus / "towns.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles))


def make_corpus(tmp_path: Path) -> Path:
    """The fixture corpus (7 articles) plus 30 town articles: 37 articles, 37 chunks."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    write_towns(corpus, [town_article(i) for i in range(len(TOWNS))])
    return corpus


def active_texts(store: Store) -> dict[str, str]:
    """Chunk id -> text of every chunk the active snapshot serves."""
    chunks = store.require_active()
    texts = {s.chunk.id: s.chunk.text for s in chunks.iter_all()}
    assert chunks.count() == len(texts)
    return texts


def assert_lexical_in_step(settings: Settings) -> None:
    """The BM25 index and the sentence vectors of the active snapshot hold exactly its chunks."""
    store = open_store(settings.store, settings.chroma_url)
    chunks = store.require_active()
    lexical = snapshot_files(settings.store, settings.chroma_url).load_lexical(chunks.name)
    assert lexical is not None
    assert sorted(lexical.ids) == sorted(active_texts(store))
    sentences = snapshot_files(settings.store, settings.chroma_url).load_sentences(chunks.name)
    assert sentences is not None
    assert set(sentences.slots) == {passage_key(s.chunk) for s in chunks.iter_all()}


def lexical_finds(settings: Settings, word: str) -> list[str]:
    """Chunk ids the active snapshot's BM25 index returns for `word`."""
    store = open_store(settings.store, settings.chroma_url)
    lexical = snapshot_files(settings.store, settings.chroma_url).load_lexical(store.require_active().name)
    assert lexical is not None
    return [lexical.ids[i] for i, _ in lexical.search(word, 5)]


def assert_clean(settings: Settings) -> None:
    """Nothing left over: no stale collection, and one BM25 and one sentence folder per retained snapshot."""
    store = open_store(settings.store, settings.chroma_url)
    assert store.stale_collections() == []
    files = snapshot_files(settings.store, settings.chroma_url)
    folders = {p.name for p in (files.root / "lexical").iterdir()}
    assert folders == store.retained_snapshots()
    assert {p.name for p in (files.root / "sentences").iterdir()} == store.retained_snapshots()


CHILD = ROOT / "tests" / "rebuild_child.py"


@contextmanager
def frozen_rebuild(
    settings: Settings, stage: str, done: int, full: bool = False, cli: bool = False
) -> Iterator[subprocess.Popen[str]]:
    """A rebuild process stopped (SIGSTOP) at progress point (stage, done); killed on exit if still alive.

    With `cli` it runs as `python -m index rebuild` (tests/rebuild_child.py --cli) and keeps stderr apart.
    """
    args = [sys.executable, str(CHILD), str(settings.corpus), str(settings.store), settings.chroma_url or "-", stage,
            str(done), *(["--full"] if full else []), *(["--cli"] if cli else [])]
    stderr = subprocess.PIPE if cli else subprocess.STDOUT
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            proc.returncode = os.waitstatus_to_exitcode(status)
            raise AssertionError(f"rebuild never reached {stage} {done}:\n{proc.stdout.read() if proc.stdout else ''}"
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(f"stopped at {stage} ")
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait(timeout=30)


def sigkill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL works on a stopped process too; reap it."""
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def resume(proc: subprocess.Popen[str]) -> str:
    """Let a frozen rebuild finish; return its output."""
    proc.send_signal(signal.SIGCONT)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    return out


def resume_cli(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Let a frozen CLI rebuild go on to its end; return (exit status, stdout, stderr)."""
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err
