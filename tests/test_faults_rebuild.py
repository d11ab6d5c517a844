"""Fault matrix, rebuilds: a disk that fills up, a Chroma server killed mid-rebuild, a corpus that does not exist.

Each row runs `python -m index rebuild` as a user does, injects the fault while the rebuild is stopped at a
chosen stage (tests/rebuild_child.py --cli), and asserts the exit status, the one-line message that says
what to do, and that the previous index still answers afterwards; the next rebuild then completes. SIGKILL at
every stage is covered in tests/test_lifecycle.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.errors import StoreUnreachableError
from index.rebuild import rebuild_index
from index.settings import Settings
from index.store import open_store
from tests.chroma_server import start_chroma
from tests.conftest import ROOT, free_port, run_module, stop_process
from tests.fault_helpers import (
    FERRY,
    QUESTION,
    assert_answers,
    assert_one_line_error,
    error_line,
    fill,
    fixture_copy,
    small_disk_fixture,  # noqa: F401  (the small_disk fixture)
)
from tests.index_helpers import active_texts, assert_clean, frozen_rebuild, resume_cli

DISK_FULL = re.compile(
    r"^error: the disk holding the index at (?P<store>\S+) is full \((?P<detail>.+)\) — free some space, then run "
    r"this again; the previous index is unchanged$"
)


@pytest.mark.parametrize("stage", ["embedding", "writing", "lexical"])
def test_disk_full_during_a_rebuild(tmp_path: Path, embedder: Embedder, small_disk: Path, stage: str) -> None:
    corpus = fixture_copy(tmp_path)
    settings = Settings(corpus=corpus, store=small_disk / "store")
    rebuild_index(settings, embedder)
    before = open_store(settings.store).active_name()
    (corpus / "ferry.md").write_text(FERRY)
    with frozen_rebuild(settings, stage, 0, cli=True) as proc:
        filler = fill(small_disk)
        status, _, err = resume_cli(proc)
    line = error_line(err)
    match = DISK_FULL.match(line)
    assert status == 1 and match is not None and match["store"] == str(settings.store), line
    filler.unlink()
    assert open_store(settings.store).active_name() == before  # nothing switched
    assert_answers(settings, embedder)
    report = rebuild_index(settings, embedder)  # once there is room, the same rebuild completes
    assert (report.added, report.unchanged) == (1, 7)
    assert any("Drabble" in t for t in active_texts(open_store(settings.store)).values())
    assert_clean(settings)


def test_chroma_server_killed_mid_rebuild_and_restarted(tmp_path: Path, embedder: Embedder) -> None:
    data, port = tmp_path / "chroma", free_port()
    url = f"http://127.0.0.1:{port}"
    corpus = fixture_copy(tmp_path)
    settings = Settings(corpus=corpus, store=tmp_path / "cache", chroma_url=url)
    server = start_chroma(data, port)
    try:
        rebuild_index(settings, embedder)
        before = open_store(settings.store, url).active_name()
        live = Retriever(settings, embedder)
        (corpus / "ferry.md").write_text(FERRY)
        with frozen_rebuild(settings, "writing", 0, cli=True) as proc:
            stop_process(server)  # killed while the rebuild is between creating its collection and filling it
            status, _, err = resume_cli(proc)
        line = error_line(err)
        assert status == 1
        assert line.startswith(f"error: cannot reach the Chroma server at {url} to write the index ("), line
        assert line.endswith(f") — start it with `chroma run --path DIR --host 127.0.0.1 --port {port}` (or fix "
                             "--chroma-url / BOT_CHROMA_URL), then run this again"), line
        with pytest.raises(StoreUnreachableError, match=rf"^cannot reach the Chroma server at {url} to "):
            live.retrieve(QUESTION, k=1)  # a chat that was running gets a message, not an httpx traceback
        server = start_chroma(data, port)  # restarted on the same data
        assert open_store(settings.store, url).active_name() == before
        assert_answers(settings, embedder)
        report = rebuild_index(settings, embedder)  # takes over the dead rebuild's lease and completes
        assert (report.added, report.unchanged) == (1, 7)
        assert_clean(settings)
    finally:
        stop_process(server)


def test_corpus_that_does_not_exist(tmp_path: Path, embedder: Embedder) -> None:
    missing = tmp_path / "no-such-folder"
    fresh = tmp_path / "fresh-store"
    result = run_module("index", "rebuild", "--corpus", str(missing), "--store", str(fresh), "--quiet")
    assert_one_line_error(result, f"the corpus {missing} does not exist — pass --corpus (or set BOT_CORPUS) a folder "
                                  "or file of articles")
    assert not fresh.exists()  # no empty index folder left behind

    corpus = fixture_copy(tmp_path)
    settings = Settings(corpus=corpus, store=tmp_path / "store")
    rebuild_index(settings, embedder)
    result = run_module("index", "rebuild", "--corpus", str(missing), "--store", str(settings.store), "--quiet")
    assert_one_line_error(result, f"the corpus {missing} does not exist — pass --corpus (or set BOT_CORPUS) a folder "
                                  "or file of articles")
    assert_answers(settings, embedder)

    corpus.rename(tmp_path / "moved")
    result = run_module("index", "rebuild", "--store", str(settings.store), "--quiet")
    assert_one_line_error(result, f"the corpus the index was built from, {corpus}, does not exist any more "
                                  "— pass --corpus (or set BOT_CORPUS) a folder or file of articles to sync with")
    assert len(active_texts(open_store(settings.store))) == 7
    assert_answers(settings, embedder)


def test_no_corpus_folder_where_the_first_build_looks(tmp_path: Path) -> None:
    result = run_module("index", "rebuild", "--store", str(tmp_path / "s"), "--quiet", cwd=tmp_path)
    assert_one_line_error(result, f"there is no corpus/ folder in {tmp_path} — pass --corpus (or set BOT_CORPUS) a "
                                  "folder or file of articles")
    assert not (tmp_path / "s").exists() and ROOT.exists()
