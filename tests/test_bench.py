"""The benchmark suite end to end on the fixture corpus (tiny scales): structure and exact invariants, never speed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.lab.bench.indexing import EDIT_SENTENCE, StageClock, copy_corpus, edit_article, editable_articles
from bot.lab.bench.run import pick_questions
from bot.lab.bench.scale import MANIFEST, copy_chunks, replicated_lexical_index
from index.chunking import split_into_chunks
from index.lexical import build_lexical_index
from index.loaders import load_articles
from index.snapshot import SnapshotFiles
from index.store import open_store
from tests.conftest import FIXTURE_CORPUS, ROOT, run_module

FIXTURE_CHUNKS = 7
FIXTURE_ARTICLES = 7
TARGET_NAMES = [
    "indexing overhead (rebuild / embedding alone)",
    "incremental sync / full rebuild",
    "warm p50 latency at ×1",
    "p50 growth ×1 → ×2 (target set for ×100)",
    "RSS growth over one session, from a third of the turns",
    "RSS growth over one-question sessions, from a third of them",
    "temp files left after the serving answers",
    "errors under load (every run)",
    "p50 with 10 clients / single-user p50",
    "suite wall time",
]
SERVING_TURNS = 6


def last_json(stdout: str) -> dict[str, Any]:
    """The --json line (the last line of the output)."""
    return dict(json.loads(stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    """`python -m bot.lab.bench` on the fixture corpus at ×1 and ×2, serving and a short load of 2 and 10 clients:
    (work folder, stdout, figures)."""
    work = tmp_path_factory.mktemp("bench")
    done = run_module(
        "bot.lab.bench", "--corpus", str(FIXTURE_CORPUS), "--work", str(work), "--scales", "1,2",
        "--n-queries", "3", "--warmup", "1", "--st-sample", "4", "--turns", str(SERVING_TURNS), "--clients", "2,10",
        "--load-seconds", "2", "--json",
    )
    assert done.returncode == 0, done.stderr
    return work, done.stdout, last_json(done.stdout)


def test_every_figure_is_printed(bench_run: tuple[Path, str, dict[str, Any]]) -> None:
    _, stdout, _ = bench_run
    for label in (
        "1. Indexing overhead", "full rebuild", "embedding alone", "sentence-transformers encode(batch_size=32)",
        "rebuild / embedding alone", "2. Incremental sync", "sync, 1 article edited", "sync, nothing changed",
        "whole command", "sync / full rebuild", "3. Query latency", "SYNTHETIC", "first token p50", "p95",
        "4–5. Memory, load and cold first question", "peak RSS loaded", "first question: first token",
        "6. Serving", "turns in one session", "one-question sessions", "temp files left after 12 answers",
        "1 (one session)", "first update p50", "Targets", "total wall time",
    ):
        assert label in stdout, label
    assert "no query file" in stdout  # the fixture corpus has none: the easier title questions are announced
    rebuild_line = next(line for line in stdout.splitlines() if line.startswith("  full rebuild "))
    for stage in ("open", "reading", "chunking", "embedding", "writing", "lexical", "switching"):
        assert f"{stage} " in rebuild_line, stage
    targets = stdout.split("\nTargets\n", 1)[1]
    for name in TARGET_NAMES:
        row = next(line for line in targets.splitlines() if line.startswith(name))
        assert ("PASS" in row) != ("FAIL" in row), row


def test_json_figures(bench_run: tuple[Path, str, dict[str, Any]]) -> None:
    _, _, figures = bench_run
    indexing = figures["indexing"]
    assert (indexing["articles"], indexing["chunks"], indexing["batch_size"]) == (FIXTURE_ARTICLES, FIXTURE_CHUNKS, 32)
    assert indexing["overhead_ratio"] == pytest.approx(indexing["rebuild_s"] / indexing["embed_only_s"])
    assert indexing["method"].startswith("in-process index.rebuild.rebuild_index(full=True)")
    assert sum(indexing["stages"].values()) == pytest.approx(indexing["rebuild_s"])
    assert indexing["sentence_transformers"]["sample"] == 4
    incremental = indexing["incremental"]
    one = incremental["one_article"]
    assert (one["updated"], one["added"], one["removed"], one["unchanged"]) == (1, 0, 0, FIXTURE_ARTICLES - 1)
    assert one["embedded_chunks"] >= 1 and not one["compacted"]
    assert incremental["nothing_changed"]["changed"] is False
    assert incremental["nothing_changed"]["embedded_chunks"] == 0
    assert incremental["cli"]["rebuild_s"] is not None and incremental["cli"]["edited"] != incremental["edited"]
    assert indexing["incremental_ratio"] == pytest.approx(one["seconds"] / indexing["rebuild_s"])

    one_x, two_x = figures["scales"]
    assert (one_x["scale"], one_x["synthetic"], one_x["chunks"], one_x["articles"]) == (1, False, 7, 7)
    assert (two_x["scale"], two_x["synthetic"], two_x["chunks"], two_x["articles"]) == (2, True, 14, 14)
    assert two_x["store_reused"] is False
    for scale in (one_x, two_x):
        assert scale["queries"] == 3 and 0 <= scale["covered"] <= 3
        assert scale["p50_ms"] <= scale["p95_ms"] and scale["ttft_p50_ms"] <= scale["ttft_p95_ms"]
        assert 0 < scale["cold_ttft_ms"] <= scale["cold_total_ms"]
        assert scale["rss_engine_mb"] <= scale["rss_loaded_mb"] <= scale["rss_end_mb"]
        assert scale["app_load_s"] is not None and scale["engine_load_s"] > 0
    assert figures["questions"] == {"source": "made from article titles (no query file)", "timed": 3, "warmup": 1}
    assert [t["name"] for t in figures["targets"]] == TARGET_NAMES
    assert [t["target"] for t in figures["targets"]] == [1.15, 0.05, 150.0, 3.0, 0.05, 0.05, 50, 0, 5.0, 900]
    for target in figures["targets"]:
        assert target["pass"] == (target["value"] <= target["target"])
    assert figures["targets"][3]["value"] == pytest.approx(two_x["p50_ms"] / one_x["p50_ms"])


def test_serving_figures(bench_run: tuple[Path, str, dict[str, Any]]) -> None:
    work, _, figures = bench_run
    serving = figures["serving"]
    assert serving["store"] == str(work / "x1") and serving["workers"] is None
    one, many = serving["one_session"], serving["many_sessions"]
    assert (one["turns"], one["errors"], one["history_messages"]) == (SERVING_TURNS, 0, 2 * SERVING_TURNS)
    assert (many["sessions"], many["errors"]) == (SERVING_TURNS, 0)
    for run in (one, many):
        assert list(run["rss_mb"]) == ["0", "2", "4", "6"] and all(mb > 100 for mb in run["rss_mb"].values())
        assert run["growth"] == pytest.approx((run["rss_mb"]["6"] - run["rss_mb"]["2"]) / run["rss_mb"]["2"])
    assert one["p50_ms"] <= one["p95_ms"]
    # 12 answers leave no export behind (exports are written on click only).
    assert serving["temp_files"]["answers"] == 2 * SERVING_TURNS and serving["temp_files"]["exports"] == 0
    assert [(run["clients"], run["errors"]) for run in serving["load"]] == [(2, 0), (10, 0)]
    for run in serving["load"]:
        assert run["answers"] >= 1 and run["wall_s"] >= 2
        assert run["questions_per_s"] == pytest.approx(run["answers"] / run["wall_s"])
        assert run["first_update_p50_ms"] <= run["p50_ms"] and run["p50_ms"] <= run["p95_ms"]
    ten = serving["load"][1]
    assert figures["targets"][8]["value"] == pytest.approx(ten["p50_ms"] / one["p50_ms"])
    assert figures["targets"][7]["value"] == 0


def test_scaled_store_holds_perturbed_copies(bench_run: tuple[Path, str, dict[str, Any]]) -> None:
    work, _, _ = bench_run
    base = {s.chunk.id: s for s in open_store(work / "x1").require_active().iter_all(with_embeddings=True)}
    chunks = open_store(work / "scale-2").require_active("all-MiniLM-L6-v2-onnx-int8")
    scaled = {s.chunk.id: s for s in chunks.iter_all(with_embeddings=True)}
    assert chunks.count() == len(scaled) == 2 * len(base) == 2 * FIXTURE_CHUNKS
    for cid, original in base.items():
        article_id, n = cid.rsplit(":", 1)
        copy = scaled[f"{article_id}~1:{n}"]
        assert copy.chunk.article_id == f"{article_id}~1"
        assert (copy.chunk.text, copy.chunk.title, copy.chunk.outlet) == (
            original.chunk.text, original.chunk.title, original.chunk.outlet)
        same = scaled[cid].embedding
        assert original.embedding is not None and copy.embedding is not None and same is not None
        assert np.allclose(same, original.embedding)  # copy 0 is the real chunk
        assert np.linalg.norm(copy.embedding) == pytest.approx(1.0, abs=1e-5)
        assert 0.9 < float(copy.embedding @ original.embedding) < 0.9999
    lexical = SnapshotFiles(work / "scale-2").load_lexical(chunks.name)
    assert lexical is not None and sorted(lexical.ids) == sorted(scaled)
    assert json.loads((work / "scale-2" / MANIFEST).read_text())["chunks"] == 2 * FIXTURE_CHUNKS


def test_skip_indexing_reuses_the_scaled_store(bench_run: tuple[Path, str, dict[str, Any]]) -> None:
    work, _, _ = bench_run
    done = run_module("bot.lab.bench", "--corpus", str(FIXTURE_CORPUS), "--work", str(work), "--scales", "2",
                      "--n-queries", "1", "--warmup", "0", "--skip-indexing", "--no-app", "--parts", "latency,indexing",
                      "--json")
    assert done.returncode == 0, done.stderr
    figures = last_json(done.stdout)
    assert figures["indexing"] is None
    assert [(s["scale"], s["chunks"], s["store_reused"]) for s in figures["scales"]] == [(1, 7, True), (2, 14, True)]
    assert all(s["app_load_s"] is None and s["queries"] == 1 for s in figures["scales"])
    assert [t["pass"] for t in figures["targets"]] == [None, None, figures["targets"][2]["pass"],
                                                       figures["targets"][3]["pass"]] + [None] * 6
    assert figures["targets"][-1]["name"] == "suite wall time (scaled indexes reused)"
    assert figures["parts"] == ["latency"] and figures["serving"] is None
    assert isinstance(figures["targets"][2]["pass"], bool) and figures["total_s"] > 0
    assert "skipped (--skip-indexing)" in done.stdout and "reused the ×2 index" in done.stdout
    assert "6. Serving: not measured (--parts)" in done.stdout


def test_replicated_lexical_index_equals_building_it_over_all_copies() -> None:
    chunks = [c for a in load_articles(FIXTURE_CORPUS).articles for c in split_into_chunks(a)]
    replicated = replicated_lexical_index(chunks, 3)
    built = build_lexical_index([c for copy in range(3) for c in copy_chunks(chunks, copy)])
    assert replicated.ids == built.ids and replicated.fields == built.fields
    for question in ("glacier ice volume", "Riverton Rockets championship", "marathon record Melbourne", "zebra"):
        assert np.array_equal(replicated.scores(question), built.scores(question)), question
    assert replicated.search("glacier ice", 3) == built.search("glacier ice", 3)


def test_edit_changes_exactly_one_article_in_every_format(tmp_path: Path) -> None:
    loaded = load_articles(FIXTURE_CORPUS)
    before = {a.id: a.content_hash for a in loaded.articles}
    editable = editable_articles(loaded)
    assert {Path(loaded.files[a.id]).suffix for a in editable} == {".json", ".jsonl", ".md", ".txt"}
    for i, article in enumerate(editable):
        corpus = copy_corpus(FIXTURE_CORPUS, tmp_path / f"copy{i}")
        edit_article(corpus, article, loaded.files[article.id])
        after = {a.id: a for a in load_articles(corpus).articles}
        assert after.keys() == before.keys()
        changed = [aid for aid, a in after.items() if a.content_hash != before[aid]]
        assert changed == [article.id], article.origin
        assert after[article.id].body.endswith(EDIT_SENTENCE)


def test_copy_of_a_single_file_corpus(tmp_path: Path) -> None:
    source = tmp_path / "one.json"
    shutil.copy(FIXTURE_CORPUS / "tech.json", source)
    copied = copy_corpus(source, tmp_path / "copy")
    assert copied == tmp_path / "copy" / "one.json" and copied.read_bytes() == source.read_bytes()


def test_stage_clock_splits_the_whole_rebuild() -> None:
    clock = StageClock()
    for stage in ("reading", "reading", "embedding", "writing", "writing"):
        clock(stage, 0, 1)
    ended = clock.first["writing"] + 0.5
    durations = clock.durations(ended)
    assert list(durations) == ["open", "reading", "embedding", "writing"]
    assert sum(durations.values()) == pytest.approx(ended - clock.started)
    assert durations["writing"] == pytest.approx(0.5)


def test_questions_spread_over_the_file_or_made_from_titles(tmp_path: Path) -> None:
    queries = tmp_path / "q.json"
    queries.write_text(json.dumps([{"query": f"q{i}"} for i in range(10)]))
    assert pick_questions(queries, [], 5)[0] == ["q0", "q2", "q4", "q6", "q8"]
    titles, source = pick_questions(None, ["B", "A", "B"], 5)
    assert titles == [f"What is reported about {t}?" for t in ("A", "B", "A", "B", "A")]
    assert source == "made from article titles (no query file), repeated to make 5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--corpus", "/nonexistent/corpus.json"], "error: no corpus at /nonexistent/corpus.json: pass --corpus"),
        (["--work", str(ROOT / "bench-work")], "is inside the repository: pick a scratch folder"),
        (["--scales", "1,x"], "error: --scales takes whole numbers separated by commas"),
        (["--scales", "0,2"], "error: --scales must be 1 or more"),
        (["--queries", "/nonexistent/q.json"], "error: no query file at /nonexistent/q.json: pass --queries"),
        (["--skip-indexing", "--index", "/nonexistent/index"], "error: no index at /nonexistent/index"),
        (["--parts", "latency,speed"], "error: --parts takes some of indexing,latency,serving,load"),
        (["--clients", "0,10"], "error: --clients takes whole numbers of 1 or more"),
        (["--turns", "2"], "error: --turns must be at least 3"),
    ],
)
def test_bad_arguments_get_a_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    done = run_module("bot.lab.bench", "--corpus", str(FIXTURE_CORPUS), "--work", str(tmp_path / "w"), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert not (ROOT / "bench-work").exists()


def test_help_explains_every_option() -> None:
    done = run_module("bot.lab.bench", "--help")
    assert done.returncode == 0
    for flag in ("--corpus", "--work", "--scales", "--queries", "--n-queries", "--warmup", "--skip-indexing",
                 "--index", "--st-sample", "--noise", "--seed", "--rebuild-scaled", "--no-app", "--json", "--parts",
                 "--turns", "--clients", "--load-seconds", "--server-workers"):
        assert flag in done.stdout, flag
    assert "synthetic" in done.stdout.lower() and "Target ≤ 1.15" in done.stdout


def test_peak_memory_is_the_measuring_process_own(tmp_path: Path) -> None:
    # A child started by fork + exec inherits the parent's ru_maxrss; the probe must report its own peak.
    ballast = np.ones(512 * 1024 * 1024 // 8)  # 512 MB resident in this (parent) process
    code = "from bot.lab.bench.probe import peak_rss_mb; print(peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 10 < float(done.stdout) < 400 < ballast.nbytes / 2**20
