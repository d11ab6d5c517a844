"""Rebuilds in another process: SIGKILL at every stage, a chat answering throughout, two rebuilds at once.

Each rebuild here runs in its own process (tests/rebuild_child.py) that freezes itself at a chosen
progress point, so the test can SIGKILL it exactly there, query the store while it is frozen, or let it
go on; everything runs against both the embedded store and a real `chroma run` server.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.retrieval.retriever import Retriever
from index.embedding import Embedder
from index.errors import NoIndexError
from index.rebuild import rebuild_index
from index.settings import Settings
from index.store import open_store
from tests.chroma_server import Backend, backend_fixture  # noqa: F401  (embedded store and Chroma server)
from tests.conftest import ROOT
from tests.index_helpers import (
    active_texts,
    assert_clean,
    assert_lexical_in_step,
    frozen_rebuild,
    make_corpus,
    resume,
    sigkill,
)

FERRY = "# Ferry strike ends\n\nFerry workers in Port Elling ended a two-day strike, said Oswin Drabble.\n"


def change_corpus(corpus: Path) -> None:
    """One article edited, one deleted, one added."""
    glacier = corpus / "glacier-study.txt"
    glacier.write_text(glacier.read_text().replace("about 180 glaciers", "about 190 glaciers"))
    (corpus / "chess.html").unlink()
    (corpus / "new.md").write_text(FERRY)


def assert_old_index(settings: Settings, embedder: Embedder, before: str) -> None:
    store = open_store(settings.store, settings.chroma_url)
    assert store.active_name() == before
    texts = active_texts(store)
    assert len(texts) == 37
    assert any("about 180 glaciers" in t for t in texts.values()) and any("Mira Holt" in t for t in texts.values())
    assert not any("Drabble" in t for t in texts.values())
    hits = Retriever(settings, embedder).retrieve("Who beat the world champion in Oslo?", k=1)
    assert hits[0].chunk.title == "Teenager stuns world champion in Oslo"


def assert_new_index(settings: Settings, embedder: Embedder) -> None:
    store = open_store(settings.store, settings.chroma_url)
    texts = active_texts(store)
    assert len(texts) == 37
    assert any("about 190 glaciers" in t for t in texts.values()) and not any("Mira Holt" in t for t in texts.values())
    assert_lexical_in_step(settings)
    hits = Retriever(settings, embedder).retrieve("Who ended the ferry strike in Port Elling?", k=1)
    assert hits[0].chunk.title == "Ferry strike ends"


# Every progress point of an incremental sync, in order; the pointer flips at ("switching", 1).
KILL_POINTS = [
    ("reading", 1),  # loading the corpus
    ("embedding", 0),  # chunked, about to embed
    ("writing", 0),  # new collection created, still empty
    ("writing", 2),  # chunks written, no BM25 yet
    ("lexical", 1),  # BM25 saved, pointer not flipped
    ("switching", 1),  # pointer flipped, old collections not yet cleaned up
    ("cleanup", 0),
]


@pytest.mark.parametrize(("stage", "done"), KILL_POINTS, ids=[f"{s}-{d}" for s, d in KILL_POINTS])
def test_sigkill_leaves_a_complete_index_and_the_next_rebuild_finishes(
    tmp_path: Path, embedder: Embedder, backend: Backend, stage: str, done: int
) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    before = open_store(settings.store, settings.chroma_url).active_name()
    assert before is not None
    change_corpus(corpus)
    flipped = KILL_POINTS.index((stage, done)) >= KILL_POINTS.index(("switching", 1))
    with frozen_rebuild(settings, stage, done) as proc:
        sigkill(proc)
    if flipped:
        assert_new_index(settings, embedder)
    else:
        assert_old_index(settings, embedder, before)
    report = rebuild_index(settings, embedder)
    if flipped:
        assert not report.changed
    else:
        assert (report.added, report.updated, report.removed, report.unchanged, report.embedded_chunks) == (
            1, 1, 1, 35, 2
        )
    assert_new_index(settings, embedder)
    assert_clean(settings)


@pytest.mark.parametrize("full", [False, True], ids=["first-build", "full-over-existing"])
def test_sigkill_while_writing_a_whole_index(tmp_path: Path, embedder: Embedder, backend: Backend, full: bool) -> None:
    settings = backend.settings(make_corpus(tmp_path), tmp_path / "store")
    if full:
        rebuild_index(settings, embedder)
    before = open_store(settings.store, settings.chroma_url, create=True).active_name()
    with frozen_rebuild(settings, "writing", 0, full=full) as proc:
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.01)  # lands inside Chroma's add of 37 chunks, or a little after it
        sigkill(proc)
    store = open_store(settings.store, settings.chroma_url)
    active = store.active_name()
    if active is None:
        assert not full
        with pytest.raises(NoIndexError, match="run `python -m index rebuild`"):
            store.require_active()
    else:
        # Whichever snapshot is active (the old one, or the new one if the kill came after the switch) is whole.
        assert active == before or not store.require_active().layered
        assert len(active_texts(store)) == 37
    report = rebuild_index(settings, embedder)
    assert report.articles == 37
    assert len(active_texts(store)) == 37
    assert_lexical_in_step(settings)
    assert_clean(settings)


def test_chat_keeps_answering_during_a_rebuild_and_switches_when_done(
    tmp_path: Path, embedder: Embedder, backend: Backend
) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    live = Retriever(settings, embedder)
    question = "Who ended the ferry strike in Port Elling?"
    old_answer = live.retrieve(question, k=1)[0].chunk.title
    assert old_answer != "Ferry strike ends"
    change_corpus(corpus)
    answers: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def chat() -> None:
        while not stop.is_set():
            try:
                answers.append(live.retrieve(question, k=1)[0].chunk.title)
            except Exception as exc:  # the test reports any failure of the live chat
                errors.append(exc)
            time.sleep(0.02)

    with frozen_rebuild(settings, "lexical", 1) as proc:
        # Everything is written but not switched on: the chat still answers from the old index.
        assert live.retrieve(question, k=1)[0].chunk.title == old_answer
        assert not live.refresh()
        reader = threading.Thread(target=chat)
        reader.start()
        try:
            resume(proc)
            time.sleep(0.3)
        finally:
            stop.set()
            reader.join()
    assert errors == []
    assert set(answers) <= {old_answer, "Ferry strike ends"} and answers[-1] == "Ferry strike ends"
    assert live.retrieve(question, k=1)[0].chunk.title == "Ferry strike ends"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "index", *args, "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )


def test_second_rebuild_in_another_process_is_refused(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    change_corpus(corpus)
    rebuild = ["rebuild", "--corpus", str(corpus)]
    with frozen_rebuild(settings, "embedding", 0) as proc:
        busy = run_cli(*rebuild, *backend.cli_args(settings.store))
        assert busy.returncode == 1
        assert busy.stderr == (
            f"error: another rebuild (pid {proc.pid}) is writing the index at {settings.store}; "
            "wait for it to finish, then run this again\n"
        )
        if backend.url:
            # Another machine (another --store folder) syncing into the same server is refused by the server lock.
            other = run_cli(*rebuild, *backend.cli_args(tmp_path / "other-store"))
            assert other.returncode == 1
            assert other.stderr.startswith(
                f"error: another rebuild ({socket.gethostname()}:{proc.pid}, last heard from "
            )
            assert other.stderr.endswith(
                f" s ago) is writing the index at {backend.url}; wait for it to finish, then run this again\n"
            )
        assert "done added=1 updated=1 removed=1" in resume(proc)
    again = run_cli(*rebuild, *backend.cli_args(settings.store))
    assert again.returncode == 0, again.stderr
    assert "  the index was already up to date\n" in again.stdout
    assert_new_index(settings, embedder)


def test_store_that_cannot_be_written_exits_1_with_advice(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    result = run_cli("rebuild", "--corpus", str(ROOT / "corpus"), "--store", str(blocker))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: cannot write the index folder {blocker}: File exists — pass --store (or BOT_STORE) "
        "a folder you can write to\n"
    )


def test_bad_input_is_skipped_with_reasons_and_never_aborts(tmp_path: Path, backend: Backend) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = "A perfectly fine article about the harbour in Port Elling. It has two sentences."
    (corpus / "good.txt").write_text(good)
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (corpus / "noise.txt").write_bytes(bytes(b or 1 for b in random.Random(0).randbytes(4000)))
    (corpus / "latin1.txt").write_bytes("Caf\xe9 owners in M\xfcnchen said prices rose.".encode("latin-1"))
    (corpus / "broken.json").write_text('{"title": "x", "body": ')
    (corpus / "nobody.json").write_text(json.dumps({"title": "No body here"}))
    (corpus / "zz-copy.txt").write_text(good)
    (corpus / "huge.json").write_text(json.dumps({"title": "Huge", "body": "word " * 2_000_000}))
    (corpus / "notes.docx").write_text("not a supported type")
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret text outside the corpus folder.")
    (corpus / "link.txt").symlink_to(outside)
    result = run_cli("rebuild", "--corpus", str(corpus), *backend.cli_args(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "  added 2 · updated 0 · removed 0 · unchanged 0 · skipped 9 · embedded 2 chunks"
    skipped = lines[lines.index("Skipped:") + 1:lines.index("Warnings:")]
    assert [line.split(":")[0].strip() for line in skipped] == [
        "binary.md", "broken.json", "empty.txt", "huge.json", "link.txt", "nobody.json", "noise.txt", "notes.docx",
        "zz-copy.txt",
    ]
    assert "  zz-copy.txt: duplicate of the article in good.txt" in skipped
    assert lines[lines.index("Warnings:") + 1:] == [
        "  latin1.txt: not UTF-8: read as cp1252; convert it to UTF-8 to be sure"
    ]
    texts = active_texts(open_store(tmp_path / "store", backend.url))
    assert sorted(texts.values()) == [good, "Café owners in München said prices rose."]


def test_file_vanishing_mid_rebuild_is_skipped(tmp_path: Path, embedder: Embedder, backend: Backend) -> None:
    corpus = make_corpus(tmp_path)
    settings = backend.settings(corpus, tmp_path / "store")
    rebuild_index(settings, embedder)
    # Files are read in name order: chess.html, glacier-study.txt, harbor-bridge.md, …
    with frozen_rebuild(settings, "reading", 1) as proc:
        (corpus / "glacier-study.txt").unlink()
        out = resume(proc)
    assert "skipped glacier-study.txt: file disappeared while the corpus was being read\n" in out
    assert "done added=0 updated=0 removed=1\n" in out
    texts = active_texts(open_store(settings.store, settings.chroma_url))
    assert len(texts) == 36 and not any("glaciers" in t for t in texts.values())
    assert_lexical_in_step(settings)
