"""Index snapshots: the folder layout beside the store, loading (with the BM25 fallback), writing and discarding."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedding import Embedder
from index.lexical import build_lexical_index
from index.rebuild import rebuild_index
from index.sentences import collect_sentence_vectors, passage_key
from index.settings import Settings
from index.snapshot import IndexSnapshot, SnapshotFiles, SnapshotWriter, open_snapshot
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS


@pytest.fixture()
def built(tmp_path: Path, embedder: Embedder) -> Settings:
    settings = Settings(corpus=FIXTURE_CORPUS, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    return settings


def test_layout_is_the_on_disk_one_existing_indexes_use(tmp_path: Path) -> None:
    files = SnapshotFiles(tmp_path)
    assert files.lexical_dir("newsbot-chunks-1") == tmp_path / "lexical" / "newsbot-chunks-1"
    assert files.sentences_dir("newsbot-chunks-1") == tmp_path / "sentences" / "newsbot-chunks-1"
    assert files.load_lexical("newsbot-chunks-1") is None and files.load_sentences("newsbot-chunks-1") is None


def test_open_snapshot_loads_all_three_parts(built: Settings, embedder: Embedder) -> None:
    store = open_store(built.store)
    snapshot = open_snapshot(store, SnapshotFiles(built.store), embedder.name)
    assert snapshot.name == store.active_name() == snapshot.chunks.name
    chunks = [s.chunk for s in snapshot.chunks.iter_all()]
    assert len(chunks) == 7
    assert sorted(snapshot.lexical.ids) == sorted(c.id for c in chunks)
    assert snapshot.sentences is not None
    assert set(snapshot.sentences.slots) == {passage_key(c) for c in chunks}


def test_a_missing_bm25_folder_is_rebuilt_from_chroma_and_saved(built: Settings) -> None:
    store = open_store(built.store)
    files = SnapshotFiles(built.store)
    name = store.active_name()
    assert name is not None
    saved = files.load_lexical(name)
    assert saved is not None
    shutil.rmtree(files.lexical_dir(name))  # a Chroma server used from another machine has no cache
    snapshot = IndexSnapshot.load(store.require_active(), files)
    assert snapshot.lexical.ids == saved.ids and snapshot.lexical.fields == saved.fields
    np.testing.assert_array_equal(snapshot.lexical.scores("ferry strike"), saved.scores("ferry strike"))
    again = files.load_lexical(name)
    assert again is not None and again.ids == saved.ids  # saved for the next start


def test_sentences_reread_picks_up_vectors_added_in_place(built: Settings) -> None:
    store = open_store(built.store)
    files = SnapshotFiles(built.store)
    name = store.active_name()
    assert name is not None
    table = files.load_sentences(name)
    assert table is not None
    shutil.rmtree(files.sentences_dir(name))
    snapshot = open_snapshot(store, SnapshotFiles(built.store))
    assert snapshot.sentences is None
    files.save_sentences(name, table)
    reread = snapshot.with_sentences_reread()
    assert reread.sentences is not None and reread.sentences.slots == table.slots
    assert reread.chunks is snapshot.chunks and reread.lexical is snapshot.lexical


def test_discard_removes_all_of_a_new_snapshot_and_keeps_the_active_one(built: Settings) -> None:
    store = open_store(built.store)
    files = SnapshotFiles(built.store)
    before = store.active_name()
    active = store.require_active()
    writer = SnapshotWriter.start(store, files, dict(active.metadata))
    stored = list(active.iter_all(with_embeddings=True))
    vectors = np.stack([s.embedding for s in stored if s.embedding is not None])
    writer.chunks.add([s.chunk for s in stored], vectors)
    writer.save_lexical(build_lexical_index([s.chunk for s in stored]))
    writer.save_sentences(collect_sentence_vectors([], dim=vectors.shape[1]))
    assert writer.name != before and writer.chunks.count() == 7
    assert files.lexical_dir(writer.name).is_dir() and files.sentences_dir(writer.name).is_dir()
    assert writer.name in store.stale_collections()  # not active: a cleanup would remove it
    writer.discard()
    assert store.active_name() == before
    assert store.collection(writer.name) is None
    assert not files.lexical_dir(writer.name).exists() and not files.sentences_dir(writer.name).exists()
    assert open_snapshot(store, SnapshotFiles(built.store)).name == before
