"""Generated answers: the LLM's streamed reply, its markers cleaned and every sentence verified."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from bot.answering.directives import remove_foreign_links
from bot.answering.gate import not_covered_answer
from bot.answering.llm import NOT_COVERED_REPLY, LLMClient, answer_messages
from bot.answering.markers import MARKER, normalize_markers, parse_answer
from bot.answering.verifier import Verdict, Verifier
from bot.errors import LLMServerError
from bot.types import GENERATED, Answer, AnswerSentence, Citation, Hit

# While the answer streams, a snapshot is shown once the text grew by 1/SHOW_GROWTH since the last one (every
# delta while it is short): each snapshot re-normalises and re-renders the whole text.
SHOW_GROWTH = 8


def stream_generated_answer(
    question: str, hits: Sequence[Hit], llm: LLMClient, verifier: Verifier, base: Answer | None = None
) -> Iterator[Answer]:
    """Yield the LLM's answer as it streams, then the verified final one (`done=True`).

    Raises LLMError when the model fails, possibly after partial answers were yielded.
    """
    answer = base.snapshot() if base is not None else Answer(question=question)
    answer.mode, answer.hits = GENERATED, list(hits)
    links = [hit.chunk.url for hit in hits]
    parts: list[str] = []
    size = shown = 0
    for delta in llm.stream_chat(answer_messages(question, hits)):
        parts.append(delta)
        size += len(delta)
        if size - shown < max(1, shown // SHOW_GROWTH):
            continue  # a long stream of tiny deltas is shown at geometric steps: linear work, not quadratic
        received = "".join(parts)
        if _may_be_not_covered_reply(received):
            continue  # do not flash the sentinel the prompt asks for
        shown = size
        yield _partial(answer, received, len(hits), links)
    received = "".join(parts)
    if shown < size and not _may_be_not_covered_reply(received):
        yield _partial(answer, received, len(hits), links)  # the whole text before it is verified
    if not received.strip():
        raise LLMServerError(f"the LLM server at {llm.base_url} sent an empty answer; try again")
    if _is_not_covered_reply(received):
        final = not_covered_answer(answer.question, hits)
        final.notes = [*answer.notes, "The language model found no answer in the retrieved passages."]
        final.standalone_question = answer.standalone_question
        yield final
        return
    yield verify_generated(received, hits, verifier, answer, question)


def _partial(answer: Answer, received: str, n_passages: int, links: list[str | None]) -> Answer:
    # While streaming, only the retrieved articles' own addresses may show as links.
    answer.text = remove_foreign_links(normalize_markers(received, n_passages)[0], links)
    return answer.snapshot()


def verify_generated(
    text: str, hits: Sequence[Hit], verifier: Verifier, base: Answer, question: str | None = None
) -> Answer:
    """The final generated answer: markers cleaned, each sentence checked against the passages it cites.

    With the `question`, sentences that instruct the reader unasked or link elsewhere are flagged, and links that
    are not a cited article's address are removed from the text.
    """
    parsed = parse_answer(text, len(hits))
    passages = {n: hit.chunk for n, hit in enumerate(hits, start=1)}
    claims = [s for s in parsed.sentences if s.is_claim]  # headings and preambles are shown, never checked
    found = iter(verifier.verify([(s.claim, s.citations) for s in claims], passages, question))
    verdicts = [next(found) if s.is_claim else Verdict(True) for s in parsed.sentences]
    answer = base.snapshot()
    cited_links = [passages[n].url for s in parsed.sentences for n in s.citations if n in passages]
    answer.text = remove_foreign_links(parsed.text, cited_links)
    citations: dict[int, tuple[bool, Citation]] = {}
    supporting: dict[int, list[tuple[int, int]]] = {}  # every span of a passage that supports a sentence
    for sentence, verdict in zip(parsed.sentences, verdicts):
        own_links = [passages[n].url for n in sentence.citations if n in passages]
        answer.sentences.append(
            AnswerSentence(
                remove_foreign_links(sentence.claim, own_links), verdict.supported, sentence.citations,
                tuple(m.quote for m in verdict.matches), verdict.note, is_claim=sentence.is_claim,
                disagrees=tuple(m.n for m in verdict.disagrees),
            )
        )
        for m in verdict.disagrees:  # the other article's figure is shown beside the cited one
            citations.setdefault(m.n, (False, Citation(m.n, m.chunk, m.quote, m.start, m.end)))
        for m in verdict.matches:
            # A passage cited by several sentences keeps one number: its quote is the first sentence it supports,
            # and every span that supports a sentence is highlighted.
            if m.n not in citations or (verdict.supported and not citations[m.n][0]):
                citations[m.n] = (verdict.supported, Citation(m.n, m.chunk, m.quote, m.start, m.end))
            if verdict.supported and (m.start, m.end) not in (spans := supporting.setdefault(m.n, [])):
                spans.append((m.start, m.end))
    answer.citations = [replace(c, spans=tuple(supporting.get(n, ()))) for n, (_, c) in sorted(citations.items())]
    if parsed.dropped:
        numbers = ", ".join(f"[{n}]" for n in parsed.dropped)
        answer.notes.append(
            f"Removed citation {numbers}: the answer cited a passage that does not exist "
            f"(it was given passages [1]–[{len(hits)}])."
        )
    unsupported = sum(not s.supported for s in answer.sentences)
    claims_checked = sum(s.is_claim for s in answer.sentences)
    if unsupported:
        answer.notes.append(
            f"{unsupported} of {claims_checked} sentences are not supported by the passages they cite "
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
