"""Composing the extractive answer: the short answer first, then the few sentences that support it, with every
part of the question covered and the parts no passage addresses said so."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.answering.lead import Lead, choose_lead, expansion_lead, role_lead
from bot.answering.question import AnswerType, QuestionProfile, names_only_dates
from bot.answering.sentences import CAUSE_WORDS, CandidateSentence, term_weights
from bot.retrieval.filters import chunk_in_ranges
from bot.retrieval.plan import DateRange, QueryPlan
from bot.types import Hit
from index.documents import timestamp_of
from index.sentence_kinds import prose_spans
from index.text import analyze

MAX_SUPPORT = 4  # sentences after the short answer; the rest is one click away in the sources
RELATIVE_CUTOFF = 0.8  # further sentences must score at least this share of the best one
# Without a short answer the sentences are the whole answer (why, how, yes or no): the evidence is often worded
# away from the question ("never signed a prenuptial agreement" for "did they sign a prenup"), so a sentence
# further below the best one still counts.
RELATIVE_CUTOFF_NO_LEAD = 0.7
MIN_CLAUSE_SHARE = 0.5  # a part of the question is addressed when a sentence carries this share of its terms
MAX_SIMILAR = 0.7  # a sentence sharing more than this share of the shorter one's terms repeats it


@dataclass(frozen=True)
class Composition:
    """What the extractive answer says: the lead (if the question has a short answer) and its sentences."""

    lead: Lead | None
    sentences: list[CandidateSentence]
    unaddressed: list[str]  # parts of the question no retrieved sentence addresses
    by_article: bool = False  # one sentence per article, each shown on its own line with its outlet and date


def compose(
    profile: QuestionProfile,
    scored: list[CandidateSentence],
    hits: Sequence[Hit],
    plan: QueryPlan | None = None,
    idf: Mapping[str, float] | None = None,
    repeated: Collection[str] = frozenset(),
) -> Composition:
    """Choose the lead and the supporting sentences from the scored candidates (best first); `repeated`: the
    corpus's boilerplate keys (index.sentence_kinds), whose glued openings are no part of a name."""
    if not scored:
        return Composition(None, [], [])
    if plan is not None and names_only_dates(profile, plan):
        return Composition(None, list(scored[:MAX_SUPPORT]), [], by_article=True)  # the day's openings (`openings`)
    if profile.recent and profile.answer_type == AnswerType.DESCRIPTION:  # a yes/no question's "currently" is not
        return Composition(None, newest_first(scored), [], by_article=True)  # asking for the news, nor a why's
    lead = role_lead(profile, scored) if profile.described else (
        expansion_lead(profile, scored) or choose_lead(profile, scored, hits, repeated))
    chosen: list[CandidateSentence] = []
    if lead is not None:
        chosen.append(lead.sentences[0])
    unaddressed: list[str] = []
    # The question's own clauses: the text after each outlet's mention repeats them (it is a search aid).
    clauses = [c for c in (plan.subqueries if plan else ()) if c.clause and c.text.strip()]
    if len(clauses) > 1:
        for clause in clauses:
            # Its words, not its scope: _best_for_clause matches the outlets it names against the passages' outlets.
            best = _best_for_clause(clause.subject, clause.outlets, scored, idf)
            if best is None:
                unaddressed.append(clause.text)
            elif all(best.key != c.key for c in chosen):
                chosen.append(best)
    cutoff = (RELATIVE_CUTOFF if lead is not None else RELATIVE_CUTOFF_NO_LEAD) * scored[0].score
    for cand in scored:
        if len(chosen) >= MAX_SUPPORT:
            break
        if cand.score < cutoff:
            break
        if any(cand.key == c.key for c in chosen) or _repeats(cand, chosen):
            continue
        chosen.append(cand)
    if profile.answer_type == AnswerType.REASON:
        chosen = _with_causes(chosen, repeated)
    return Composition(lead, chosen[:MAX_SUPPORT], unaddressed)


# A sentence that opens by pointing back to a cause: "As a result, the ITC said it would impose an import ban".
_CONSEQUENCE = re.compile(r"(?:As a result|As a consequence|Consequently|Therefore|Thus(?! far)|Hence|"
                          r"Because of (?:this|that)|For (?:this|that) reason|That[’']s why|This is why|That is why)\b")


# A sentence that opens by explaining the one before it: "This has been mainly on account of lower fuel cost".
_EXPLANATION = re.compile(rf"(?:This|That|It|These|Those)(?:\s+\w+){{0,4}}?\s+(?:(?:is|was|has been|have been|were|are)"
                          rf"\s+)?(?:mainly\s+|largely\s+|partly\s+|mostly\s+)?(?:the\s+|as\s+a\s+)?(?:{CAUSE_WORDS})\b")


def _with_causes(chosen: list[CandidateSentence], repeated: Collection[str]) -> list[CandidateSentence]:
    """For a why-question, the sentence before one that opens with "As a result", "Therefore" … goes before it:
    the cause it points back to is the answer, and the consequence alone does not say it; and the sentence after
    one that it explains ("This has been mainly on account of …") goes after it."""
    out: list[CandidateSentence] = []
    for cand in chosen:
        before = _next_sentence(cand, repeated, -1) if _CONSEQUENCE.match(cand.text) else None
        if before is not None and all(before.key != c.key for c in [*out, *chosen]):
            out.append(before)
        out.append(cand)
        after = _next_sentence(cand, repeated, 1)
        if after is not None and _EXPLANATION.match(after.text) and all(after.key != c.key for c in [*out, *chosen]):
            out.append(after)
    return out


def _next_sentence(cand: CandidateSentence, repeated: Collection[str], step: int) -> CandidateSentence | None:
    """The prose sentence right before (`step` -1) or after (1) `cand` in its passage, None when there is none or
    a heading or caption stands between them (it is not what one points back to)."""
    text = cand.hit.chunk.text
    spans = prose_spans(text, repeated)
    near = ([(start, end) for start, end in spans if end <= cand.start][-1:] if step < 0
            else [(start, end) for start, end in spans if start >= cand.end][:1])
    if not near or text[min(near[0][1], cand.end):max(near[0][0], cand.start)].strip():
        return None
    start, end = near[0]
    return CandidateSentence(cand.hit, start, end, text[start:end], score=cand.score)  # shown beside its partner


def newest_first(scored: Sequence[CandidateSentence]) -> list[CandidateSentence]:
    """For "what's the latest on …": the best sentence of each article among those that answer (at least
    RELATIVE_CUTOFF_NO_LEAD of the best score), newest article first, undated ones last."""
    floor = RELATIVE_CUTOFF_NO_LEAD * scored[0].score
    best: dict[str, CandidateSentence] = {}
    for cand in scored:  # best first: the first of an article is its best
        if cand.score >= floor:
            best.setdefault(cand.hit.chunk.article_id, cand)
    # sorted() is stable: articles of the same time keep their relevance order.
    return sorted(best.values(), key=lambda c: -(timestamp_of(c.hit.chunk.published_at) or -math.inf))[:MAX_SUPPORT]


def openings(
    candidates: Sequence[CandidateSentence], hits: Sequence[Hit], ranges: Sequence[DateRange]
) -> list[CandidateSentence]:
    """The first sentence at hand of each article published on the dates, in the order retrieval ranks them:
    what the day's coverage says, where the question gives nothing else to match ("What happened on …?")."""
    first: dict[str, CandidateSentence] = {}
    for cand in candidates:
        chunk = cand.hit.chunk
        have = first.get(chunk.article_id)
        if chunk_in_ranges(chunk, ranges) and (have is None or (chunk.n, cand.start) < (have.hit.chunk.n, have.start)):
            first[chunk.article_id] = cand
    order = [a for a in dict.fromkeys(h.chunk.article_id for h in hits) if a in first]
    return [first[a] for a in order[:MAX_SUPPORT]]


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
