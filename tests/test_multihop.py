"""The shared MultiHop-RAG corpus indexes from the CLI, a known fact is retrievable, and the ranker earns its place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.retrieval import Retriever
from index.embedding import Embedder
from index.settings import Settings
from tests.conftest import MULTIHOP_CORPUS, MULTIHOP_QUERIES, ROOT, require_shared


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
    assert (info["articles"], info["chunks"]) == (609, 5703)  # 300/40-token chunks


@pytest.mark.slow
def test_known_fact_is_retrievable(multihop_store: Path, embedder: Embedder) -> None:
    retriever = Retriever(Settings(store=multihop_store), embedder)
    fact = "The highly anticipated criminal trial for Sam Bankman-Fried, former CEO of bankrupt crypto exchange FTX"
    hits = retriever.retrieve("When did the criminal trial of Sam Bankman-Fried, former CEO of FTX, start?", k=10)
    assert any(fact in h.chunk.text for h in hits)
    assert any(h.chunk.source == "TechCrunch" and "ftx-lawsuit-timeline" in (h.chunk.url or "") for h in hits)


@pytest.mark.slow
def test_harness_figures_with_and_without_the_ranker(multihop_store: Path) -> None:
    figures = {}
    for flags in ([], ["--no-ranker"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot.eval", "retrieval", "--store", str(multihop_store), "--queries",
             str(MULTIHOP_QUERIES), "--json", *flags],
            cwd=ROOT, capture_output=True, text=True, timeout=1200,
        )
        assert result.returncode == 0, result.stderr
        figures[bool(flags)] = json.loads(result.stdout.strip().splitlines()[-1])
    ranked, fused = figures[False], figures[True]
    assert ranked["queries"] == fused["queries"] == 697
    # Measured here: fused 0.9656 / 0.901 / 0.7211 / 0.39 / 0.695, ranked 0.9727 / 0.9154 / 0.7803 / 0.4275 /
    # 0.7368. ONNX int8 kernels may differ slightly on another CPU, so the bounds leave room for a rank flip
    # or two, not for a lost mechanism.
    assert fused["mrr@10"] == pytest.approx(0.7211, abs=0.01)
    assert ranked["mrr@10"] == pytest.approx(0.7803, abs=0.01)
    assert ranked["map@10"] == pytest.approx(0.4275, abs=0.01)
    assert ranked["evidence_recall@10"] == pytest.approx(0.7368, abs=0.01)
    assert ranked["hits@4"] == pytest.approx(0.9154, abs=0.01)
    assert ranked["mean_chunk_tokens"] == pytest.approx(271.3, abs=1.0)
