"""`python -m bot.lab.train_ranker`: fit the learned ranker's weights on a MultiHop-RAG-style query file.

Each question's fused candidates (the chat's own retrieval, before reordering) become rows of features
labelled 1 when the passage contains a gold fact. Before fitting on every question, the figures the model
reaches on questions it was not fitted on are printed: folds keep questions that share a gold article
together, so a fold's model never saw the articles its questions are about.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.lab.eval import QueryResult, load_queries, score, squash
from bot.lab.fit import fit_logistic
from bot.retrieval.features import FEATURES
from bot.retrieval.fusion import hit_order
from bot.retrieval.ranker import DEFAULT_WEIGHTS, RankerWeights
from bot.retrieval.retriever import RANK_CANDIDATES, Retriever
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings

L2 = 1.0  # ridge penalty on standardised features; the fit barely moves between 0.1 and 10 here


@dataclass(frozen=True)
class Question:
    """One question's candidates in fused order, their features and labels."""

    query: dict[str, Any]
    texts: list[str]
    articles: list[str]
    rows: np.ndarray
    labels: np.ndarray


def collect(retriever: Retriever, queries: Sequence[dict[str, Any]], depth: int = RANK_CANDIDATES) -> list[Question]:
    """Candidates, features and labels for every question, through the chat's retrieval."""
    out = []
    for q in queries:
        candidates, rows, _, _ = retriever.candidates(q["query"], depth=depth)
        facts = [squash(e["fact"]) for e in q["evidence_list"]]
        texts = [c.text for c in candidates]
        labels = np.array([any(f in squash(t) for f in facts) for t in texts], dtype=np.float64)
        out.append(Question(q, texts, [c.article_id for c in candidates], rows, labels))
    return out


def article_folds(queries: Sequence[dict[str, Any]], folds: int) -> list[int]:
    """A fold per question; questions that share a gold article (transitively) share a fold.

    Not GroupKFold (the same greedy, largest group to the lightest fold): its order among equal-sized groups is
    its own detail (not even stable before scikit-learn 1.9), and it would change the held-out figures.
    """
    parent = list(range(len(queries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, q in enumerate(queries):
        for e in q["evidence_list"]:
            key = e.get("url") or e.get("title") or ""
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(queries)):
        groups.setdefault(root(i), []).append(i)
    load = [0] * folds
    fold_of = [0] * len(queries)
    for members in sorted(groups.values(), key=lambda m: (-len(m), m[0])):
        k = load.index(min(load))
        for i in members:
            fold_of[i] = k
        load[k] += len(members)
    return fold_of


def fit(questions: Sequence[Question], l2: float = L2) -> RankerWeights:
    """Weights fitted on all rows of these questions."""
    rows = np.vstack([q.rows for q in questions])
    labels = np.concatenate([q.labels for q in questions])
    return fit_logistic(rows, labels, l2)


def ranked_results(questions: Sequence[Question], weights: RankerWeights | None, k: int = 10) -> list[QueryResult]:
    """Each question's top k passages, reordered by `weights` (fused order when None), as retrieval orders them."""
    results = []
    for q in questions:
        order = hit_order(weights.relevance(q.rows) if weights is not None else None, q.articles, k)
        texts = [q.texts[i] for i in order[:k]]
        results.append(QueryResult(q.query["query"], q.query.get("question_type", "?"), texts,
                                   q.query["evidence_list"], 0.0))
    return results


def cross_validate(questions: Sequence[Question], folds: int, l2: float = L2) -> dict[str, float]:
    """Metrics with every question ranked by a model fitted on the other folds."""
    fold_of = article_folds([q.query for q in questions], folds)
    results: list[QueryResult | None] = [None] * len(questions)
    for k in range(folds):
        train = [q for q, f in zip(questions, fold_of) if f != k]
        test = [i for i, f in enumerate(fold_of) if f == k]
        if not train or not test:
            continue
        weights = fit(train, l2)
        for i, result in zip(test, ranked_results([questions[i] for i in test], weights)):
            results[i] = result
    return score([r for r in results if r is not None])


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the ranker's training command."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.lab.train_ranker",
        description="Fit the learned ranker on a MultiHop-RAG-style query file and write its weights.",
    )
    parser.add_argument("--store", type=Path, help="index folder (default .index)")
    parser.add_argument("--chroma-url", help="Chroma server URL")
    parser.add_argument("--queries", type=Path, required=True, help="MultiHop-RAG-style queries JSON")
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS, help=f"weights file (default {DEFAULT_WEIGHTS})")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: prints held-out and fitted figures, writes the weights, returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.folds < 2:
        print("error: --folds must be at least 2", file=sys.stderr)
        return 2
    try:
        settings = load_settings(store=args.store, chroma_url=args.chroma_url)
        queries = load_queries(args.queries)
        if len(queries) < args.folds:
            print(f"error: {args.queries} has {len(queries)} questions with evidence; need at least {args.folds}",
                  file=sys.stderr)
            return 1
        from index.embedding import load_embedder

        retriever = Retriever(settings, load_embedder(settings.embed_model), ranker=False)
        questions = collect(retriever, queries)
    except (IndexLayerError, SettingsError, OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    fused = score(ranked_results(questions, None))
    held_out = cross_validate(questions, args.folds)
    weights = fit(questions)
    fitted = score(ranked_results(questions, weights))
    weights = replace(weights, fitted_on={
        "queries": args.queries.name, "questions": len(questions), "candidates": RANK_CANDIDATES, "l2": L2,
        "fused_order": fused, "held_out": held_out, "fitted": fitted,
    })
    print(f"{len(questions)} questions, {sum(len(q.texts) for q in questions)} candidates")
    for name, figures in (("fused order", fused), (f"held out ({args.folds} folds)", held_out), ("fitted", fitted)):
        print(f"{name:<22} " + "  ".join(f"{k}={v}" for k, v in figures.items() if k != "queries"))
    print("weights: " + ", ".join(f"{f}={c:+.3f}" for f, c in zip(FEATURES, weights.coef)))
    if not args.dry_run:
        args.out.write_text(weights.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
