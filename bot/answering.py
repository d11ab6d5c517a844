"""The extractive answerer: the retrieved sentences that best answer the question, verbatim and cited."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.types import EXTRACTIVE, NOT_COVERED, Answer, AnswerSentence, Citation, Hit
from index.chunking import sentence_spans
from index.embedding import Embedder
from index.lexical import analyze

NOT_COVERED_TEXT = "The indexed articles do not cover this question."

MAX_SENTENCES = 3
MIN_SENTENCE_CHARS = 25
MAX_SENTENCE_CHARS = 700
# Gate for "not covered": the best sentence must be at least this close to the question, or share
# this share of the question's content terms.  Calibrated on the MultiHop-RAG dev questions.
MIN_SIMILARITY = 0.35
MIN_OVERLAP = 0.5
MIN_GATED_SIMILARITY = 0.2
RELATIVE_CUTOFF = 0.8  # keep sentences scoring at least this share of the best one


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with where it sits and how well it answers."""

    hit: Hit
    start: int  # offset in the chunk text
    end: int
    text: str
    similarity: float = 0.0
    overlap: float = 0.0
    score: float = 0.0


def candidate_sentences(hits: Sequence[Hit]) -> list[Candidate]:
    """Distinct, answer-sized sentences of the retrieved passages (overlapping chunks deduplicated)."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for hit in hits:
        text = hit.chunk.text
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            key = (hit.chunk.article_id, hit.chunk.start + start)
            if key in seen or not _answer_sized(sentence):
                continue
            seen.add(key)
            out.append(Candidate(hit, start, end, sentence))
    return out


def _answer_sized(sentence: str) -> bool:
    if not MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.5 * len(sentence)


def score_candidates(question: str, candidates: list[Candidate], embedder: Embedder) -> list[Candidate]:
    """Score each sentence by embedding similarity and content-term overlap with the question."""
    if not candidates:
        return []
    q_terms = set(analyze([question])[0])
    vectors = embedder.embed_texts([c.text for c in candidates])
    sims = vectors @ embedder.embed_query(question)
    top_hit = max(c.hit.score for c in candidates) or 1.0
    scored = []
    for cand, sim, terms in zip(candidates, sims, analyze([c.text for c in candidates])):
        overlap = len(q_terms & set(terms)) / len(q_terms) if q_terms else 0.0
        score = 0.55 * float(sim) + 0.35 * overlap + 0.10 * (cand.hit.score / top_hit)
        scored.append(Candidate(cand.hit, cand.start, cand.end, cand.text, float(sim), overlap, score))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored


def is_covered(best: Candidate) -> bool:
    """Whether the best sentence is relevant enough to answer from (else: not covered)."""
    if best.similarity >= MIN_SIMILARITY:
        return True
    return best.overlap >= MIN_OVERLAP and best.similarity >= MIN_GATED_SIMILARITY


def select_sentences(scored: list[Candidate], limit: int = MAX_SENTENCES) -> list[Candidate]:
    """The best few sentences, skipping near-repeats, in reading order (by article, then position)."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[Candidate] = []
    chosen_terms: list[set[str]] = []
    for cand in scored:
        if len(chosen) >= limit or cand.score < RELATIVE_CUTOFF * best:
            break
        terms = set(analyze([cand.text])[0])
        if any(_jaccard(terms, other) > 0.6 for other in chosen_terms):
            continue
        chosen.append(cand)
        chosen_terms.append(terms)
    article_rank: dict[str, int] = {}
    for cand in chosen:
        article_rank.setdefault(cand.hit.chunk.article_id, len(article_rank))
    chosen.sort(key=lambda c: (article_rank[c.hit.chunk.article_id], c.hit.chunk.start + c.start))
    return chosen


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def stream_extractive_answer(question: str, hits: Sequence[Hit], embedder: Embedder) -> Iterator[Answer]:
    """Yield the extractive answer growing sentence by sentence; the last one has `done=True`."""
    answer = Answer(question=question, mode=EXTRACTIVE, hits=list(hits))
    scored = score_candidates(question, candidate_sentences(hits), embedder)
    if not scored or not is_covered(scored[0]):
        answer.mode = NOT_COVERED
        answer.text = NOT_COVERED_TEXT
        answer.done = True
        yield answer.snapshot()
        return
    parts: list[str] = []
    for n, cand in enumerate(select_sentences(scored), start=1):
        citation = Citation(n=n, chunk=cand.hit.chunk, quote=cand.text, quote_start=cand.start, quote_end=cand.end)
        answer.citations.append(citation)
        answer.sentences.append(AnswerSentence(cand.text, True, (n,), (cand.text,)))
        parts.append(f"{_as_statement(cand.text)} [{n}]")
        answer.text = " ".join(parts)
        yield answer.snapshot()
    answer.done = True
    yield answer.snapshot()


def _as_statement(sentence: str) -> str:
    # Keep the sentence verbatim; only collapse the line breaks a passage may carry.
    return re.sub(r"\s*\n\s*", " ", sentence.strip())


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors."""
    denom = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
    return float(a @ b) / denom
