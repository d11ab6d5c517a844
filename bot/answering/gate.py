"""The not-covered gate: whether the retrieved passages answer the question at all.

A question is covered when a retrieved sentence is close to it and the passages speak of the question's own
subject: every name it gives is mentioned somewhere, and one of the best sentences' passages carries most of
its term weight (a word no article uses weighs as much as the rarest one). A question about the Nobel Peace
Prize is not covered by passages about the chemistry prize, however similar they read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.answering.facts import has_name, passages_facts
from bot.answering.question import QuestionProfile, profile_question
from bot.answering.sentences import CandidateSentence, candidate_sentences, score_candidates, term_weights
from bot.answering.spans import name_spans
from bot.retrieval.plan import QueryPlan
from bot.types import NOT_COVERED, Answer, Hit
from index.embedding import Embedder
from index.text import analyze

NOT_COVERED_TEXT = "The indexed articles do not cover this question."
# The best sentence must be at least this close to the question, or share this much of its term weight and be
# at least somewhat close.
MIN_SIMILARITY = 0.35
MIN_OVERLAP = 0.5
MIN_GATED_SIMILARITY = 0.2
# Every name of several words the question gives must be in a retrieved passage, most of its single names too,
# and little of its term weight may fall on words no article uses.
MIN_NAMES_FOUND = 0.75
MAX_UNKNOWN_SHARE = 0.3
SUBJECT_SENTENCES = 3


@dataclass(frozen=True)
class Assessment:
    """What the retrieved passages offer for a question: its profile, the scored sentences, and the verdict."""

    profile: QuestionProfile
    scored: list[CandidateSentence]
    covered: bool
    subject: float = 0.0  # best passage's share of the question's term weight
    names_found: float = 1.0  # share of the question's names mentioned by some retrieved passage
    signals: tuple[float, ...] = ()  # what the verdict was decided from (GATE_SIGNALS)


def assess_coverage(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    plan: QueryPlan | None = None,
    idf: Mapping[str, float] | None = None,
    repeated: Collection[str] = frozenset(),
) -> Assessment:
    """Score the passages' sentences as answers and decide whether they cover the question."""
    profile = profile_question(question, plan)
    scored = score_candidates(profile, candidate_sentences(hits, repeated), embedder, idf)
    if not scored:
        return Assessment(profile, scored, False, 0.0, 0.0)
    names = names_found(profile, hits)
    subject = subject_share(profile, scored[:SUBJECT_SENTENCES], idf)
    signals = gate_signals(profile, scored, hits, idf, subject, names)
    return Assessment(profile, scored, is_covered(signals), subject, names, signals)


GATE_SIGNALS = ("similarity", "overlap", "subject", "names_found", "phrases_found", "rare_found", "unknown_share",
                "typed", "terms")


def gate_signals(profile: QuestionProfile, scored: Sequence[CandidateSentence], hits: Sequence[Hit],
                 idf: Mapping[str, float] | None, subject: float, names: float) -> tuple[float, ...]:
    """The evidence the coverage verdict weighs, in the order of GATE_SIGNALS."""
    best = scored[0]
    phrases = subject_phrases(profile)
    texts = [_words(f"{h.chunk.title}\n{h.chunk.text}") for h in hits]
    phrases_found = (sum(any(_near(_words(p), t) for t in texts) for p in phrases) / len(phrases)) if phrases else 1.0
    weights, unknown = term_weights(idf)
    terms = list(dict.fromkeys(profile.terms))
    rare = sorted(terms, key=lambda t: weights.get(t, unknown), reverse=True)[:3]
    top = {c.hit.chunk.id: c.hit.chunk for c in scored[:SUBJECT_SENTENCES]}
    analysed = [set(a) for a in analyze([f"{c.title}\n{c.text}" for c in top.values()])]
    rare_found = max((sum(t in a for t in rare) / len(rare) for a in analysed), default=0.0) if rare else 1.0
    total = sum(weights.get(t, unknown) for t in terms) or 1.0
    # A word no article uses says the question is about something else, unless it is everyday English (a
    # small corpus has never seen "find"): only uncommon words count.
    unknown_share = sum(unknown for t in terms if t not in weights and t in profile.uncommon) / total
    typed = 1.0 if not profile.wants_short_answer else float(any(c.answers for c in scored[:SUBJECT_SENTENCES]))
    top_hits = [c.hit for c in scored[:SUBJECT_SENTENCES]]
    top_texts = [_words(f"{h.chunk.title}\n{h.chunk.text}") for h in top_hits]
    phrases_top = (sum(any(_near(_words(p), t) for t in top_texts) for p in phrases) / len(phrases)) if phrases else 1.0
    return (best.similarity, best.overlap, subject, names, phrases_found, rare_found, unknown_share, typed,
            math.log1p(len(terms)), names_found(profile, top_hits), phrases_top)


def subject_phrases(profile: QuestionProfile) -> list[str]:
    """The question's names of several words ("Nobel Peace Prize", "Bank of England"), outlets it cites aside."""
    names = set(profile.names)
    cited = {re.sub(r"^the\s+", "", o.lower()) for o in profile.cited_outlets}
    return [s.text for s in name_spans(profile.text)
            if len(s.text.split()) > 1 and all(w in names for w in s.text.split() if w[:1].isupper())
            and re.sub(r"^the\s+", "", s.text.lower()) not in cited]


def _words(text: str) -> list[str]:
    return [w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w'’-]+", text.lower())]


def _near(phrase: list[str], words: list[str]) -> bool:
    """Whether the words of the phrase occur together, in any order, one word between them at most
    ("Opetaia vs Zorro" holds "Opetaia Zorro"; a passage on the chemistry prize does not hold "Nobel Peace Prize")."""
    wanted = set(phrase)
    window = len(wanted) + 1
    return any(wanted <= set(words[i:i + window]) for i, w in enumerate(words) if w in wanted)


def is_covered(signals: Sequence[float]) -> bool:
    """Whether the best sentence is relevant and the passages are about the question's subject (GATE_SIGNALS)."""
    similarity, overlap, _, names, phrases, _, unknown, *_ = signals
    relevant = similarity >= MIN_SIMILARITY or (overlap >= MIN_OVERLAP and similarity >= MIN_GATED_SIMILARITY)
    return relevant and phrases >= 1.0 and names >= MIN_NAMES_FOUND and unknown < MAX_UNKNOWN_SHARE


def names_found(profile: QuestionProfile, hits: Sequence[Hit]) -> float:
    """Share of the question's names (not the outlets it cites, not dates) some retrieved passage mentions."""
    if not profile.names:
        return 1.0
    facts = passages_facts([hit.chunk for hit in hits])
    return sum(has_name(name, facts) for name in profile.names) / len(profile.names)


def subject_share(
    profile: QuestionProfile, best: Sequence[CandidateSentence], idf: Mapping[str, float] | None
) -> float:
    """The largest share of the question's term weight that one of these sentences' passages (and title) carry."""
    terms = dict.fromkeys(profile.terms)
    if not terms:
        return 1.0
    weights, unknown = term_weights(idf)
    total = sum(weights.get(t, unknown) for t in terms)
    chunks = {c.hit.chunk.id: c.hit.chunk for c in best}
    analysed = analyze([f"{c.title}\n{c.text}" for c in chunks.values()])
    return max((sum(weights.get(t, unknown) for t in terms if t in set(a)) / total for a in analysed), default=0.0)


def not_covered_answer(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The final answer saying that the indexed articles do not cover the question."""
    return Answer(question=question, text=NOT_COVERED_TEXT, mode=NOT_COVERED, hits=list(hits), done=True)
