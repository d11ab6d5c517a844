"""One benchmark measurement in a fresh process: load the chat as the app does, answer, report time and memory.

    python -m bot.lab.bench.probe --store DIR --questions FILE.json [--warmup 3] [--no-app]

Run by `python -m bot.lab.bench` once per index size. In order: import, load the model and the index
(ChatEngine), answer the first question (cold: time to the first text and to the complete answer), load
what the web app adds at start (corpus profile, example questions, the Gradio page, as bot.web does), then
answer the warm-up questions and time every other question of FILE (a JSON list of strings) with the
extractive answerer. Prints `progress DONE TOTAL` lines and, last, `result {json}`.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before the heavy imports: importing is part of a cold start

import argparse
import json
import resource
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import index.offline  # noqa: F401  (before chromadb/transformers are imported)
from bot.engine import ChatEngine
from bot.types import Answer
from index.embedding import load_embedder
from index.settings import load_settings


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Read from VmHWM where Linux has it: ru_maxrss of a process started by fork + exec keeps the parent's
    resident size at the fork (the bench's parent can hold gigabytes), VmHWM starts afresh at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_answer(stream: Iterator[Answer]) -> tuple[float, float, Answer]:
    """(seconds to the first snapshot with text, seconds to the complete answer, the answer) of a stream."""
    started = time.perf_counter()
    first: float | None = None
    final: Answer | None = None
    for snapshot in stream:
        if first is None and snapshot.text:
            first = time.perf_counter() - started
        final = snapshot
    total = time.perf_counter() - started
    if final is None:
        raise RuntimeError("the chat yielded no answer")
    return (total if first is None else first), total, final


def measure(store: Path, questions: list[str], warmup: int, with_app: bool) -> dict[str, Any]:
    """Every figure of one fresh process (see the module docstring)."""
    imported = time.perf_counter()
    # The bench measures extractive answers on an embedded store, whatever the environment configures.
    settings = replace(load_settings(store=store).without_llm(), chroma_url=None)
    embedder = load_embedder(settings.embed_model)
    model_loaded = time.perf_counter()
    engine = ChatEngine(settings, embedder)
    engine_loaded = time.perf_counter()
    result: dict[str, Any] = {
        "store": str(store),
        "chunks": engine.retriever.collection.count(),
        "import_s": imported - _STARTED,
        "model_load_s": model_loaded - imported,
        "index_load_s": engine_loaded - model_loaded,
        "engine_load_s": engine_loaded - _STARTED,
        "rss_engine_mb": peak_rss_mb(),
    }
    cold_ttft, cold_total, _ = timed_answer(engine.stream_answer(questions[0]))
    result.update(cold_ttft_ms=cold_ttft * 1000, cold_total_ms=cold_total * 1000, rss_first_answer_mb=peak_rss_mb())
    if with_app:
        from bot.web.chat_app import ChatApp  # imported here: the cold start above is the engine's alone
        from bot.web.page import build_page

        app_started = time.perf_counter()
        chat = ChatApp(settings, embedder, engine)
        build_page(chat)
        result.update(app_load_s=time.perf_counter() - app_started, app_examples=len(chat.examples))
    result["rss_loaded_mb"] = peak_rss_mb()
    measured = questions[1 + warmup:]
    for question in questions[1:1 + warmup]:
        engine.answer(question)
    totals: list[float] = []
    ttfts: list[float] = []
    covered = 0
    for i, question in enumerate(measured):
        ttft, total, answer = timed_answer(engine.stream_answer(question))
        ttfts.append(ttft * 1000)
        totals.append(total * 1000)
        covered += answer.covered
        print(f"progress {i + 1} {len(measured)}", flush=True)
    result.update(warm_total_ms=totals, warm_ttft_ms=ttfts, warm_covered=covered, rss_end_mb=peak_rss_mb())
    return result


def main(argv: list[str] | None = None) -> int:
    """Entry point: measure, print `result {json}`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="index folder to load")
    parser.add_argument("--questions", type=Path, required=True, help="JSON list of questions: cold, warm-up, timed")
    parser.add_argument("--warmup", type=int, default=3, help="untimed questions after the cold one (default 3)")
    parser.add_argument("--no-app", action="store_true", help="skip what the web app loads beyond the chat engine")
    args = parser.parse_args(argv)
    questions = [str(q) for q in json.loads(args.questions.read_text(encoding="utf-8"))]
    if len(questions) < 2 + args.warmup:
        parser.error(f"need at least {2 + args.warmup} questions (cold, {args.warmup} warm-up, one timed)")
    print("result " + json.dumps(measure(args.store, questions, args.warmup, not args.no_app)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
