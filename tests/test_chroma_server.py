"""The CLIs against a real `chroma run` server: --chroma-url and BOT_CHROMA_URL, the BM25 cache, errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.snapshot import snapshot_files
from tests.chroma_server import chroma_server
from tests.conftest import FIXTURE_CORPUS, free_port
from tests.conftest import run_module as run


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma") / "data") as url:
        yield url


def test_rebuild_stats_ask_and_sync_through_a_server(tmp_path: Path, server: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    store = tmp_path / "store"
    built = run("index", "rebuild", "--corpus", str(corpus), "--store", str(store), "--chroma-url", server, "--quiet")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Indexed 7 articles → 7 chunks in ")
    assert f"(store: {server}, full rebuild)\n" in built.stdout

    stats = run("index", "stats", "--json", "--store", str(store), env={"BOT_CHROMA_URL": server})
    assert stats.returncode == 0, stats.stderr
    info = json.loads(stats.stdout)
    assert (info["location"], info["articles"], info["chunks"]) == (server, 7, 7)

    # A chat on another machine has no BM25 cache: it rebuilds it from Chroma into its own --store folder.
    elsewhere = tmp_path / "elsewhere"
    question = "Who won the hockey championship?"
    asked = run("bot", "ask", question, "--json", "--store", str(elsewhere), env={"BOT_CHROMA_URL": server})
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"][0]["title"] == "Riverton Rockets win the championship"
    assert (snapshot_files(elsewhere, server).lexical_dir(info["collection"]) / "chunk_ids.json").exists()

    (corpus / "ferry.md").write_text("# Ferry strike ends\n\nFerry workers in Port Elling ended a two-day strike.\n")
    synced = run("index", "rebuild", "--corpus", str(corpus), "--store", str(store), "--quiet",
                 env={"BOT_CHROMA_URL": server})
    assert synced.returncode == 0, synced.stderr
    assert "  added 1 · updated 0 · removed 0 · unchanged 7 · skipped 0 · embedded 1 chunks\n" in synced.stdout
    asked = run("bot", "ask", "Who ended the ferry strike?", "--json", "--store", str(elsewhere),
                "--chroma-url", server)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"][0]["title"] == "Ferry strike ends"


def test_unreachable_server_says_what_to_do(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    advice = (
        f" — start it with `chroma run --path DIR --host 127.0.0.1 --port {port}`, fix --chroma-url "
        "(or BOT_CHROMA_URL), or leave both unset to use the embedded store\n"
    )
    for args in (
        ("index", "rebuild", "--corpus", str(FIXTURE_CORPUS), "--quiet"),
        ("index", "stats"),
        ("bot", "ask", "anything"),
    ):
        result = run(*args, "--store", str(tmp_path / "s"), env={"BOT_CHROMA_URL": url})
        assert result.returncode == 1, args
        assert result.stderr.startswith(f"error: cannot reach the Chroma server at {url}: "), result.stderr
        assert result.stderr.endswith(advice), result.stderr


def test_malformed_url_says_the_expected_form(tmp_path: Path) -> None:
    result = run("index", "stats", "--store", str(tmp_path / "s"), "--chroma-url", "ftp://127.0.0.1:8000")
    assert result.returncode == 1
    assert result.stderr == (
        "error: cannot read the Chroma URL 'ftp://127.0.0.1:8000': use the form http://127.0.0.1:8000\n"
    )
