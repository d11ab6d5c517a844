"""Composing the extractive answer: the short answer first, then the few sentences that support it, with every
part of the question covered and the parts no passage addresses said so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.answering.lead import Lead, LeadModel, load_lead_model, propose_lead
from bot.answering.question import QuestionProfile
from bot.answering.sentences import CandidateSentence, term_weights
from bot.retrieval.plan import QueryPlan
from bot.types import Hit
from index.text import analyze

MAX_SUPPORT = 4  # sentences after the short answer; the rest is one click away in the sources
RELATIVE_CUTOFF = 0.8  # further sentences must score at least this share of the best one
MIN_CLAUSE_SHARE = 0.5  # a part of the question is addressed when a sentence carries this share of its terms
MAX_SIMILAR = 0.7  # a sentence sharing more than this share of the shorter one's terms repeats it


@dataclass(frozen=True)
class Composition:
    """What the extractive answer says: the lead (if the question has a short answer) and its sentences."""

    lead: Lead | None
    sentences: list[CandidateSentence]
    unaddressed: list[str]  # parts of the question no retrieved sentence addresses


def compose(
    profile: QuestionProfile,
    scored: list[CandidateSentence],
    hits: Sequence[Hit],
    plan: QueryPlan | None = None,
    idf: Mapping[str, float] | None = None,
    lead_model: LeadModel | None = None,
) -> Composition:
    """Choose the lead and the supporting sentences from the scored candidates (best first)."""
    if not scored:
        return Composition(None, [], [])
    proposed = propose_lead(profile, scored, hits)
    lead = proposed if proposed is not None and (lead_model or load_lead_model()).confident(proposed.signals) else None
    chosen: list[CandidateSentence] = []
    if proposed is not None:  # the sentence the vote found opens the answer, with or without the short answer
        chosen.append(proposed.sentences[0])
    unaddressed: list[str] = []
    clauses = [c for c in (plan.subqueries if plan else ()) if c.text.strip()]
    if len(clauses) > 1:
        for clause in clauses:
            best = _best_for_clause(clause.text, clause.outlets, scored, idf)
            if best is None:
                unaddressed.append(clause.text)
            elif all(best.key != c.key for c in chosen):
                chosen.append(best)
    best_score = scored[0].score
    for cand in scored:
        if len(chosen) >= MAX_SUPPORT:
            break
        if cand.score < RELATIVE_CUTOFF * best_score:
            break
        if any(cand.key == c.key for c in chosen) or _repeats(cand, chosen):
            continue
        chosen.append(cand)
    return Composition(lead, chosen[:MAX_SUPPORT], unaddressed)


def _best_for_clause(
    clause: str, outlets: frozenset[str], scored: Sequence[CandidateSentence], idf: Mapping[str, float] | None
) -> CandidateSentence | None:
    """The sentence that best addresses one part of the question (from its outlets when it names any)."""
    terms = dict.fromkeys(analyze([clause])[0])
    if not terms:
        return None
    weights, unknown = term_weights(idf)
    total = sum(weights.get(t, unknown) for t in terms)
    best, best_share = None, 0.0
    eligible = [c for c in scored if not outlets or c.hit.chunk.outlet in outlets]
    for cand, mine, ctx in zip(eligible, analyze([c.text for c in eligible] or [""]),
                               analyze([c.context for c in eligible] or [""])):
        have = set(mine) | set(ctx)
        share = sum(weights.get(t, unknown) for t in terms if t in have) / total
        if share > best_share + 1e-9:
            best, best_share = cand, share
    return best if best_share >= MIN_CLAUSE_SHARE else None


def _repeats(cand: CandidateSentence, chosen: Sequence[CandidateSentence]) -> bool:
    """Whether a sentence says again what a chosen one says: most of the terms of the shorter in the longer
    ("Sam Altman has been fired from OpenAI." beside a longer sentence saying the same and more)."""
    mine = set(analyze([cand.text])[0])
    for other in chosen:
        theirs = set(analyze([other.text])[0])
        shorter = min(len(mine), len(theirs))
        if shorter and len(mine & theirs) / shorter > MAX_SIMILAR:
            return True
    return False
