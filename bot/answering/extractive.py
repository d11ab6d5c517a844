"""Extractive answers: the short answer first, then verbatim sentences of the passages, each cited and verified.

One passage is one citation: a passage several sentences draw on keeps one number and highlights each span.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import NamedTuple

from bot.answering.compose import Composition, compose
from bot.answering.gate import Assessment, not_covered_answer
from bot.answering.sentences import CandidateSentence
from bot.answering.spans import mentioned
from bot.answering.verifier import Verifier, verify_phrase
from bot.retrieval.plan import QueryPlan
from bot.types import EXTRACTIVE, Answer, AnswerSentence, Citation, Hit
from bot.views.evidence import dateline
from index.documents import Chunk
from index.embedding import Embedder


def stream_extractive_answer(
    assessment: Assessment,
    hits: Sequence[Hit],
    embedder: Embedder,
    *,
    plan: QueryPlan | None = None,
    idf: Mapping[str, float] | None = None,
    verifier: Verifier | None = None,
    base: Answer | None = None,
    repeated: Collection[str] = frozenset(),
) -> Iterator[Answer]:
    """Yield the extractive answer growing sentence by sentence; the last one has `done=True`.

    `base` carries the notes and the standalone question of the caller; `repeated`: the index's boilerplate keys
    (a widget label glued to a name is no part of the lead). Every sentence goes through the same verifier as
    generated answers.
    """
    answer = base.snapshot() if base is not None else Answer(question=assessment.profile.text)
    answer.mode, answer.hits = EXTRACTIVE, list(hits)
    if not assessment.covered or not assessment.scored:
        final = not_covered_answer(answer.question, hits)
        final.notes, final.standalone_question = answer.notes, answer.standalone_question
        yield final
        return
    composition = compose(assessment.profile, assessment.scored, hits, plan, idf, repeated)
    numbers = _number_passages(composition, hits)
    claims = _claims(composition, numbers, hits)
    passages = {n: chunk for chunk_id, n in numbers.items() for chunk in _chunks(hits, chunk_id)}
    checked = (verifier or Verifier(embedder)).verify([(c.text, c.cited) for c in claims if not c.lead], passages)
    verdicts = [verify_phrase(c.text, c.cited, passages) if c.lead else checked.pop(0) for c in claims]
    answer.citations = _citations(composition, numbers, passages)
    parts: list[str] = []
    for (text, cited, lead, source), verdict in zip(claims, verdicts):
        quotes = tuple(m.quote for m in verdict.matches)
        answer.sentences.append(AnswerSentence(text, verdict.supported, cited, quotes, verdict.note, lead=lead,
                                               source=source))
        markers = "".join(f"[{n}]" for n in cited)
        if lead:
            parts.append(f"**{text}** {markers}\n\n")
        elif source:
            parts.append(f"- {source}: {_as_statement(text)} {markers}\n")
        else:
            parts.append(f"{_as_statement(text)} {markers} ")
        answer.text = "".join(parts).strip()
        yield answer.snapshot()
    answer.notes.extend(f"No passage found about this part of the question: “{part}”"
                        for part in composition.unaddressed)
    answer.done = True
    yield answer.snapshot()


def _number_passages(composition: Composition, hits: Sequence[Hit]) -> dict[str, int]:
    """Citation numbers by passage, in the order the answer first uses them."""
    numbers: dict[str, int] = {}
    order = list(composition.lead.sentences[:3]) if composition.lead else []
    for cand in [*order, *composition.sentences]:
        numbers.setdefault(cand.hit.chunk.id, len(numbers) + 1)
    if composition.lead is not None:
        holder = _full_form_passage(composition.lead.text, composition.lead.sentences, hits)
        if holder is not None:
            numbers.setdefault(holder, len(numbers) + 1)
    return numbers


def _full_form_passage(lead: str, stating: Sequence[CandidateSentence], hits: Sequence[Hit]) -> str | None:
    """A passage that writes the lead in full, when none of those stating it does ("Sam Bankman-Fried")."""
    if any(mentioned(lead, c.hit.chunk.text) for c in stating):
        return None
    return next((h.chunk.id for h in hits if lead in h.chunk.text), None)


class _Claim(NamedTuple):
    """One part of the answer as it is checked and shown."""

    text: str
    cited: tuple[int, ...]
    lead: bool
    source: str  # the article's outlet and day when the answer lists one article a line, else ""


def _claims(composition: Composition, numbers: Mapping[str, int], hits: Sequence[Hit]) -> list[_Claim]:
    """The lead and each supporting sentence, with the passages they cite and, one article a line, its source."""
    claims: list[_Claim] = []
    if composition.lead is not None:
        lead = composition.lead
        cited = [numbers[c.hit.chunk.id] for c in lead.sentences[:3]]
        holder = _full_form_passage(lead.text, lead.sentences, hits)
        if holder is not None:
            cited.append(numbers[holder])
        claims.append(_Claim(lead.text, tuple(dict.fromkeys(cited)), True, ""))
    claims.extend(_Claim(c.text, (numbers[c.hit.chunk.id],), False,
                         article_line(c.hit.chunk) if composition.by_article else "")
                  for c in composition.sentences)
    return claims


def _chunks(hits: Sequence[Hit], chunk_id: str) -> list[Chunk]:
    return [h.chunk for h in hits if h.chunk.id == chunk_id][:1]


def _citations(composition: Composition, numbers: Mapping[str, int], passages: Mapping[int, Chunk]) -> list[Citation]:
    """One citation per passage, its quote the first sentence drawn from it, every drawn span highlighted."""
    spans: dict[int, list[tuple[int, int]]] = {n: [] for n in passages}
    lead = list(composition.lead.sentences[:3]) if composition.lead else []
    for cand in [*composition.sentences, *lead]:
        n = numbers[cand.hit.chunk.id]
        if (cand.start, cand.end) not in spans[n]:
            spans[n].append((cand.start, cand.end))
    citations = []
    for n, chunk in sorted(passages.items()):
        drawn = spans[n] or [_lead_span(chunk, composition)]
        start, end = drawn[0]
        citations.append(Citation(n, chunk, chunk.text[start:end], start, end, tuple(drawn)))
    return citations


def _lead_span(chunk: Chunk, composition: Composition) -> tuple[int, int]:
    text = composition.lead.text if composition.lead else ""
    start = chunk.text.find(text) if text else -1
    return (start, start + len(text)) if start >= 0 else (0, 0)


def article_line(chunk: Chunk) -> str:
    """Where a sentence comes from, in a few words: the outlet (the title when it has none) and the day, as the
    source cards write them ("Valley Post · 25 Nov 2023")."""
    return dateline(chunk.outlet or chunk.title, chunk.published_at)


def _as_statement(sentence: str) -> str:
    # Keep the sentence verbatim; only collapse the line breaks a passage may carry.
    return re.sub(r"\s*\n\s*", " ", sentence.strip())
