"""Candidate answer sentences: the answer-sized sentences of the retrieved passages, scored on the question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.types import Hit
from index.embedding import Embedder
from index.text import analyze, sentence_spans

MIN_SENTENCE_CHARS = 25


MAX_SENTENCE_CHARS = 700


# Sentences embedded per answer, chosen first by the same score with their passage's similarity standing in for
# their own: embedding every sentence of every passage was most of an answer's time.
EMBEDDED_CANDIDATES = 8


@dataclass(frozen=True)
class CandidateSentence:
    """A sentence of a retrieved passage, with where it sits and how well it answers."""

    hit: Hit
    start: int  # offset in the chunk text
    end: int
    text: str
    similarity: float = 0.0
    overlap: float = 0.0
    score: float = 0.0


def candidate_sentences(hits: Sequence[Hit]) -> list[CandidateSentence]:
    """Distinct, answer-sized sentences of the retrieved passages (overlapping chunks deduplicated)."""
    seen: set[tuple[str, int]] = set()
    out: list[CandidateSentence] = []
    for hit in hits:
        text = hit.chunk.text
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            key = (hit.chunk.article_id, hit.chunk.start + start)
            if key in seen or not _answer_sized(sentence):
                continue
            seen.add(key)
            out.append(CandidateSentence(hit, start, end, sentence))
    return out


def _answer_sized(sentence: str) -> bool:
    if not MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.5 * len(sentence)


def score_candidates(question: str, candidates: list[CandidateSentence], embedder: Embedder) -> list[CandidateSentence]:
    """Score each sentence by embedding similarity and content-term overlap with the question.

    Only the EMBEDDED_CANDIDATES sentences that look best before embedding (passage similarity in place of the
    sentence's own) are embedded and returned; the rest cannot make the answer.
    """
    if not candidates:
        return []
    q_terms = set(analyze([question])[0])
    top_hit = max(c.hit.score for c in candidates) or 1.0
    overlaps = [
        len(q_terms & set(terms)) / len(q_terms) if q_terms else 0.0
        for terms in analyze([c.text for c in candidates])
    ]
    prior = [_score(c.hit.dense, overlap, c.hit.score / top_hit) for c, overlap in zip(candidates, overlaps)]
    keep = sorted(range(len(candidates)), key=lambda i: prior[i], reverse=True)[:EMBEDDED_CANDIDATES]
    vectors = embedder.embed_cached([candidates[i].text for i in keep])
    sims = vectors @ embedder.embed_query(question)
    scored = []
    for i, sim in zip(keep, sims):
        cand = candidates[i]
        score = _score(float(sim), overlaps[i], cand.hit.score / top_hit)
        scored.append(CandidateSentence(cand.hit, cand.start, cand.end, cand.text, float(sim), overlaps[i], score))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored


def _score(similarity: float, overlap: float, passage_rank_score: float) -> float:
    return 0.55 * similarity + 0.35 * overlap + 0.10 * passage_rank_score
