"""`python -m bot.lab.fit_lead`: fit when the short answer leads, on question sets of different styles, held out.

    python -m bot.lab.fit_lead --store DIR --queries natural-questions/dev.json --queries multihop-rag/queries_dev.json
        [--folds 5] [--threshold 0.5] [--dry-run]

For every answerable question the chat covers and proposes a short answer for, the signals of the vote
(bot.answering.lead.LEAD_SIGNALS) are labelled right when the proposed answer and the expected one contain one
another (case and punctuation folded). Printed, per question set: how many short answers were proposed and how
many were right; then, with the threshold, how many a model fitted without the question's fold lets lead and how
many of those are right, and the same for a model fitted on the other sets alone. The model fitted on every
question is written to bot/answering/lead.json (not with --dry-run). The threshold is a probability: 0.5 leads
with answers the model finds likelier right than wrong.
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

from bot.answering.lead import LEAD_MODEL, LEAD_SIGNALS, LeadModel, propose_lead
from bot.engine import ChatEngine
from bot.errors import BotError
from bot.lab.answer_eval import fold, load_answer_questions
from index.errors import IndexLayerError
from index.settings import SettingsError, load_settings


@dataclass(frozen=True)
class Labelled:
    """The signals of one proposed short answer, whether it is right, and its question set."""

    signals: tuple[float, ...]
    right: bool
    source: str  # the query file's name


def is_right(proposed: str, expected: str) -> bool:
    """Whether a short answer gives the expected one: either contains the other, folded ("Murati" for "Mira
    Murati" counts; a one- or two-letter answer must match whole)."""
    mine, gold = fold(proposed), fold(expected)
    return bool(gold) and (gold in mine or (len(mine) >= 3 and mine in gold))


def collect(engine: ChatEngine, path: Path) -> list[Labelled]:
    """The proposed short answers of a file's answerable questions, as the chat proposes them."""
    out = []
    for q in load_answer_questions(path):
        if not q.scored:
            continue
        hits, assessment = engine.assess(q.question)
        if not assessment.covered:
            continue
        lead = propose_lead(assessment.profile, assessment.scored, hits)
        if lead is not None:
            out.append(Labelled(lead.signals, is_right(lead.text, q.expected), path.name))
    return out


def fit(rows: np.ndarray, labels: np.ndarray, threshold: float, fitted_on: dict[str, object]) -> LeadModel:
    """L2 logistic regression on standardised signals, unweighted: its probability is read as P(right)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit((rows - mean) / scale, labels)
    return LeadModel(LEAD_SIGNALS, mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]),
                     {**fitted_on, "threshold": threshold})


def _arrays(data: Sequence[Labelled]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([d.signals for d in data], dtype=np.float64), np.array([int(d.right) for d in data])


def held_out(data: Sequence[Labelled], folds: int) -> np.ndarray:
    """Each answer's probability from a model fitted without its fold (stratified by set and label)."""
    rows, labels = _arrays(data)
    strata = np.array([f"{d.source}:{d.right}" for d in data])
    probability = np.zeros(len(data))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(rows, strata):
        probability[test] = fit(rows[train], labels[train], 0.5, {}).probability(rows[test])
    return probability


def kept(probability: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    """How many short answers lead at this threshold, and the share of them that are right."""
    lead = probability >= threshold
    return {"lead": int(lead.sum()), "right": int(labels[lead].sum()),
            "precision": round(float(labels[lead].mean()), 4) if lead.any() else 0.0}


def report(data: Sequence[Labelled], folds: int, threshold: float) -> dict[str, dict[str, object]]:
    """Per set: proposed and right without the model; kept and right held out (pooled folds, other sets)."""
    sources = sorted({d.source for d in data})
    pooled = held_out(data, folds)
    rows, labels = _arrays(data)
    figures: dict[str, dict[str, object]] = {}
    for source in sources:
        mine = np.array([d.source == source for d in data])
        row: dict[str, object] = {"proposed": int(mine.sum()), "right": int(labels[mine].sum()),
                                  "precision": round(float(labels[mine].mean()), 4),
                                  "pooled_folds": kept(pooled[mine], labels[mine], threshold)}
        if len(sources) > 1:
            other = fit(rows[~mine], labels[~mine], threshold, {})
            row["other_sets"] = kept(other.probability(rows[mine]), labels[mine], threshold)
        figures[source] = row
    return figures


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the short answer's fitting command."""
    parser = argparse.ArgumentParser(prog="python -m bot.lab.fit_lead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="index folder (default .index)")
    parser.add_argument("--queries", type=Path, action="append", required=True,
                        help="a natural-questions or MultiHop-RAG query file (repeat: fit on several styles)")
    parser.add_argument("--folds", type=int, default=5, help="folds for the held-out figures (default 5)")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="probability from which the short answer leads (default 0.5)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write lead.json")
    parser.add_argument("--out", type=Path, default=LEAD_MODEL, help=f"where to write the model (default {LEAD_MODEL})")
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
    if len({d.right for d in data}) < 2:
        print("error: the proposed short answers are all right or all wrong: nothing to fit", file=sys.stderr)
        return 1
    figures = report(data, args.folds, args.threshold)
    for source, row in figures.items():
        print(source, json.dumps(row))
    rows, labels = _arrays(data)
    counts = {source: row["proposed"] for source, row in figures.items()}
    model = fit(rows, labels, args.threshold, {"proposed": counts, "held_out": figures})
    print("weights: " + ", ".join(f"{f}={c:+.3f}" for f, c in zip(LEAD_SIGNALS, model.coef)))
    if not args.dry_run:
        args.out.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
