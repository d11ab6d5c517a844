"""`python -m bot.lab.fit_gate`: fit the coverage gate on question sets of different styles, figures held out.

    python -m bot.lab.fit_gate --store DIR --queries natural-questions/dev.json --queries multihop-rag/queries_dev.json
        [--folds 5] [--threshold 0.4] [--dry-run]

Each question is labelled answerable or not (natural questions' `not-in-corpus` kind, MultiHop-RAG's
`null_query` type); the signals are what the chat computes for it (bot.answering.gate.gate_signals). Printed,
per question set: how often answerable questions are refused and unanswerable ones refused, by a model fitted
without the question's fold (pooled, folds stratified by set and label), and by a model fitted on the other
set alone. Then the model fitted on every question is written to bot/answering/gate.json (not with --dry-run).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.answering.gate import GATE_MODEL, GATE_SIGNALS, GateModel
from bot.engine import ChatEngine
from bot.errors import BotError
from bot.lab.answer_eval import load_answer_questions
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings

THRESHOLDS = (0.3, 0.4, 0.5)


@dataclass(frozen=True)
class Labelled:
    """The signals of one question's retrieved passages, whether the corpus answers it, and its set."""

    signals: tuple[float, ...]
    answerable: bool
    source: str  # the query file's name


def collect(engine: ChatEngine, path: Path) -> list[Labelled]:
    """The gate's signals for every question of a file, as the chat computes them."""
    out = []
    for q in load_answer_questions(path):
        _, assessment = engine.assess(q.question)
        if assessment.signals:  # no prose sentence retrieved: refused whatever the model says
            out.append(Labelled(assessment.signals, q.answerable, path.name))
    return out


def fit(rows: np.ndarray, labels: np.ndarray, threshold: float, fitted_on: dict[str, object]) -> GateModel:
    """Class-balanced L2 logistic regression on standardised signals (null questions are the minority)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((rows - mean) / scale, labels)
    return GateModel(GATE_SIGNALS, mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]),
                     {**fitted_on, "threshold": threshold})


def refusals(probability: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    """Share of answerable questions refused and of unanswerable ones refused at this threshold."""
    refused = probability < threshold
    return {"answerable_refused": round(float(refused[labels == 1].mean()), 4) if (labels == 1).any() else 0.0,
            "unanswerable_refused": round(float(refused[labels == 0].mean()), 4) if (labels == 0).any() else 0.0}


def held_out(data: Sequence[Labelled], folds: int) -> np.ndarray:
    """Each question's probability from a model fitted without its fold (stratified by set and label)."""
    rows, labels = _arrays(data)
    strata = np.array([f"{d.source}:{d.answerable}" for d in data])
    probability = np.zeros(len(data))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(rows, strata):
        probability[test] = fit(rows[train], labels[train], 0.5, {}).probability(rows[test])
    return probability


def _arrays(data: Sequence[Labelled]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([d.signals for d in data], dtype=np.float64), np.array([int(d.answerable) for d in data])


def report(data: Sequence[Labelled], folds: int) -> dict[str, dict[str, object]]:
    """Held-out refusal rates per set and threshold: pooled folds, and fitted on the other sets only."""
    sources = sorted({d.source for d in data})
    pooled = held_out(data, folds)
    figures: dict[str, dict[str, object]] = {}
    for source in sources:
        mine = np.array([d.source == source for d in data])
        rows, labels = _arrays(data)
        row: dict[str, object] = {"questions": int(mine.sum()), "unanswerable": int((labels[mine] == 0).sum())}
        for t in THRESHOLDS:
            row[f"pooled@{t}"] = refusals(pooled[mine], labels[mine], t)
        if len(sources) > 1:
            other = fit(rows[~mine], labels[~mine], 0.5, {})
            for t in THRESHOLDS:
                row[f"other_sets@{t}"] = refusals(other.probability(rows[mine]), labels[mine], t)
        figures[source] = row
    return figures


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the gate's fitting command."""
    parser = argparse.ArgumentParser(prog="python -m bot.lab.fit_gate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="index folder (default .index)")
    parser.add_argument("--queries", type=Path, action="append", required=True,
                        help="a natural-questions or MultiHop-RAG query file (repeat: fit on several styles)")
    parser.add_argument("--folds", type=int, default=5, help="folds for the held-out figures (default 5)")
    parser.add_argument("--threshold", type=float, default=0.4,
                        help="probability from which a question counts as covered (default 0.4)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write gate.json")
    parser.add_argument("--out", type=Path, default=GATE_MODEL, help=f"where to write the model (default {GATE_MODEL})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    if args.folds < 2:
        print("error: --folds must be at least 2", file=sys.stderr)
        return 2
    try:
        engine = ChatEngine(load_settings(store=args.store).without_llm())
        data = [row for path in args.queries for row in collect(engine, path)]
    except (IndexLayerError, BotError, SettingsError, OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    figures = report(data, args.folds)
    for source, row in figures.items():
        print(source, json.dumps(row))
    rows, labels = _arrays(data)
    counts = {source: row["questions"] for source, row in figures.items()}
    model = fit(rows, labels, args.threshold, {"questions": counts, "held_out": figures})
    print("weights: " + ", ".join(f"{f}={c:+.3f}" for f, c in zip(GATE_SIGNALS, model.coef)))
    if not args.dry_run:
        args.out.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
