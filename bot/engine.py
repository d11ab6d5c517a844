"""The chat engine: load the model and index once, then answer questions with verified citations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from bot.answering.extractive import stream_extractive_answer
from bot.answering.gate import Assessment, assess_coverage, not_covered_answer
from bot.answering.generated import stream_generated_answer
from bot.answering.llm import LLMClient, make_llm
from bot.answering.outlet_notes import outlet_notes
from bot.answering.question import names_only_dates, profile_question
from bot.answering.rewrite import fresh_sentences, rewrite_question
from bot.answering.verifier import Verifier
from bot.errors import LLMError, QuestionTooLongError
from bot.retrieval.filters import Filters, chunk_in_ranges
from bot.retrieval.plan import DateRange, QueryPlan
from bot.retrieval.retriever import Retriever
from bot.types import Answer, Hit
from index.chunking import load_text_models
from index.documents import chunk_id
from index.embedding import Embedder, load_embedder
from index.settings import Settings
from index.store import Store

# A question is a sentence or two (the longest MultiHop-RAG question has 536 characters); the limit bounds the
# work one request can ask for: date and outlet mentions, clauses (each a sub-query), terms to match.
MAX_QUESTION_CHARS = 2000
NOTHING_NEW = "The passages found for this follow-up say nothing the previous answer did not already say."


# An answer reads at least as much text as k full passages hold (in words, about three quarters of the tokens),
# so that on a corpus of short items (snippets, summaries of ~80 words) it reads more than k of them. Articles'
# passages are full chunks, bar each article's last, so there it reads k or a passage or two more.
WORDS_PER_TOKEN = 0.75


def answer_words(k: int, chunk_tokens: int) -> int:
    """The words the passages an answer reads hold at least (when there are enough): those of k full passages."""
    return int(k * chunk_tokens * WORDS_PER_TOKEN)


def question_problem(question: str) -> str | None:
    """Why `question` cannot be answered as it is (too long), or None."""
    if len(question) > MAX_QUESTION_CHARS:
        return (f"The question is {len(question):,} characters long; ask it in at most {MAX_QUESTION_CHARS:,} "
                "characters (one question, not a document).")
    return None


def _noted(answers: Iterator[Answer], plan: QueryPlan, hits: Sequence[Hit]) -> Iterator[Answer]:
    """`answers` as they stream, the complete one with a note for each outlet the question names that it does
    not cite."""
    for answer in answers:
        if answer.done:
            answer.notes.extend(outlet_notes(plan, answer, hits))
        yield answer


class ChatEngine:
    """Everything an answer needs, loaded once per process and shared by every message."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        store: Store | None = None,
        llm: LLMClient | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings.embed_model)
        self.retriever = Retriever(settings, self.embedder, store)
        self.llm = llm if llm is not None else make_llm(settings)
        self.verifier = Verifier(self.embedder)
        load_text_models()  # answers split passages into sentences: load that at start, not on the first question

    def stream_answer(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Iterator[Answer]:
        """Yield the answer as it grows; the last one yielded is complete (`done=True`).

        `history` holds the earlier (user, assistant) turns; a follow-up is rewritten into a standalone question
        (`Answer.standalone_question`) before retrieval. With an LLM configured the answer is generated and every
        sentence verified; if the LLM fails, the extractive answer comes instead, with a note saying why.
        A question over MAX_QUESTION_CHARS raises QuestionTooLongError before any work.
        """
        question = question.strip()
        problem = question_problem(question)
        if problem is not None:
            raise QuestionTooLongError(problem)
        rewrite = rewrite_question(question, history, self.llm)
        base = Answer(question=question, standalone_question=rewrite.question if rewrite.changed else None)
        hits, assessment = self.assess(rewrite.question, filters, k)
        if rewrite.changed and history:
            # A follow-up asks for something new: what the previous answer said is not said again.
            fresh = fresh_sentences(assessment.scored, history[-1][1])
            if assessment.scored and not fresh:
                base.notes.append(NOTHING_NEW)
            assessment = replace(assessment, scored=fresh)
        if not assessment.covered:
            # Nothing relevant was retrieved: say so without asking the LLM.
            final = not_covered_answer(question, hits)
            final.standalone_question = base.standalone_question
            yield final
            return
        failure = rewrite.error
        plan = self.retriever.plan(rewrite.question)
        if self.llm is not None and failure is None:
            try:
                yield from _noted(stream_generated_answer(rewrite.question, hits, self.llm, self.verifier, base),
                                  plan, hits)
                return
            except LLMError as exc:
                failure = exc
        if failure is not None:
            base.notes.append(
                f"Extractive answer (verbatim sentences from the passages) because the language model failed: "
                f"{failure}"
            )
        yield from _noted(stream_extractive_answer(
            assessment, hits, self.embedder, plan=plan, idf=self.retriever.term_weights, verifier=self.verifier,
            base=base, repeated=self.retriever.repeated,
        ), plan, hits)

    def assess(
        self, question: str, filters: Filters | None = None, k: int | None = None
    ) -> tuple[list[Hit], Assessment]:
        """Retrieve the passages for a standalone question and score their sentences as answers."""
        k = k or self.settings.top_k
        hits = self.retriever.retrieve(question, k, filters, answer_words(k, self.retriever.chunk_tokens))
        plan = self.retriever.plan(question)
        # Reading the question again costs little, and only for the questions that name a date.
        if plan.dates and names_only_dates(profile_question(question, plan), plan):
            hits = self.opening_passages(hits, plan.dates)
        assessment = assess_coverage(question, hits, self.embedder, plan, self.retriever.term_weights,
                                     self.retriever.repeated, stored=self.retriever.snapshot.sentences,
                                     newest=self.retriever.newest)
        return hits, assessment

    def opening_passages(self, hits: Sequence[Hit], dates: Sequence[DateRange]) -> list[Hit]:
        """Each retrieved article of `dates` by its opening passage, in retrieval order (other hits as they are):
        what a news article reports first answers "What happened on …?", where a passage further in ("Kickoff:
        the match is under way", a live blog's later entry) was what the question's few words had found."""
        wanted = {chunk_id(h.chunk.article_id, 0) for h in hits if h.chunk.n > 0 and chunk_in_ranges(h.chunk, dates)}
        openings = {c.id: c for c in self.retriever.collection.get(sorted(wanted))} if wanted else {}
        out: dict[str, Hit] = {}
        for hit in hits:
            opening = openings.get(chunk_id(hit.chunk.article_id, 0), hit.chunk)
            if opening.id not in out:
                out[opening.id] = replace(hit, chunk=opening, rank=len(out) + 1)
        return list(out.values())

    def answer(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Answer:
        """The complete answer to one question."""
        final: Answer | None = None
        for final in self.stream_answer(question, history=history, filters=filters, k=k):  # noqa: B007
            pass  # only the last is kept: `*_, final = …` would hold every partial answer of a long stream
        assert final is not None, "stream_answer always yields a final answer"
        return final
