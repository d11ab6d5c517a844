"""Benchmark suite: indexing overhead, incremental sync, query latency at scale, memory, time to first token.

    python -m bot.lab.bench [--corpus ../shared/data/multihop-rag/corpus.json] [--work /tmp/newsbot-bench]
        [--scales 1,20,100] [--queries ../shared/data/multihop-rag/queries_dev.json] [--skip-indexing] [--json]
        [--parts indexing,latency,serving,load] [--turns 300] [--clients 10,20] [--load-seconds 60]

Every figure is measured in this one run, side by side with what it is compared to, and printed with its
target and PASS/FAIL:

1. Indexing overhead: a full rebuild of the corpus (index.rebuild.rebuild_index(full=True), the code path of
   `python -m index rebuild --full`, called in-process with the model already loaded) divided by the time to
   embed the same chunk texts with Embedder.embed_texts (same model, batch size 32). Target ≤ 1.15. The
   rebuild is broken down by stage; sentence-transformers' own encode() runs on a sample for context.
2. Incremental sync: a sync after editing one article of a copy of the corpus (in-process), divided by the
   full rebuild. Target ≤ 0.05. The whole `python -m index rebuild` command is timed too.
3. Query latency: warm p50/p95 of the chat's retrieval + extractive answer (ChatEngine.stream_answer, no LLM)
   over --n-queries questions after --warmup untimed ones, at the real index (×1) and at synthetic scaled
   indexes: copies of the real chunks with new ids and Gaussian-perturbed, re-normalised embeddings, in Chroma
   and BM25 like a real index. Targets: p50 ≤ 150 ms at ×1; p50 growth ×1 → ×100 at most ×3.
4. Memory: peak RSS of a fresh process that loads the chat as app.py does (engine, corpus profile, example
   questions, Gradio page) and answers one question, per scale.
5. Time to first token (first streamed snapshot with text) warm, and the cold first question of a fresh
   process, with its load time.
6. Serving (bot.lab.bench.serving): app.py on the ×1 index (--no-build: only read) asked through gradio_client
   on 127.0.0.1: its RSS after 0, ⅓, ⅔ and all of --turns questions in one session and over as many
   one-question sessions (target: growth from ⅓ to the end ≤ 5%), the temp files it left, and --turns
   answers' single-user p50/p95; then ("load") each of --clients concurrent sessions asking for
   --load-seconds: errors (target 0), p50/p95, time to the first update, questions/s; target: p50 with 10
   clients ≤ 5× the single-user p50.

--parts picks what runs (--skip-indexing leaves out "indexing"); serving and load can run alone on an
existing index: --skip-indexing --index DIR --parts serving,load.

Scaled indexes are kept in --work and reused while the real index's chunks, the store format and the copy
parameters are unchanged (writing ~650k chunks to Chroma takes minutes); --rebuild-scaled forces a rebuild.
The last line with --json is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from rich.console import Console

import index.offline  # noqa: F401  (before chromadb/transformers are imported)
from bot.lab import REPO, SHARED_DATA
from bot.lab.bench.indexing import BenchError, child_env, measure_indexing
from bot.lab.bench.report import print_report, progress_bar, step, targets_of
from bot.lab.bench.scale import ScaledStore, build_scaled_store, read_base
from bot.lab.bench.serving import measure_serving
from bot.lab.stats import percentile
from index.embedding import load_embedder
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings
from index.snapshot import SnapshotFiles
from index.store import open_store

SHARED = SHARED_DATA / "multihop-rag"
DEFAULT_CORPUS = SHARED / "corpus.json"
DEFAULT_QUERIES = SHARED / "queries_dev.json"
DEFAULT_WORK = Path("/tmp/newsbot-bench")


# ---------------------------------------------------------------- small helpers


def parse_scales(text: str) -> list[int]:
    """`1,20,100` → [1, 20, 100]; ×1 (the real index) is always measured."""
    try:
        scales = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise BenchError(f"--scales takes whole numbers separated by commas, such as 1,20,100 (got {text!r})") from None
    if any(s < 1 for s in scales):
        raise BenchError(f"--scales must be 1 or more (got {text!r})")
    return sorted(scales | {1})




PARTS = ("indexing", "latency", "serving", "load")


def parse_parts(text: str, skip_indexing: bool) -> list[str]:
    """`latency,load` → the parts to run, in the suite's order; --skip-indexing leaves out "indexing"."""
    parts = {part.strip() for part in text.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if unknown or not parts:
        raise BenchError(f"--parts takes some of {','.join(PARTS)} separated by commas (got {text!r})")
    return [p for p in PARTS if p in parts and not (p == "indexing" and skip_indexing)]


def pick_questions(queries: Path | None, titles: list[str], count: int) -> tuple[list[str], str]:
    """`count` questions spread over the query file, or made from article titles when there is none."""
    if queries is not None:
        try:
            records = json.loads(queries.read_text(encoding="utf-8"))
            pool = [str(r["query"]) for r in records]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BenchError(f"cannot read questions from {queries} ({exc}): pass --queries a JSON list of "
                             "objects with a \"query\" field, such as queries_dev.json") from exc
        source = f"{queries.name} (questions spread evenly over its {len(pool)})"
    else:
        pool = [f"What is reported about {title}?" for title in sorted(set(titles))]
        source = "made from article titles (no query file)"
    if not pool:
        raise BenchError("no questions to ask: pass --queries a non-empty query file")
    if len(pool) >= count:
        step = len(pool) / count
        return [pool[int(i * step)] for i in range(count)], source
    return list(islice(cycle(pool), count)), source + f", repeated to make {count}"


# ---------------------------------------------------------------- the measurements


def build_scales(
    base_store: Path, embed_model: str, scales: list[int], work: Path, noise: float, seed: int, rebuild: bool,
    console: Console,
) -> list[ScaledStore]:
    """The real index (×1) and a synthetic scaled copy of it for every other scale."""
    real = open_store(base_store).require_active(embed_model)
    base = read_base(real)
    articles = len({s.chunk.article_id for s in base})
    stores = [ScaledStore(base_store, 1, articles, len(base), 0.0, True, str(real.metadata.get("built_at")), 0.0)]
    for scale in scales:
        if scale == 1:
            continue
        step(console, f"scaled index ×{scale}: {scale * len(base)} chunks (synthetic copies, perturbed embeddings)")
        with progress_bar(console) as bar:
            task = bar.add_task(f"×{scale}", total=scale * len(base))

            def tick(stage: str, done: int, total: int, task: Any = task, scale: int = scale) -> None:
                bar.update(task, description=f"×{scale}: {stage}", completed=done, total=total)

            built = build_scaled_store(real, work / f"scale-{scale}", scale, noise=noise, seed=seed,
                                       rebuild=rebuild, progress=tick, base=base)
        if built.reused:
            step(console, f"  reused the ×{scale} index built {built.built_at} (it took {built.build_seconds:.0f} s)")
        # Copies keep their text, hence their sentence-vector keys: the real index's table serves them all.
        scaled_name = open_store(built.path).active_name()
        assert scaled_name is not None
        shutil.copytree(SnapshotFiles(base_store).sentences_dir(real.name),
                        SnapshotFiles(built.path).sentences_dir(scaled_name), dirs_exist_ok=True)
        stores.append(built)
    del base
    gc.collect()
    return stores


def run_probe(
    store: ScaledStore, questions: Path, warmup: int, with_app: bool, console: Console, log: Path
) -> dict[str, Any]:
    """Run bot.lab.bench.probe in a fresh process on one index; its figures plus the process's own wall time."""
    command = [sys.executable, "-m", "bot.lab.bench.probe", "--store", str(store.path), "--questions", str(questions),
               "--warmup", str(warmup)] + ([] if with_app else ["--no-app"])
    result: dict[str, Any] | None = None
    started = time.perf_counter()
    with open(log, "w") as err, progress_bar(console) as bar:
        task = bar.add_task(f"×{store.scale}: loading", total=None)
        proc = subprocess.Popen(command, cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=err, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("progress "):
                done, total = (int(x) for x in line.split()[1:3])
                bar.update(task, description=f"×{store.scale}: questions", completed=done, total=total)
            elif line.startswith("result "):
                result = json.loads(line[len("result "):])
        code = proc.wait()
    if code != 0 or result is None:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise BenchError(f"the measuring process for ×{store.scale} failed (exit {code}):\n{tail}")
    result["process_wall_s"] = time.perf_counter() - started
    return result


def summarize_scale(store: ScaledStore, probe: dict[str, Any]) -> dict[str, Any]:
    """The per-scale figures of the report."""
    totals, ttfts = probe["warm_total_ms"], probe["warm_ttft_ms"]
    return {
        "scale": store.scale,
        "synthetic": store.scale > 1,
        "articles": store.articles,
        "chunks": probe["chunks"],
        "store": str(store.path),
        "store_build_s": store.build_seconds,
        "store_reused": store.reused,
        "queries": len(totals),
        "p50_ms": percentile(totals, 50),
        "p95_ms": percentile(totals, 95),
        "ttft_p50_ms": percentile(ttfts, 50),
        "ttft_p95_ms": percentile(ttfts, 95),
        "covered": probe["warm_covered"],
        "cold_ttft_ms": probe["cold_ttft_ms"],
        "cold_total_ms": probe["cold_total_ms"],
        "import_s": probe["import_s"],
        "model_load_s": probe["model_load_s"],
        "index_load_s": probe["index_load_s"],
        "engine_load_s": probe["engine_load_s"],
        "app_load_s": probe.get("app_load_s"),
        "rss_engine_mb": probe["rss_engine_mb"],
        "rss_loaded_mb": probe["rss_loaded_mb"],
        "rss_end_mb": probe["rss_end_mb"],
        "process_wall_s": probe["process_wall_s"],
    }


# ---------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.lab.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="articles to index: a folder or one file (default: the shared MultiHop-RAG corpus.json)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"scratch folder outside the repository for indexes and copies (default {DEFAULT_WORK})")
    parser.add_argument("--scales", default="1,20,100",
                        help="index sizes to query, as multiples of the real index (default 1,20,100; ×1 always)")
    parser.add_argument("--queries", type=Path, default=None,
                        help="questions: a JSON list of objects with a \"query\" field (default: the shared "
                             "queries_dev.json with the default corpus, else questions made from article titles)")
    parser.add_argument("--n-queries", type=int, default=100, help="timed questions per scale (default 100)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed warm-up questions per scale (default 3)")
    parser.add_argument("--skip-indexing", action="store_true",
                        help="skip figures 1 and 2 and query the index at --index (default WORK/x1, from a "
                             "previous run)")
    parser.add_argument("--index", type=Path, default=None, help="the ×1 index to use with --skip-indexing")
    parser.add_argument("--st-sample", type=int, default=320,
                        help="chunks embedded by sentence-transformers directly, for context (default 320; 0 skips)")
    parser.add_argument("--noise", type=float, default=0.01,
                        help="standard deviation per dimension of the noise added to copied embeddings (default 0.01)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the noise (default 0)")
    parser.add_argument("--rebuild-scaled", action="store_true", help="rebuild scaled indexes even if reusable")
    parser.add_argument("--no-app", action="store_true",
                        help="load only the chat engine in the measuring processes, not what app.py adds")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"what to measure (default {','.join(PARTS)}): indexing = figures 1-2, latency = 3-5, "
                             "serving and load = 6")
    parser.add_argument("--turns", type=int, default=300,
                        help="serving: questions in one session, and one-question sessions (default 300)")
    parser.add_argument("--clients", default="10,20",
                        help="load: numbers of concurrent clients, one run each (default 10,20)")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="load: seconds per run (default 60)")
    parser.add_argument("--server-workers", type=int, default=None,
                        help="serving and load: app.py --workers (default: the app's own default)")
    parser.add_argument("--json", action="store_true", help="print one JSON line with every figure, last")
    return parser


def check_arguments(args: argparse.Namespace) -> tuple[Path, Path | None, list[str], list[int]]:
    """(scratch folder, query file or None, parts to run, client counts), or a BenchError saying what to fix."""
    parse_scales(args.scales)
    parts = parse_parts(args.parts, args.skip_indexing)
    if args.n_queries < 1 or args.warmup < 0:
        raise BenchError("--n-queries must be at least 1 and --warmup at least 0")
    if args.turns < 3 or args.load_seconds <= 0:
        raise BenchError("--turns must be at least 3 (memory is read at a third of them) and --load-seconds above 0")
    try:
        clients = sorted({int(part) for part in args.clients.split(",") if part.strip()})
    except ValueError:
        clients = []
    if not clients or clients[0] < 1:
        raise BenchError(f"--clients takes whole numbers of 1 or more separated by commas, such as 10,20 "
                         f"(got {args.clients!r})")
    work = args.work.expanduser().resolve()
    if work.is_relative_to(REPO):
        raise BenchError(f"--work {work} is inside the repository: pick a scratch folder such as {DEFAULT_WORK}")
    queries: Path | None = args.queries
    if queries is not None and not queries.is_file():
        raise BenchError(f"no query file at {queries}: pass --queries a JSON file such as {DEFAULT_QUERIES}, "
                         "or leave it out to ask about article titles")
    if queries is None and args.corpus.resolve() == DEFAULT_CORPUS.resolve() and DEFAULT_QUERIES.is_file():
        queries = DEFAULT_QUERIES  # the questions that go with the default corpus
    if "indexing" in parts and not args.corpus.exists():
        raise BenchError(f"no corpus at {args.corpus}: pass --corpus a folder of articles or a JSON file such as "
                         f"{DEFAULT_CORPUS} (the MultiHop-RAG data beside the repository), or use --skip-indexing "
                         "with --index")
    return work, queries, parts, clients


def measure_latency(
    args: argparse.Namespace, embed_model: str, base_store: Path, work: Path, questions: list[str], console: Console
) -> list[dict[str, Any]]:
    """Figures 3-5 at every scale: a fresh measuring process per index."""
    stores = build_scales(base_store, embed_model, parse_scales(args.scales), work, args.noise, args.seed,
                          args.rebuild_scaled, console)
    questions_file = work / "questions.json"
    questions_file.write_text(json.dumps(questions), encoding="utf-8")
    scales: list[dict[str, Any]] = []
    for store in stores:
        step(console, f"×{store.scale}: fresh process loads the chat, answers 1 cold + {args.warmup} warm-up + "
                      f"{args.n_queries} timed questions")
        probe = run_probe(store, questions_file, args.warmup, not args.no_app, console,
                          work / f"probe-x{store.scale}.log")
        scales.append(summarize_scale(store, probe))
    return scales


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Every measurement asked for; returns the figures for the report and --json."""
    started = time.perf_counter()
    load_start = os.getloadavg()
    work, queries, parts, clients = check_arguments(args)
    work.mkdir(parents=True, exist_ok=True)
    base_store = work / "x1" if "indexing" in parts else (args.index or work / "x1")
    # Settings built once here; the bench measures the embedded store and extractive answers.
    settings = replace(load_settings(corpus=args.corpus, store=base_store).without_llm(), chroma_url=None)

    indexing: dict[str, Any] | None = None
    if "indexing" in parts:
        step(console, f"loading the embedding model {settings.embed_model}")
        embedder = load_embedder(settings.embed_model)
        indexing = measure_indexing(settings, embedder, console, work, args.st_sample)
        del embedder
        gc.collect()
    elif not base_store.exists():
        raise BenchError(f"no index at {base_store}: run once without --skip-indexing, or pass --index an index "
                         "built with `python -m index rebuild`")
    titles = [] if queries else [s.chunk.title for s in open_store(base_store).require_active().iter_all()]
    questions, source = pick_questions(queries, titles, 1 + args.warmup + args.n_queries)
    if queries is None:  # easier questions than the benchmark's: a comparison across checkouts must say so
        step(console, "[yellow]no query file: asking questions made from article titles, which are easier than a "
                      f"benchmark's; pass --queries FILE ({DEFAULT_QUERIES} goes with the default corpus) to time "
                      "the same questions as another run[/yellow]")
    scales = measure_latency(args, settings.embed_model, base_store, work, questions, console) \
        if "latency" in parts else []
    serving: dict[str, Any] | None = None
    if "serving" in parts or "load" in parts:
        asked, asked_from = pick_questions(queries, titles, args.turns)
        serving = measure_serving(base_store, work, asked, parts, clients, args.load_seconds, args.server_workers,
                                  console) | {"questions": asked_from}
    total_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(), "embed_model": settings.embed_model, "python": platform.python_version(),
            "load_start": list(load_start), "load_end": list(os.getloadavg()),
        },
        "work": str(work),
        "parts": parts,
        "noise": args.noise,
        "questions": {"source": source, "timed": args.n_queries, "warmup": args.warmup},
        "indexing": indexing,
        "scales": scales,
        "serving": serving,
        "total_s": total_s,
    }
    targets = targets_of(indexing, scales, serving, total_s)
    figures["targets"] = [t.to_json() for t in targets]
    print_report(console, figures, targets)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    console = Console(highlight=False)
    if not console.is_terminal:
        # A log or a pipe: wide enough for the tables, and lines of figures never wrapped.
        console = Console(highlight=False, width=160, soft_wrap=True)
    try:
        figures = run(args, console)
    except (BenchError, IndexLayerError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
