"""The shared MultiHop-RAG corpus indexes from the CLI and a known fact is retrievable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.retrieval import Retriever
from index.embedding import Embedder
from index.settings import Settings
from tests.conftest import MULTIHOP_CORPUS, ROOT, require_shared


@pytest.fixture(scope="session")
def multihop_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    store = tmp_path_factory.mktemp("multihop") / "store"
    result = subprocess.run(
        [sys.executable, "-m", "index", "rebuild", "--corpus", str(MULTIHOP_CORPUS), "--store", str(store), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=3000,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Indexed 609 articles → ")
    return store


@pytest.mark.slow
def test_multihop_index_stats(multihop_store: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "index", "stats", "--store", str(multihop_store), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    info = json.loads(result.stdout)
    assert info["articles"] == 609
    assert 5000 < info["chunks"] < 8000


@pytest.mark.slow
def test_known_fact_is_retrievable(multihop_store: Path, embedder: Embedder) -> None:
    retriever = Retriever(Settings(store=multihop_store), embedder)
    fact = "The highly anticipated criminal trial for Sam Bankman-Fried, former CEO of bankrupt crypto exchange FTX"
    hits = retriever.retrieve("When did the criminal trial of Sam Bankman-Fried, former CEO of FTX, start?", k=10)
    assert any(fact in h.chunk.text for h in hits)
    assert any(h.chunk.source == "TechCrunch" and "ftx-lawsuit-timeline" in (h.chunk.url or "") for h in hits)
