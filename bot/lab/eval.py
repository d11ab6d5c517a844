"""`python -m bot.lab.eval retrieval|answers`: retrieval metrics and answer quality through the chat's own code path."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import BotError
from bot.lab.stats import percentile
from bot.retrieval.retriever import Retriever
from index.chunking import count_tokens
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings


def squash(text: str) -> str:
    """Text with spaces and newlines removed, as the benchmark's reference evaluation compares it."""
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class QueryResult:
    """One question's retrieved chunk texts (rank order) and gold facts."""

    query: str
    question_type: str
    retrieved: list[str]
    gold: list[dict[str, Any]]
    latency_ms: float


def first_ranks(result: QueryResult, k: int) -> list[int | None]:
    """For each gold fact, the 1-based rank of the first retrieved chunk containing it (None if not in top k)."""
    texts = [squash(t) for t in result.retrieved[:k]]
    ranks: list[int | None] = []
    for item in result.gold:
        fact = squash(item["fact"])
        ranks.append(next((r for r, t in enumerate(texts, start=1) if fact in t), None))
    return ranks


def score(results: Sequence[QueryResult], k: int = 10) -> dict[str, float]:
    """Hits@k, Hits@4, MRR@10, MAP@10 and evidence recall@10 as the benchmark defines them."""
    if not results:
        return {"queries": 0}
    hits_k = hits_4 = mrr = ap_sum = 0.0
    facts_total = facts_found = 0
    for result in results:
        ranks = first_ranks(result, 10)
        found = [r for r in ranks if r is not None]
        ranks_k = first_ranks(result, k)
        hits_k += any(r is not None for r in ranks_k)
        hits_4 += any(r is not None and r <= 4 for r in ranks)
        mrr += 1.0 / min(found) if found else 0.0
        ap_sum += sum(1.0 / r for r in found) / min(len(result.gold), 10) if result.gold else 0.0
        facts_total += len(result.gold)
        facts_found += len(found)
    n = len(results)
    return {
        "queries": n,
        f"hits@{k}": round(hits_k / n, 4),
        "hits@4": round(hits_4 / n, 4),
        "mrr@10": round(mrr / n, 4),
        "map@10": round(ap_sum / n, 4),
        "evidence_recall@10": round(facts_found / max(facts_total, 1), 4),
    }


def load_queries(path: Path) -> list[dict[str, Any]]:
    """Non-null questions of a MultiHop-RAG-style query file (null questions have no evidence)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [q for q in data if q.get("question_type") != "null_query" and q.get("evidence_list")]


def run_retrieval(retriever: Retriever, queries: Sequence[dict[str, Any]], k: int) -> list[QueryResult]:
    """Retrieve for every question with the chat's retriever, timing each call."""
    retriever.retrieve("warm-up question about the news", k=k)
    results = []
    for q in queries:
        started = time.perf_counter()
        hits = retriever.retrieve(q["query"], k=k)
        elapsed = (time.perf_counter() - started) * 1000
        texts = [h.chunk.text for h in hits]
        results.append(QueryResult(q["query"], q.get("question_type", "?"), texts, q["evidence_list"], elapsed))
    return results


def summarize(results: Sequence[QueryResult], k: int) -> dict[str, Any]:
    """The JSON line the harness prints: metrics, chunk size, latency, and a per-type breakdown."""
    summary: dict[str, Any] = score(results, k)
    tokens = [count_tokens(t) for r in results for t in r.retrieved[:10]]
    latencies = [r.latency_ms for r in results]
    summary["mean_chunk_tokens"] = round(statistics.fmean(tokens), 1) if tokens else 0.0
    summary["latency_ms_p50"] = round(percentile(latencies, 50), 1)
    summary["latency_ms_p95"] = round(percentile(latencies, 95), 1)
    by_type: dict[str, list[QueryResult]] = defaultdict(list)
    for r in results:
        by_type[r.question_type].append(r)
    summary["by_question_type"] = {t: score(rs, k) for t, rs in sorted(by_type.items())}
    return summary


def dump(results: Sequence[QueryResult], path: Path) -> None:
    """Write the benchmark's own result format, so its reference script can recompute the figures."""
    rows = [
        {
            "query": r.query,
            "question_type": r.question_type,
            "retrieval_list": [{"text": t} for t in r.retrieved],
            "gold_list": r.gold,
        }
        for r in results
    ]
    Path(path).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the evaluation harness."""
    parser = argparse.ArgumentParser(prog="python -m bot.lab.eval", description="Evaluate retrieval on MultiHop-RAG.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("retrieval", help="retrieval metrics over a query file")
    r.add_argument("--store", type=Path, help="index folder (default .index)")
    r.add_argument("--chroma-url", help="Chroma server URL")
    r.add_argument("--queries", type=Path, required=True, help="MultiHop-RAG-style queries JSON")
    r.add_argument("--k", type=int, default=10, help="chunks retrieved per question (default 10)")
    r.add_argument("--limit", type=int, help="only the first N non-null questions")
    r.add_argument("--dump", type=Path, help="also write the benchmark's result format to this file")
    r.add_argument("--json", action="store_true", help="print only the JSON line")
    r.add_argument("--no-ranker", action="store_true",
                   help="keep the fused order (skip the learned ranker), to measure what it adds")
    a = sub.add_parser("answers", help="does the answer text contain the answer (natural questions or MultiHop-RAG)")
    a.add_argument("--store", type=Path, help="index folder (default .index)")
    a.add_argument("--chroma-url", help="Chroma server URL")
    a.add_argument("--queries", type=Path, required=True,
                   help="natural-questions dev.json or MultiHop-RAG queries JSON (recognised by their fields)")
    a.add_argument("--limit", type=int, help="only the first N questions")
    a.add_argument("--dump", type=Path, help="also write every question with its answer and scores to this file")
    a.add_argument("--json", action="store_true", help="print only the JSON line")
    a.add_argument("--llm", action="store_true", help="use the configured LLM (default: the offline extractive answer)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; prints the metrics as one JSON line, last."""
    args = build_parser().parse_args(argv)
    if args.command == "answers":
        return _answers(args)
    try:
        settings = load_settings(store=args.store, chroma_url=args.chroma_url)
        queries = load_queries(args.queries)[: args.limit]
        from index.embedding import load_embedder

        retriever = Retriever(settings, load_embedder(settings.embed_model), ranker=not args.no_ranker)
        results = run_retrieval(retriever, queries, args.k)
    except (IndexLayerError, BotError, SettingsError, OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    summary = summarize(results, args.k)
    if args.dump:
        dump(results, args.dump)
    if not args.json:
        for qtype, figures in summary["by_question_type"].items():
            print(f"{qtype:<18} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    print(json.dumps(summary))
    return 0


def _answers(args: argparse.Namespace) -> int:
    from bot.engine import ChatEngine
    from bot.lab.answer_eval import dump_answers, load_answer_questions, run_answers, summarize_answers

    try:
        settings = load_settings(store=args.store, chroma_url=args.chroma_url)
        if not args.llm:
            settings = settings.without_llm()
        questions = load_answer_questions(args.queries)[: args.limit]
        results = run_answers(ChatEngine(settings), questions)
    except (IndexLayerError, BotError, SettingsError, OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    summary = summarize_answers(results, percentile)
    if args.dump:
        dump_answers(results, args.dump)
    if not args.json:
        for group, figures in summary["by_group"].items():
            print(f"{group:<20} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
