"""Answers: the not-covered gate, the extractive answerer (verbatim cited sentences) and the generated one."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.citations import (
    DATE_WORDS,
    MARKER,
    Verifier,
    claim_names,
    has_name,
    normalize_markers,
    parse_answer,
    passages_facts,
)
from bot.errors import LLMServerError
from bot.llm import NOT_COVERED_REPLY, LLMClient, answer_messages
from bot.types import EXTRACTIVE, GENERATED, NOT_COVERED, Answer, AnswerSentence, Citation, Hit
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
# A question naming someone or something that no retrieved passage mentions is usually about something the corpus
# lacks: it needs a closer best sentence, and at least this share of its names must be found.
# Tuned on the MultiHop-RAG dev questions (python -m bot.eval_answers gate).
MISSING_NAME_SIMILARITY = 0.5
MIN_NAME_COVERAGE = 1 / 3
RELATIVE_CUTOFF = 0.8  # keep sentences scoring at least this share of the best one
# Sentences embedded per answer, chosen first by the same score with their passage's similarity standing in for
# their own: embedding every sentence of every passage was most of an answer's time.
EMBEDDED_CANDIDATES = 8


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
        scored.append(Candidate(cand.hit, cand.start, cand.end, cand.text, float(sim), overlaps[i], score))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored


def _score(similarity: float, overlap: float, passage_rank_score: float) -> float:
    return 0.55 * similarity + 0.35 * overlap + 0.10 * passage_rank_score


def is_covered(best: Candidate, name_coverage: float = 1.0) -> bool:
    """Whether the best sentence is relevant enough to answer from (else: not covered).

    `name_coverage` is the share of the question's names found in the retrieved passages (see `name_coverage`).
    """
    relevant = best.similarity >= MIN_SIMILARITY or (
        best.overlap >= MIN_OVERLAP and best.similarity >= MIN_GATED_SIMILARITY
    )
    if not relevant or name_coverage >= 1.0:
        return relevant
    return name_coverage >= MIN_NAME_COVERAGE and best.similarity >= MISSING_NAME_SIMILARITY


def name_coverage(question: str, hits: Sequence[Hit]) -> float:
    """Share of the question's names (people, organisations, places, outlets; not dates) the passages mention."""
    names = [n for n in claim_names(question) if n.lower() not in DATE_WORDS]
    if not names:
        return 1.0
    facts = passages_facts([hit.chunk for hit in hits])
    return sum(has_name(name, facts) for name in names) / len(names)


def assess_coverage(question: str, hits: Sequence[Hit], embedder: Embedder) -> tuple[bool, list[Candidate]]:
    """Whether the passages cover the question, and their sentences scored for the extractive answer."""
    scored = score_candidates(question, candidate_sentences(hits), embedder)
    return bool(scored) and is_covered(scored[0], name_coverage(question, hits)), scored


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


def not_covered_answer(question: str, hits: Sequence[Hit] = ()) -> Answer:
    """The final answer saying that the indexed articles do not cover the question."""
    return Answer(question=question, text=NOT_COVERED_TEXT, mode=NOT_COVERED, hits=list(hits), done=True)


def stream_extractive_answer(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    *,
    scored: list[Candidate] | None = None,
    verifier: Verifier | None = None,
    base: Answer | None = None,
) -> Iterator[Answer]:
    """Yield the extractive answer growing sentence by sentence; the last one has `done=True`.

    `scored` reuses candidates already scored for the coverage gate; `base` carries notes and the standalone
    question of the caller. Every sentence goes through the same verifier as generated answers.
    """
    answer = base.snapshot() if base is not None else Answer(question=question)
    answer.mode, answer.hits = EXTRACTIVE, list(hits)
    covered = True
    if scored is None:
        covered, scored = assess_coverage(question, hits, embedder)
    if not covered or not scored:
        final = not_covered_answer(answer.question, hits)
        final.notes, final.standalone_question = answer.notes, answer.standalone_question
        yield final
        return
    chosen = select_sentences(scored)
    verdicts = (verifier or Verifier(embedder)).verify(
        [(c.text, (n,)) for n, c in enumerate(chosen, start=1)],
        {n: c.hit.chunk for n, c in enumerate(chosen, start=1)},
    )
    parts: list[str] = []
    for n, (cand, verdict) in enumerate(zip(chosen, verdicts), start=1):
        citation = Citation(n=n, chunk=cand.hit.chunk, quote=cand.text, quote_start=cand.start, quote_end=cand.end)
        answer.citations.append(citation)
        quotes = tuple(m.quote for m in verdict.matches)
        answer.sentences.append(AnswerSentence(cand.text, verdict.supported, (n,), quotes, verdict.note))
        parts.append(f"{_as_statement(cand.text)} [{n}]")
        answer.text = " ".join(parts)
        yield answer.snapshot()
    answer.done = True
    yield answer.snapshot()


def stream_generated_answer(
    question: str, hits: Sequence[Hit], llm: LLMClient, verifier: Verifier, base: Answer | None = None
) -> Iterator[Answer]:
    """Yield the LLM's answer as it streams, then the verified final one (`done=True`).

    Raises LLMError when the model fails, possibly after partial answers were yielded.
    """
    answer = base.snapshot() if base is not None else Answer(question=question)
    answer.mode, answer.hits = GENERATED, list(hits)
    received = ""
    for delta in llm.stream_chat(answer_messages(question, hits)):
        received += delta
        if _may_be_not_covered_reply(received):
            continue  # do not flash the sentinel the prompt asks for
        answer.text = normalize_markers(received, len(hits))[0]
        yield answer.snapshot()
    if not received.strip():
        raise LLMServerError(f"the LLM server at {llm.base_url} sent an empty answer; try again")
    if _is_not_covered_reply(received):
        final = not_covered_answer(answer.question, hits)
        final.notes = [*answer.notes, "The language model found no answer in the retrieved passages."]
        final.standalone_question = answer.standalone_question
        yield final
        return
    yield verify_generated(received, hits, verifier, answer)


def verify_generated(text: str, hits: Sequence[Hit], verifier: Verifier, base: Answer) -> Answer:
    """The final generated answer: markers cleaned, each sentence checked against the passages it cites."""
    parsed = parse_answer(text, len(hits))
    passages = {n: hit.chunk for n, hit in enumerate(hits, start=1)}
    verdicts = verifier.verify([(s.claim, s.citations) for s in parsed.sentences], passages)
    answer = base.snapshot()
    answer.text = parsed.text
    citations: dict[int, tuple[bool, Citation]] = {}
    for sentence, verdict in zip(parsed.sentences, verdicts):
        answer.sentences.append(
            AnswerSentence(
                sentence.claim, verdict.supported, sentence.citations, tuple(m.quote for m in verdict.matches),
                verdict.note,
            )
        )
        for m in verdict.matches:
            # A passage cited by several sentences highlights the span of the first sentence it supports.
            if m.n not in citations or (verdict.supported and not citations[m.n][0]):
                citations[m.n] = (verdict.supported, Citation(m.n, m.chunk, m.quote, m.start, m.end))
    answer.citations = [c for _, (_, c) in sorted(citations.items())]
    if parsed.dropped:
        numbers = ", ".join(f"[{n}]" for n in parsed.dropped)
        answer.notes.append(
            f"Removed citation {numbers}: the answer cited a passage that does not exist "
            f"(it was given passages [1]–[{len(hits)}])."
        )
    unsupported = sum(not s.supported for s in answer.sentences)
    if unsupported:
        answer.notes.append(
            f"{unsupported} of {len(answer.sentences)} sentences are not supported by the passages they cite "
            "and are flagged."
        )
    answer.done = True
    return answer


def _is_not_covered_reply(text: str) -> bool:
    # Some models explain after the sentinel; without a citation that explanation is no answer either.
    return re.sub(r"[^A-Z]+", " ", text.upper()).strip().startswith(NOT_COVERED_REPLY) and not MARKER.search(text)


def _may_be_not_covered_reply(text: str) -> bool:
    squeezed = re.sub(r"[^A-Z]+", " ", text.upper()).lstrip()
    return NOT_COVERED_REPLY.startswith(squeezed.rstrip()) and len(text) <= len(NOT_COVERED_REPLY) + 4


def _as_statement(sentence: str) -> str:
    # Keep the sentence verbatim; only collapse the line breaks a passage may carry.
    return re.sub(r"\s*\n\s*", " ", sentence.strip())

