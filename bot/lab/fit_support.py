"""`python -m bot.lab.fit_support`: fit the verifier's support model (bot/answering/support.json) on SummEdits.

The verifier checks every summary sentence against its source document and records its signals; a logistic model
is fitted on the summaries of every domain but news (multiple-instance: an inconsistent summary teaches only
through its least supported sentence, since the others may be fine), with the threshold chosen there for the best
balanced accuracy with at most --max-flagged of consistent summaries flagged. Figures printed: each non-news
domain held out in turn (fitted on the other non-news domains), then news with the model fitted on all of them.
News is never fitted on. `--cache FILE` keeps the collected signals, so a refit does not re-run the embeddings.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import index.offline  # noqa: F401  (before chromadb/transformers)
from bot.answering.support import SUPPORT_FEATURES, SUPPORT_MODEL, SupportModel, on_topic
from bot.answering.verifier import Verdict, Verifier
from bot.lab.eval_summedits import (
    DOMAINS,
    HELD_OUT,
    SUMMEDITS,
    doc_chunk,
    domain_figures,
    load_domain,
    print_figures,
)
from index.embedding import load_embedder

# One summary: its label and, per sentence, the signal row (None: decided without the model, True = supported).
Collected = tuple[bool, list[list[float] | bool]]


def collect(folder: Path, domains: Sequence[str]) -> dict[str, list[Collected]]:
    """Every summary sentence of `domains` verified, with the signals the model weighs."""
    blank = SupportModel(SUPPORT_FEATURES, np.zeros(len(SUPPORT_FEATURES)), np.ones(len(SUPPORT_FEATURES)),
                         np.zeros(len(SUPPORT_FEATURES)), 0.0, {})
    verifier = Verifier(load_embedder(), blank)
    out: dict[str, list[Collected]] = {}
    for domain in domains:
        rows: list[Collected] = []
        for summary in load_domain(folder, domain):
            verdicts = verifier.verify([(s, (1,)) for s in summary.sentences], {1: doc_chunk(summary)})
            rows.append((summary.consistent, [_row(v) for v in verdicts]))
        out[domain] = rows
        print(f"  {domain}: {len(rows)} summaries", file=sys.stderr)
    return out


def _row(verdict: Verdict) -> list[float] | bool:
    """What the model sees of a verdict: its signals, or the decision taken without the model."""
    signals = verdict.signals
    if signals is None or signals.missing or not on_topic(signals):
        return verdict.supported
    return signals.row()


def fit(data: Sequence[Collected]) -> SupportModel:
    """The model over SUPPORT_FEATURES, each weight with the sign its signal can only have: a feature whose weight
    comes out the other way is dropped (weight 0) and the rest refitted. SummEdits' consistent summaries are
    paraphrases, so there new words and low overlap go with consistency; a chat answer must not earn support so."""
    keep = list(range(len(SUPPORT_FEATURES)))
    while True:
        model = _fit(data, keep)
        wrong = [(model.coef[i] * SIGNS[SUPPORT_FEATURES[i]], i) for i in keep
                 if model.coef[i] * SIGNS[SUPPORT_FEATURES[i]] < 0]
        if not wrong:
            return model
        keep.remove(min(wrong)[1])


# The sign each signal's weight may have (0: either).
SIGNS = {"similarity": 1, "coverage": 1, "coverage_all": 1, "novel": -1, "misplaced": -1, "far": -1, "moved": -1,
         "negated": -1, "antonym": -1, "hedged": -1, "terms": 0}


def _fit(data: Sequence[Collected], keep: list[int], rounds: int = 4) -> SupportModel:
    """Fitted on the `keep` columns (others weigh 0); labels from summaries: all sentences of a consistent one
    are supported, an inconsistent one teaches only through its least supported sentence."""
    rows = np.asarray([r for _, sents in data for r in sents if not isinstance(r, bool)], dtype=np.float64)
    mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-9
    model: SupportModel | None = None
    for _ in range(rounds):
        x: list[list[float]] = []
        y: list[int] = []
        for consistent, sents in data:
            signal_rows = [r for r in sents if not isinstance(r, bool)]
            if not signal_rows:
                continue
            if consistent or model is None:
                x.extend(signal_rows)
                y.extend([int(consistent)] * len(signal_rows))
                continue
            x.append(signal_rows[int(model.probability(np.asarray(signal_rows)).argmin())])
            y.append(0)
        fitted = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        fitted.fit(((np.asarray(x) - mean) / scale)[:, keep], np.asarray(y))
        coef = np.zeros(len(SUPPORT_FEATURES))
        coef[keep] = fitted.coef_[0]
        model = SupportModel(SUPPORT_FEATURES, mean, scale, coef, float(fitted.intercept_[0]), {})
    assert model is not None
    return model


def summary_probability(data: Sequence[Collected], model: SupportModel) -> np.ndarray:
    """Per summary, the support probability of its least supported sentence (0/1 where decided without it)."""
    out = []
    for _, sents in data:
        rows = [r for r in sents if not isinstance(r, bool)]
        probs = [float(r) for r in sents if isinstance(r, bool)]
        if rows:
            probs.append(float(model.probability(np.asarray(rows, dtype=np.float64)).min()))
        out.append(min(probs) if probs else 1.0)
    return np.asarray(out)


def pick_threshold(probability: np.ndarray, consistent: np.ndarray, max_flagged: float) -> float:
    """The threshold with the best balanced accuracy among those flagging at most `max_flagged` of consistent."""
    best, best_ba = 0.5, -1.0
    for t in np.unique(np.round(probability, 4)):
        flagged = probability < t
        fpr = float(flagged[consistent].mean())
        ba = (float(flagged[~consistent].mean()) + 1 - fpr) / 2
        if fpr <= max_flagged and ba > best_ba:
            best, best_ba = float(t), ba
    return best


def fit_with_threshold(data: Sequence[Collected], max_flagged: float) -> tuple[SupportModel, float]:
    """The model and the threshold picked on the same summaries."""
    model = fit(data)
    labels = np.asarray([c for c, _ in data])
    return model, pick_threshold(summary_probability(data, model), labels, max_flagged)


def figures(data: Sequence[Collected], folder: Path, domain: str, model: SupportModel,
            threshold: float) -> dict[str, object]:
    """The eval_summedits figures of one domain under this model."""
    flagged = [bool(x) for x in summary_probability(data, model) < threshold]
    return domain_figures(load_domain(folder, domain), flagged)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: collect (or read --cache), report held-out figures, write support.json unless --dry-run."""
    parser = argparse.ArgumentParser(prog="python -m bot.lab.fit_support", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summedits", type=Path, default=SUMMEDITS)
    parser.add_argument("--cache", type=Path, help="JSON of collected signals: read if present, else written")
    parser.add_argument("--max-flagged", type=float, default=0.2, help="share of consistent summaries flagged")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write support.json")
    args = parser.parse_args(argv)
    if not (args.summedits / f"summedits_{HELD_OUT}.json").exists():
        print(f"error: no SummEdits data at {args.summedits} (give --summedits)", file=sys.stderr)
        return 1
    if args.cache and args.cache.exists():
        data = {k: [(c, s) for c, s in v] for k, v in json.loads(args.cache.read_text()).items()}
    else:
        data = collect(args.summedits, DOMAINS)
        if args.cache:
            args.cache.write_text(json.dumps(data))
    train = [d for d in DOMAINS if d != HELD_OUT]
    report: dict[str, object] = {}
    for held in train:  # each non-news domain held out in turn
        model, threshold = fit_with_threshold([row for d in train if d != held for row in data[d]], args.max_flagged)
        report[held] = figures(data[held], args.summedits, held, model, threshold)
    model, threshold = fit_with_threshold([row for d in train for row in data[d]], args.max_flagged)
    report[HELD_OUT] = figures(data[HELD_OUT], args.summedits, HELD_OUT, model, threshold)
    print(f"held out per domain (news: fitted on all {len(train)} other domains; threshold {threshold:.4f}):")
    print_figures(report)
    fitted = SupportModel(SUPPORT_FEATURES, model.mean, model.scale, model.coef, model.intercept,
                          {"data": "SummEdits, domains " + ", ".join(train), "threshold": round(threshold, 4),
                           "held_out_news": report[HELD_OUT], "command": "python -m bot.lab.fit_support"})
    print("weights:", {f: round(float(c), 3) for f, c in zip(SUPPORT_FEATURES, fitted.coef)},
          "intercept", round(fitted.intercept, 3))
    if not args.dry_run:
        SUPPORT_MODEL.write_text(fitted.to_json() + "\n", encoding="utf-8")
        print(f"wrote {SUPPORT_MODEL}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
