"""The citation verifier on SummEdits: human-labelled consistent and inconsistent summaries of 8 domains.

Each summary sentence is checked against the source document as its one cited passage; a summary is flagged
inconsistent when any of its sentences is not supported. Balanced accuracy treats "inconsistent" as the positive
class: (recall on inconsistent + specificity on consistent) / 2. Recall is also given per edit type (a summary
with two edit types counts under both).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.lab import SHARED_DATA
from index.documents import Chunk
from index.text import sentence_spans

SUMMEDITS = SHARED_DATA / "summedits"
DOMAINS = ("news", "podcast", "qmsumm", "sales_call", "sales_email", "samsum", "scitldr", "ectsum")
HELD_OUT = "news"  # never fitted on: the figure the issue asks for


@dataclass(frozen=True)
class Summary:
    """One labelled summary of a document, split into sentences."""

    domain: str
    id: str
    doc: str
    sentences: tuple[str, ...]
    consistent: bool
    edit_types: tuple[str, ...]


def load_domain(folder: Path, domain: str) -> list[Summary]:
    """The summaries of one domain file (`summedits_<domain>.json`)."""
    path = folder / f"summedits_{domain}.json"
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    out: list[Summary] = []
    for row in rows:
        text = row["summary"].strip()
        sentences = tuple(text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()) or (text,)
        edits = row.get("edit_types") or []
        if isinstance(edits, str):  # some exports write the list as its repr
            edits = [e.strip(" '\"") for e in edits.strip("[]").split(",") if e.strip(" '\"")]
        out.append(Summary(domain, str(row["id"]), row["doc"], sentences, int(row["label"]) == 1, tuple(edits)))
    return out


def doc_chunk(summary: Summary) -> Chunk:
    """The source document as one cited passage (no title, outlet or date: the data has none)."""
    return Chunk(article_id=f"summedits-{summary.domain}-{hash(summary.doc) & 0xFFFFFFFF:x}", n=0,
                 text=summary.doc, start=0, end=len(summary.doc), title="")


Flagger = Callable[[Sequence[Summary]], list[bool]]


def domain_figures(summaries: Sequence[Summary], flagged: Sequence[bool]) -> dict[str, Any]:
    """Balanced accuracy, precision/recall on inconsistent, share of consistent flagged, recall per edit type."""
    tp = sum(f and not s.consistent for s, f in zip(summaries, flagged))
    fp = sum(f and s.consistent for s, f in zip(summaries, flagged))
    inconsistent = sum(not s.consistent for s in summaries)
    consistent = len(summaries) - inconsistent
    recall = tp / inconsistent if inconsistent else 0.0
    flagged_consistent = fp / consistent if consistent else 0.0
    per_edit: dict[str, list[int]] = {}
    for s, f in zip(summaries, flagged):
        for edit in s.edit_types if not s.consistent else ():
            per_edit.setdefault(edit, [0, 0])
            per_edit[edit][0] += f
            per_edit[edit][1] += 1
    return {
        "summaries": len(summaries),
        "inconsistent": inconsistent,
        "balanced_accuracy": round((recall + 1 - flagged_consistent) / 2, 4),
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(recall, 4),
        "consistent_flagged": round(flagged_consistent, 4),
        "recall_by_edit": {k: per_edit[k] for k in sorted(per_edit)},
    }


def summedits_figures(folder: Path, flag: Flagger, domains: Sequence[str] = DOMAINS,
                      limit: int | None = None) -> dict[str, Any]:
    """Figures per domain (and over the non-news domains together) for a flagging function."""
    out: dict[str, Any] = {}
    pooled: list[Summary] = []
    pooled_flags: list[bool] = []
    for domain in domains:
        summaries = load_domain(folder, domain)[:limit]
        flagged = flag(summaries)
        out[domain] = domain_figures(summaries, flagged)
        if domain != HELD_OUT:
            pooled += summaries
            pooled_flags += flagged
    if pooled:
        out["non-news"] = domain_figures(pooled, pooled_flags)
    return out


def verifier_flagger(verifier: Any) -> Flagger:
    """Flags a summary when the verifier supports fewer than all of its sentences (the document cited as [1])."""

    def flag(summaries: Sequence[Summary]) -> list[bool]:
        out: list[bool] = []
        for summary in summaries:
            verdicts = verifier.verify([(s, (1,)) for s in summary.sentences], {1: doc_chunk(summary)})
            out.append(not all(v.supported for v in verdicts))
        return out

    return flag


def print_figures(figures: dict[str, Any]) -> None:
    """One line per domain, then recall per edit type."""
    print(f"{'domain':<12} {'n':>5} {'bal.acc':>8} {'prec':>6} {'recall':>7} {'cons.flagged':>13}")
    for domain, f in figures.items():
        precision = f"{f['precision']:.3f}" if f["precision"] is not None else "-"
        print(f"{domain:<12} {f['summaries']:>5} {f['balanced_accuracy']:>8.3f} {precision:>6} "
              f"{f['recall']:>7.3f} {f['consistent_flagged']:>13.3f}")
    for domain in (HELD_OUT, "non-news"):
        if domain in figures:
            for edit, (hit, total) in figures[domain]["recall_by_edit"].items():
                print(f"  {domain} recall, {edit}: {hit}/{total} = {hit / total:.3f}")
