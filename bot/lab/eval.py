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
from bot.retrieval.ranker import load_weights
from bot.retrieval.retriever import RANK_CANDIDATES, Retriever
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
    """Questions with evidence, in MultiHop-RAG's query format, from its query file or natural-questions dev.json.

    A natural question's evidence quotes become its gold facts (a passage holding one answers it); the
    not-in-corpus questions have none and are left out, as MultiHop-RAG's null questions are.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data and isinstance(data[0], dict) and "question" in data[0] and "evidence" in data[0]:
        return [natural_question(q) for q in data if q.get("evidence")]
    return [q for q in data if q.get("question_type") != "null_query" and q.get("evidence_list")]


def natural_question(q: dict[str, Any]) -> dict[str, Any]:
    """A natural-questions item as a MultiHop-RAG query: its style as the type, its quotes as the facts."""
    evidence = [{"fact": e["quote"], "article": e["article"]} for e in q["evidence"]]
    return {"query": q["question"], "question_type": q.get("style", "?"), "evidence_list": evidence,
            "alternatives": True}


# Plain BM25 over the chunks, a plain vector index (the question's vector against every chunk's, the same model),
# the fused order, the shipped ranker's order, and the ceiling: the best order of the candidates the ranker
# reorders, read from the gold facts (what a perfect ranker would reach; what it misses, no order finds).
ORDERS = ("bm25", "dense", "fused", "ranker", "ceiling")


def ceiling_order(texts: Sequence[str], gold: Sequence[dict[str, Any]]) -> list[int]:
    """Indices of `texts` with, greedily, the one holding the most gold facts not yet held first (ties in the
    given order), then the rest in the given order: the best order by the benchmark's metrics."""
    facts = [squash(item["fact"]) for item in gold]
    held = [{i for i, fact in enumerate(facts) if fact in squashed} for squashed in map(squash, texts)]
    missing = set(range(len(facts)))
    order: list[int] = []
    while missing:
        best = max(range(len(texts)), key=lambda j: (len(held[j] & missing), -j), default=None)
        if best is None or not held[best] & missing:
            break
        order.append(best)
        missing -= held[best]
    placed = set(order)
    return order + [j for j in range(len(texts)) if j not in placed]


def run_retrieval(retriever: Retriever, queries: Sequence[dict[str, Any]], k: int) -> dict[str, list[QueryResult]]:
    """Per order, every question's top k through the chat's retriever (one candidate pass serves the fused order, the
    ranker's and the ceiling).

    Latency is the chat's path: candidates plus the retriever's own order; plain BM25 is the lexical index alone,
    the plain vector index the dense index alone (no outlets, dates or clauses read from the question).
    """
    retriever.retrieve("warm-up question about the news", k=k)
    lexical, dense = retriever.snapshot.lexical, retriever.dense_index
    shipped = retriever.ranker or load_weights()
    results: dict[str, list[QueryResult]] = {name: [] for name in ORDERS}
    for q in queries:
        started = time.perf_counter()
        found = retriever.candidates(q["query"], depth=max(k, RANK_CANDIDATES))
        chat = retriever.hits(found, k, retriever.ranker)
        elapsed = (time.perf_counter() - started) * 1000
        ranked = chat if retriever.ranker is not None else retriever.hits(found, k, shipped)
        fused = chat if retriever.ranker is None else retriever.hits(found, k, None)
        lexical_ids = [lexical.ids[i] for i, _ in lexical.search(q["query"], k)]
        dense_ids = [cid for cid, _, _ in dense.nearest(retriever.embedder.embed_query(q["query"]), k, None, None)]
        ids = list(dict.fromkeys(lexical_ids + dense_ids))
        chunks = {c.id: c for c in retriever.collection.get(ids)} if ids else {}
        pool = [c.text for c in found[0]]
        best = [pool[i] for i in ceiling_order(pool, q["evidence_list"])[:k]]
        for name, texts in (("bm25", [chunks[cid].text for cid in lexical_ids if cid in chunks]),
                            ("dense", [chunks[cid].text for cid in dense_ids if cid in chunks]),
                            ("fused", [h.chunk.text for h in fused]), ("ranker", [h.chunk.text for h in ranked]),
                            ("ceiling", best)):
            results[name].append(QueryResult(q["query"], q.get("question_type", "?"), texts, q["evidence_list"],
                                             elapsed))
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


def summarize_orders(orders: dict[str, list[QueryResult]], chat: str, k: int) -> dict[str, Any]:
    """The chat order's summary, with every order's metrics side by side under "orders"."""
    summary = summarize(orders[chat], k)
    summary["orders"] = {name: score(results, k) for name, results in orders.items()}
    return summary


def side_by_side(name: str, summary: dict[str, Any], alternatives: bool) -> str:
    """One row per order, one column per metric; MAP and evidence recall only where every fact is needed
    (a natural question's quotes are alternatives: any one answers it)."""
    orders = summary["orders"]
    columns = [c for c in next(iter(orders.values())) if c != "queries"
               and not (alternatives and c in ("map@10", "evidence_recall@10"))]
    lines = [f"{name} ({summary['queries']} questions)", f"{'order':<8}" + "".join(f"{c:>20}" for c in columns)]
    for order, figures in orders.items():
        lines.append(f"{order:<8}" + "".join(f"{figures[c]:>20}" for c in columns))
    return "\n".join(lines)


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
    parser = argparse.ArgumentParser(prog="python -m bot.lab.eval", description="Evaluate retrieval and answers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("retrieval", help="retrieval metrics over a query file")
    r.add_argument("--store", type=Path, help="index folder (default .index)")
    r.add_argument("--chroma-url", help="Chroma server URL")
    r.add_argument("--queries", type=Path, nargs="+", required=True,
                   help="MultiHop-RAG queries JSON and/or natural-questions dev.json (figures per file)")
    r.add_argument("--k", type=int, default=10, help="chunks retrieved per question (default 10)")
    r.add_argument("--limit", type=int, help="only the first N non-null questions")
    r.add_argument("--dump", type=Path, help="also write the benchmark's result format (first file) to this file")
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
    """Entry point; prints the metrics as one JSON line, last (per set under "sets" when given several)."""
    args = build_parser().parse_args(argv)
    if args.command == "answers":
        return _answers(args)
    try:
        settings = load_settings(store=args.store, chroma_url=args.chroma_url)
        sets = {_set_name(path): load_queries(path)[: args.limit] for path in args.queries}
        from index.embedding import load_embedder

        retriever = Retriever(settings, load_embedder(settings.embed_model), ranker=not args.no_ranker)
        runs = {name: run_retrieval(retriever, queries, args.k) for name, queries in sets.items()}
    except (IndexLayerError, BotError, SettingsError, OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    chat = "fused" if args.no_ranker else "ranker"
    summaries = {name: summarize_orders(orders, chat, args.k) for name, orders in runs.items()}
    if args.dump:
        dump(next(iter(runs.values()))[chat], args.dump)
    if not args.json:
        for name, summary in summaries.items():
            for qtype, figures in summary["by_question_type"].items():
                print(f"{qtype:<18} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
            alternatives = any(q.get("alternatives") for q in sets[name])
            print(side_by_side(name, summary, alternatives))
    print(json.dumps(next(iter(summaries.values())) if len(summaries) == 1 else {"sets": summaries}))
    return 0


def _set_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


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
