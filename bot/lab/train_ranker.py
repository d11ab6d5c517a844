"""`python -m bot.lab.train_ranker`: fit the learned ranker's weights on one or more question sets.

Each question's fused candidates (the chat's own retrieval, before reordering) become rows of features
labelled 1 when the passage contains a gold fact. Several sets (MultiHop-RAG's long template questions,
the natural questions' short ones) are fitted together, every question weighing the same: weighing each
natural question three times lifted that set's held-out MRR@10 by 0.01 and cost MultiHop-RAG's 0.007.
Before fitting on every question, the figures the model reaches on questions it was not fitted on are printed
per set: folds keep questions that share a gold article together (across sets), so a fold's model never saw
the articles its questions are about.
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
from bot.lab.self_questions import self_questions
from bot.retrieval.features import FEATURES
from bot.retrieval.fusion import hit_order
from bot.retrieval.ranker import DEFAULT_WEIGHTS, RankerWeights
from bot.retrieval.retriever import RANK_CANDIDATES, Retriever
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings

# A fit on generated questions alone needs a far firmer ridge: they are easier than real ones, and a loose
# fit learns to trust the words too much (held out, natural questions' MRR@10 0.642 at 10, 0.701 at 1000).
SELF_L2 = 1000.0


L2 = 10.0  # ridge penalty on standardised features: held out, 10 beats 1 by +0.003 MRR@10 on MultiHop-RAG, -0.002 NQ


@dataclass(frozen=True)
class Question:
    """One question's candidates in fused order, their features and labels."""

    query: dict[str, Any]
    source: str  # the question set it comes from
    texts: list[str]
    articles: list[str]
    rows: np.ndarray
    labels: np.ndarray


def collect(
    retriever: Retriever, queries: Sequence[dict[str, Any]], source: str = "", depth: int = RANK_CANDIDATES
) -> list[Question]:
    """Candidates, features and labels for every question, through the chat's retrieval."""
    out = []
    for q in queries:
        candidates, rows, _, _ = retriever.candidates(q["query"], depth=depth)
        facts = [squash(e["fact"]) for e in q["evidence_list"]]
        texts = [c.text for c in candidates]
        labels = np.array([any(f in squash(t) for f in facts) for t in texts], dtype=np.float64)
        out.append(Question(q, source, texts, [c.article_id for c in candidates], rows, labels))
    return out


def article_keys(question: Question) -> set[str]:
    """The gold articles a question is about: its evidence's own names for them, and the articles of the
    candidates that hold a gold fact (the name two sets share for one article)."""
    keys = {e.get("url") or e.get("article") or e.get("title") or "" for e in question.query["evidence_list"]}
    return keys | {a for a, label in zip(question.articles, question.labels) if label}


def article_folds(keys: Sequence[set[str]], folds: int) -> list[int]:
    """A fold per question; questions that share a gold article key (transitively) share a fold.

    Not GroupKFold (the same greedy, largest group to the lightest fold): its order among equal-sized groups is
    its own detail (not even stable before scikit-learn 1.9), and it would change the held-out figures.
    """
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, question_keys in enumerate(keys):
        for key in sorted(question_keys):
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(root(i), []).append(i)
    load = [0] * folds
    fold_of = [0] * len(keys)
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


def cross_validate(
    questions: Sequence[Question], folds: int, l2: float = L2, fit_on: frozenset[str] | None = None
) -> dict[str, dict[str, float]]:
    """Metrics per set with every question ranked by a model fitted on the other folds (on their questions
    of the sets `fit_on` names, all when None)."""
    fold_of = article_folds([article_keys(q) for q in questions], folds)
    results: list[QueryResult | None] = [None] * len(questions)
    for k in range(folds):
        train = [q for q, f in zip(questions, fold_of) if f != k and (fit_on is None or q.source in fit_on)]
        test = [i for i, f in enumerate(fold_of) if f == k]
        if not train or not test:
            continue
        weights = fit(train, l2)
        for i, result in zip(test, ranked_results([questions[i] for i in test], weights)):
            results[i] = result
    return per_set(questions, results)


def per_set(questions: Sequence[Question], results: Sequence[QueryResult | None]) -> dict[str, dict[str, float]]:
    """Each set's metrics over its questions' results."""
    sources = dict.fromkeys(q.source for q in questions)
    return {s: score([r for q, r in zip(questions, results) if q.source == s and r is not None]) for s in sources}


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the ranker's training command."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.lab.train_ranker",
        description="Fit the learned ranker on one or more question sets and write its weights.",
    )
    parser.add_argument("--store", type=Path, help="index folder (default .index)")
    parser.add_argument("--chroma-url", help="Chroma server URL")
    parser.add_argument("--queries", type=Path, nargs="*", default=[],
                        help="MultiHop-RAG queries JSON and/or natural-questions dev.json (fitted together)")
    parser.add_argument("--self-questions", type=int, default=0, metavar="N",
                        help="also make N questions per article from the index itself (no labels needed)")
    parser.add_argument("--fit-self-only", action="store_true",
                        help="fit on the generated questions only; --queries sets are then only measured")
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS, help=f"weights file (default {DEFAULT_WEIGHTS})")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    return parser


def report(questions: Sequence[Question], held_out: dict[str, dict[str, float]], folds: int,
           weights: RankerWeights) -> dict[str, dict[str, dict[str, float]]]:
    """Per set: the fused order's, the held-out and the fitted figures (printed, and returned for the file)."""
    fused = per_set(questions, ranked_results(questions, None))
    fitted = per_set(questions, ranked_results(questions, weights))
    figures = {}
    for source in held_out:
        own = [q for q in questions if q.source == source]
        print(f"{source}: {len(own)} questions, {sum(len(q.texts) for q in own)} candidates")
        rows = {"fused order": fused[source], f"held out ({folds} folds)": held_out[source], "fitted": fitted[source]}
        for name, values in rows.items():
            print(f"  {name:<20} " + "  ".join(f"{k}={v}" for k, v in values.items() if k != "queries"))
        figures[source] = {"fused_order": fused[source], "held_out": held_out[source], "fitted": fitted[source]}
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: prints held-out and fitted figures per set, writes the weights, returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.folds < 2:
        print("error: --folds must be at least 2", file=sys.stderr)
        return 2
    try:
        settings = load_settings(store=args.store, chroma_url=args.chroma_url)
        sets = {_set_name(path): load_queries(path) for path in args.queries}
        from index.embedding import load_embedder

        retriever = Retriever(settings, load_embedder(settings.embed_model), ranker=False)
        if args.self_questions > 0:
            sets[SELF] = self_questions(retriever, args.self_questions)
        fit_on = frozenset({SELF}) if args.fit_self_only else frozenset(sets)
        if sum(len(q) for name, q in sets.items() if name in fit_on) < args.folds:
            named = ", ".join(sorted(fit_on)) or "none: give --queries or --self-questions"
            print(f"error: the questions to fit on ({named}) are fewer than {args.folds} with evidence",
                  file=sys.stderr)
            return 1
        questions = [q for name, queries in sets.items() for q in collect(retriever, queries, name)]
    except (IndexLayerError, SettingsError, OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    l2 = SELF_L2 if args.fit_self_only else L2
    held_out = cross_validate(questions, args.folds, l2, fit_on)
    weights = fit([q for q in questions if q.source in fit_on], l2)
    figures = report(questions, held_out, args.folds, weights)
    weights = replace(weights, fitted_on={
        "queries": [name for name in sets if name in fit_on], "questions": sum(q.source in fit_on for q in questions),
        "candidates": RANK_CANDIDATES, "l2": l2, "sets": figures,
    })
    print("weights: " + ", ".join(f"{f}={c:+.3f}" for f, c in zip(FEATURES, weights.coef)))
    if not args.dry_run:
        args.out.write_text(weights.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


SELF = "self-questions (generated from the index)"


def _set_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


if __name__ == "__main__":
    raise SystemExit(main())
