"""One owner per folder (index/snapshot.py): a Chroma server's BM25 and sentence caches live in their own sub-folder.

The data-loss reproduction of issue 16: with a local index in .index, docs/indexing.md's
`python -m index rebuild --chroma-url URL` (which defaults to the same .index folder) used to delete the local
index's lexical/ and sentences/ data, after which every local question warned "built by an older version".
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.rebuild import rebuild_index
from index.settings import Settings
from index.store import open_store
from tests.chroma_server import chroma_server
from tests.conftest import run_module
from tests.fault_helpers import QUESTION, assert_answers, fixture_copy


def test_a_server_rebuild_leaves_the_local_index_in_the_same_folder_alone(
    tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = fixture_copy(tmp_path)
    local = Settings(corpus=corpus, store=tmp_path / ".index")
    rebuild_index(local, embedder)
    name = open_store(local.store).active_name()
    assert name is not None
    local_files = {p.relative_to(local.store) for p in local.store.rglob("*") if p.is_file()}
    with chroma_server(tmp_path / "chroma") as url:
        served = run_module("index", "rebuild", "--corpus", str(corpus), "--store", str(local.store), "--chroma-url",
                            url, "--quiet")
        assert served.returncode == 0, served.stderr
        now = {p.relative_to(local.store) for p in local.store.rglob("*") if p.is_file()}
        assert local_files <= now  # every file of the local index is still there
        assert (local.store / "lexical" / name).is_dir() and (local.store / "sentences" / name).is_dir()
        on_server = open_store(local.store, url).active_name()
        assert on_server is not None
        cache = local.store / "servers" / f"127.0.0.1_{url.rsplit(':', 1)[1]}"  # the server's caches: their own
        assert (cache / "lexical" / on_server / "chunk_ids.json").is_file()
        assert (cache / "sentences" / on_server / "sentence_slots.json").is_file()
        asked = run_module("bot", "ask", QUESTION, "--store", str(local.store), "--chroma-url", url)
        assert asked.returncode == 0 and "Riverton Rockets" in asked.stdout, asked.stderr
    with caplog.at_level(logging.WARNING):
        retriever = Retriever(local, embedder)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert retriever.snapshot.sentences is not None and warnings == []  # no "built by an older version"
    assert_answers(local, embedder)
