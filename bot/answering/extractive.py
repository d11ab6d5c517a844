"""Extractive answers: the best verbatim sentences of the retrieved passages, each cited and verified."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.answering.gate import assess_coverage, not_covered_answer
from bot.answering.sentences import CandidateSentence
from bot.answering.verifier import Verifier
from bot.types import EXTRACTIVE, Answer, AnswerSentence, Citation, Hit
from index.embedding import Embedder
from index.text import analyze

MAX_SENTENCES = 3


RELATIVE_CUTOFF = 0.8  # keep sentences scoring at least this share of the best one


def select_sentences(scored: list[CandidateSentence], limit: int = MAX_SENTENCES) -> list[CandidateSentence]:
    """The best few sentences, skipping near-repeats, in reading order (by article, then position)."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[CandidateSentence] = []
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


def stream_extractive_answer(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    *,
    scored: list[CandidateSentence] | None = None,
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


def _as_statement(sentence: str) -> str:
    # Keep the sentence verbatim; only collapse the line breaks a passage may carry.
    return re.sub(r"\s*\n\s*", " ", sentence.strip())
