"""Fault matrix, stored files: Chroma's database truncated or with garbage in it, deleted folders, damaged side files.

Chroma cannot recover its own damaged database: `bot ask`, `index stats` and `index rebuild` (even --full) then
exit 1 with one line naming the folder to delete and the exact command that rebuilds it, and following it
brings the index back. A damaged or deleted side file (the BM25 index, the sentence vectors) is noticed by
its checksum or shape, never read as if whole: the chat keeps answering (the BM25 index is rebuilt from
Chroma, ranking goes on without sentence vectors, with a warning), and the next sync repairs it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from index.snapshot import MANIFEST, SnapshotFiles
from index.store import open_store
from tests.conftest import ROOT, free_port, run_module
from tests.fault_helpers import ANSWER_TITLE, QUESTION, assert_answers, error_line, fixture_copy
from tests.index_helpers import assert_lexical_in_step


@pytest.fixture()
def built(tmp_path: Path, embedder: Embedder) -> Settings:
    corpus = fixture_copy(tmp_path)
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    return settings


def _garbage(path: Path, offset: int, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8).tobytes())


def _first_page_of(database: Path, table: str) -> int:
    """Byte offset of the first leaf page of `table` in an SQLite file (read-only)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        page = db.execute("SELECT min(pageno) FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)).fetchone()
    db.close()
    return int((page[0] - 1) * page_size)


def _truncate(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def _garbage_in_the_middle(db: Path) -> None:
    _garbage(db, db.stat().st_size // 2, 20_000)


def _garbage_in_the_log(db: Path) -> None:
    _garbage(db, _first_page_of(db, "embeddings_queue") + 100, 3000)  # Chroma: "Failed to pull logs"


def _garbage_in_the_metadata(db: Path) -> None:
    _garbage(db, _first_page_of(db, "embedding_metadata") + 100, 3000)


DAMAGE = {
    "truncated": (_truncate, "database disk image is malformed"),
    "garbage-in-the-middle": (_garbage_in_the_middle, "database disk image is malformed"),
    "garbage-in-the-log": (_garbage_in_the_log, "Failed to pull logs from the log store"),
    "garbage-in-the-metadata": (_garbage_in_the_metadata, "database disk image is malformed"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_chroma_database(built: Settings, embedder: Embedder, damage: str) -> None:
    harm, detail = DAMAGE[damage]
    store, corpus = built.store, built.corpus
    harm(store / "chroma.sqlite3")
    advice = (f") — delete the folder {store}, then rebuild it with `python -m index rebuild --store {store} "
              f"--corpus {corpus}`")
    for args in (("bot", "ask", QUESTION), ("index", "rebuild", "--full", "--quiet")):
        result = run_module(*args, "--store", str(store))
        line = error_line(result.stderr)
        assert result.returncode == 1
        assert line.startswith(f"error: the index at {store} is damaged (") and line.endswith(advice), line
        assert detail in line
    if damage != "truncated":
        return  # following the advice is the same for every kind of damage: checked once
    shutil.rmtree(store)  # what the message says to do
    command = line.split("`")[1].split()
    assert command[:4] == ["python", "-m", "index", "rebuild"]
    rebuilt = run_module(*command[2:], "--quiet")
    assert rebuilt.returncode == 0, rebuilt.stderr
    _assert_cli_answers(store)  # in another process: this one's Chroma client still holds the deleted files


def _assert_cli_answers(store: Path) -> None:
    asked = run_module("bot", "ask", QUESTION, "--json", "--store", str(store))
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"][0]["title"] == ANSWER_TITLE


def test_deleted_chroma_segment_folder_is_rebuilt_by_chroma(built: Settings, embedder: Embedder) -> None:
    segments = [p for p in built.store.iterdir() if p.is_dir() and p.name.count("-") == 4]
    assert len(segments) == 1
    shutil.rmtree(segments[0])
    _assert_cli_answers(built.store)
    assert_answers(built, embedder)


def _snapshot_files(settings: Settings) -> tuple[SnapshotFiles, str]:
    name = open_store(settings.store).active_name()
    assert name is not None
    return SnapshotFiles(settings.store), name


# case -> (side table, file in it or None for the whole folder, what harms it)
SIDE_DAMAGE: dict[str, tuple[str, str | None, Callable[[Path], object]]] = {
    "lexical-ids-garbage": ("lexical", "chunk_ids.json", lambda p: _garbage(p, 10, 20)),
    "lexical-npy-garbage": ("lexical", "data.csc.index.npy", lambda p: _garbage(p, p.stat().st_size // 2, 16)),
    "lexical-deleted": ("lexical", None, shutil.rmtree),
    "sentence-slots-garbage": ("sentences", "sentence_slots.json", lambda p: _garbage(p, 10, 20)),
    "sentence-vectors-truncated": ("sentences", "sentence_vectors.npy", lambda p: _truncate(p)),
    "sentences-deleted": ("sentences", None, shutil.rmtree),
}


@pytest.mark.parametrize("case", list(SIDE_DAMAGE))
def test_damaged_side_files_are_noticed_and_repaired(
    built: Settings, embedder: Embedder, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    kind, file, harm = SIDE_DAMAGE[case]
    files, name = _snapshot_files(built)
    folder = files.lexical_dir(name) if kind == "lexical" else files.sentences_dir(name)
    target = folder / file if file else folder
    harm(target)
    with caplog.at_level(logging.WARNING):
        retriever = Retriever(built, embedder)
        hits = retriever.retrieve(QUESTION, k=1)
    assert hits[0].chunk.title == ANSWER_TITLE  # the chat keeps answering
    if kind == "lexical":
        if file is not None:  # a deleted cache is rebuilt without a word; a damaged one is named
            assert f"{target} does not match its checksum: rebuilding the BM25 index from Chroma" in caplog.text
        assert files.load_lexical(name) is not None  # rebuilt from Chroma and saved whole
    else:
        why = f"they are damaged: {target} " if file else f"there are none in {folder}: the folder was deleted"
        assert f"has no usable sentence vectors ({why}" in caplog.text, caplog.text
        assert retriever.snapshot.sentences is None
        synced = run_module("index", "rebuild", "--store", str(built.store), "--quiet")
        assert synced.returncode == 0, synced.stderr
        assert "  no article had changed; repaired the index's side files\n" in synced.stdout, synced.stdout
        note = (f"  note: rebuilt the sentence vectors ({target} " if file else
                "  note: added the sentence vectors the ranker uses to this index (they were missing: deleted, "
                "never written in this cache folder, or built by an older version)")
        assert note in synced.stdout, synced.stdout
        assert retriever.retrieve(QUESTION, k=1) and retriever.snapshot.sentences is not None  # picked up
    assert_lexical_in_step(built)
    assert_answers(built, embedder)


def test_sync_repairs_a_damaged_bm25_index_instead_of_saying_up_to_date(built: Settings) -> None:
    files, name = _snapshot_files(built)
    target = files.lexical_dir(name) / "fields.json"
    _garbage(target, 5, 10)
    synced = run_module("index", "rebuild", "--store", str(built.store), "--quiet")
    assert synced.returncode == 0, synced.stderr
    assert "the index was already up to date" not in synced.stdout
    assert (f"  note: rebuilt the BM25 index from Chroma (it was damaged: {target} does not match its checksum)\n"
            in synced.stdout), synced.stdout
    assert_lexical_in_step(built)


def test_side_files_of_an_older_index_without_checksums_are_checked_by_shape(
    built: Settings, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    files, name = _snapshot_files(built)
    for folder in (files.lexical_dir(name), files.sentences_dir(name)):
        (folder / MANIFEST).unlink()
    (files.lexical_dir(name) / "chunk_ids.json").write_text(json.dumps(["a", "b"]))  # valid JSON, wrong length
    slots = files.sentences_dir(name) / "sentence_slots.json"
    slots.write_text(json.dumps({"k": [10_000, 3]}))  # points past the table
    with caplog.at_level(logging.WARNING):
        assert Retriever(built, embedder).retrieve(QUESTION, k=1)[0].chunk.title == ANSWER_TITLE
    assert "(fields.json does not hold one value per chunk): rebuilding the BM25 index from Chroma" in caplog.text
    assert "sentence_slots.json points past the" in caplog.text, caplog.text


def test_page_starts_and_answers_over_damaged_side_files(built: Settings, embedder: Embedder) -> None:
    from bot.web.chat_app import ChatApp

    files, name = _snapshot_files(built)
    _garbage(files.sentences_dir(name) / "sentence_slots.json", 10, 20)
    _garbage(files.lexical_dir(name) / "chunk_ids.json", 10, 20)
    app = ChatApp(built, embedder)
    assert app.engine is not None
    assert app.engine.answer(QUESTION).citations[0].chunk.title == ANSWER_TITLE


def test_app_py_over_a_damaged_database_exits_with_the_message(built: Settings) -> None:
    _truncate(built.store / "chroma.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "--store", str(built.store), "--port",
                             str(free_port())],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1
    line = error_line(result.stderr)
    assert line.startswith(f"error: the index at {built.store} is damaged ("), line
    assert "chat ready" not in result.stdout
